/**
 * Teams' documented limits for a bot in one conversation: [messages, per milliseconds]: 7 a second, 8 in 2 seconds,
 * 60 in 30 seconds. Pure: the caller passes the sends so far and the time.
 */
export type Limits = [count: number, windowMs: number][];

export const TEAMS_CONVERSATION_LIMITS: Limits = [
  [7, 1000],
  [8, 2000],
  [60, 30_000],
];

export const longestWindow = (limits: Limits) => Math.max(...limits.map(([, windowMs]) => windowMs));

/**
 * The earliest moment at or after `now` at which every window has room for one more send, given the moments of
 * earlier sends (ascending). Moving later for one window can fill another, so it looks again until nothing moves.
 */
export function nextSlot(history: readonly number[], limits: Limits, now: number): number {
  let at = now;
  for (let moved = true; moved; ) {
    moved = false;
    for (const [count, windowMs] of limits) {
      const inWindow = history.filter((t) => t > at - windowMs);
      const earliest = inWindow.length >= count ? inWindow[inWindow.length - count]! + windowMs : at;
      if (earliest > at) {
        at = earliest;
        moved = true;
      }
    }
  }
  return at;
}
