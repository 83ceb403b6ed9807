import type { Aanmelding } from '../data/aanmelding.schema.js';
import type { RouteId } from '../data/gemeente.config.js';

/**
 * The expected waiting time for a route, from the team's own recent practice (as ZorgDomein shows a GP): the median
 * days from aanmelding to pick-up of the cases picked up in the last months, and how many wait now. With too few
 * cases there is no estimate, and the referrer is told so instead of a number that means nothing. Pure: the clock
 * is passed in.
 */

export interface WaitingTimeOptions {
  /** The months of practice that count (default 3). */
  months?: number;
  /** Fewer picked-up cases than this: no estimate (default 5). */
  minCases?: number;
}

export interface WaitingTime {
  route: RouteId;
  /** Median whole days from aanmelding to pick-up; undefined: too few cases for an estimate. */
  medianDays?: number;
  /** The picked-up cases the median is taken over. */
  basedOn: number;
  /** Open cases of this route nobody has picked up yet (new or on the waiting list). */
  waiting: number;
}

const DAY = 24 * 60 * 60 * 1000;

/** When the first person picked the case up or was assigned it. */
export function pickedUpAt(a: Pick<Aanmelding, 'history'>): string | undefined {
  return a.history.find((e) => e.action === 'opgepakt' || e.action === 'toegewezen')?.at;
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function waitingTime(all: readonly Aanmelding[], route: RouteId, now: Date, options: WaitingTimeOptions = {}): WaitingTime {
  const months = options.months ?? 3;
  const minCases = options.minCases ?? 5;
  const since = new Date(now);
  since.setUTCMonth(since.getUTCMonth() - months);
  const days: number[] = [];
  let waiting = 0;
  for (const a of all) {
    // SPOED goes its own way (within minutes): it says nothing about how long an ordinary aanmelding waits.
    if (a.triage.route !== route || a.triage.urgent) continue;
    const picked = pickedUpAt(a);
    if (picked === undefined) {
      if (a.status !== 'afgesloten' && a.assignee === undefined) waiting++;
      continue;
    }
    if (new Date(picked) < since || new Date(picked) > now) continue;
    days.push(Math.max(0, (Date.parse(picked) - Date.parse(a.createdAt)) / DAY));
  }
  const middle = days.length >= minCases ? median(days) : undefined;
  return { route, basedOn: days.length, waiting, ...(middle !== undefined ? { medianDays: Math.round(middle) } : {}) };
}
