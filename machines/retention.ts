import type { Aanmelding } from '../data/aanmelding.schema.js';

/**
 * The retention rule (domain.md, privacy): a closed case keeps the family's identifying data for a configurable
 * number of months after closure (default 24, RETENTION_MONTHS); then it is purged. Pure: the caller passes the time.
 */
export const DEFAULT_RETENTION_MONTHS = 24;

/** The moment a closed case's identifying data is due to go: closure.at plus the months (calendar months, UTC). */
export function purgeDueAt(aanmelding: Aanmelding, months: number): Date | undefined {
  if (aanmelding.status !== 'afgesloten' || !aanmelding.closure) return undefined;
  const due = new Date(aanmelding.closure.at);
  const day = due.getUTCDate();
  due.setUTCMonth(due.getUTCMonth() + months, 1);
  // 31 March + 1 month is 30 April, not 1 May.
  const lastDay = new Date(Date.UTC(due.getUTCFullYear(), due.getUTCMonth() + 1, 0)).getUTCDate();
  due.setUTCDate(Math.min(day, lastDay));
  return due;
}

export function isDueForPurge(aanmelding: Aanmelding, now: Date, months: number): boolean {
  if (aanmelding.purgedAt !== undefined) return false;
  const due = purgeDueAt(aanmelding, months);
  return due !== undefined && due.getTime() <= now.getTime();
}

export function casesDueForPurge(all: readonly Aanmelding[], now: Date, months: number): Aanmelding[] {
  return all.filter((a) => isDueForPurge(a, now, months));
}
