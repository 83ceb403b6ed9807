import { longestWindow, nextSlot, type Limits } from '../machines/pacing.js';

/**
 * Where the sends to each Teams conversation are booked, so that every instance of the bot keeps to Teams' limits
 * for that conversation together. reserve() books the earliest free moment and returns it; the caller waits until
 * then and sends.
 */
export interface PacingLedger {
  reserve(conversationId: string, now: number, limits: Limits): Promise<number>;
  /** `count` sends at once, as `count` reserve() calls one after the other would book them; their moments, ascending. */
  reserveSeveral(conversationId: string, now: number, limits: Limits, count: number): Promise<number[]>;
  /** Bookings made but not used (a turn that sent less than it booked): the room is free again. */
  release(conversationId: string, slots: number[]): Promise<void>;
}

/** One process's ledger (lowdb, tests): in memory. */
export class MemoryPacingLedger implements PacingLedger {
  private readonly sent = new Map<string, number[]>();

  async reserve(conversationId: string, now: number, limits: Limits): Promise<number> {
    return this.book(conversationId, now, limits);
  }

  async reserveSeveral(conversationId: string, now: number, limits: Limits, count: number): Promise<number[]> {
    return Array.from({ length: count }, () => this.book(conversationId, now, limits));
  }

  async release(conversationId: string, slots: number[]): Promise<void> {
    const history = this.sent.get(conversationId);
    if (!history) return;
    for (const at of slots) {
      const index = history.indexOf(at);
      if (index >= 0) history.splice(index, 1);
    }
  }

  private book(conversationId: string, now: number, limits: Limits): number {
    const longest = longestWindow(limits);
    const history = (this.sent.get(conversationId) ?? []).filter((at) => at > now - longest);
    const at = nextSlot(history, limits, now);
    history.push(at);
    this.sent.set(conversationId, history);
    // Forget quiet conversations now and then, so a long-running bot does not collect them all.
    if (this.sent.size > 10_000) {
      for (const [id, times] of this.sent) if ((times.at(-1) ?? 0) <= now - longest) this.sent.delete(id);
    }
    return at;
  }
}
