import type { Aanmelding, CaseStatus } from '../data/aanmelding.schema.js';
import { addMonths, localDate } from './dates.js';
import { isNeverPosted } from './retention.js';

/**
 * Open cases that stood still (issue 14, "nothing kept without end"): a case nobody changed for `months` (gemeente
 * configuration stilstandMaanden, default 6) is shown to the coordinators to close, so that retention can follow.
 * Once per quiet period: a change starts a new one. Pure: the caller passes the time.
 */
export const DEFAULT_IDLE_MONTHS = 6;

export interface IdleCase {
  reference: string;
  status: CaseStatus;
  /** The last change: from here the case stood still. */
  since: string;
  /** The professional who has it (a professional's name, never the family's). */
  assignee?: string;
}

/** The last change of a case: its last event or its last update (bookkeeping such as a notice leaves both alone). */
export function lastChangeOf(a: Pick<Aanmelding, 'updatedAt' | 'history'>): string {
  const lastEvent = a.history.at(-1)?.at;
  return lastEvent !== undefined && lastEvent > a.updatedAt ? lastEvent : a.updatedAt;
}

/** Open, on a route a team works on, and unchanged for `months` calendar months (Dutch dates). */
export function isIdle(a: Aanmelding, now: Date, months: number): boolean {
  if (a.status === 'afgesloten' || isNeverPosted(a)) return false;
  return addMonths(localDate(new Date(lastChangeOf(a))), months) <= localDate(now);
}

/** The idle cases the coordinators have not heard of for this quiet period yet, oldest first. */
export function idleCasesToReport(open: readonly Aanmelding[], now: Date, months: number): IdleCase[] {
  return open
    .filter((a) => isIdle(a, now, months) && a.idleNotice?.since !== lastChangeOf(a))
    .map((a) => ({ reference: a.reference, status: a.status, since: lastChangeOf(a), ...(a.assignee ? { assignee: a.assignee.name } : {}) }))
    .sort((x, y) => x.since.localeCompare(y.since) || x.reference.localeCompare(y.reference));
}
