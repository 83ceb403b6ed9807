import type { Aanmelding } from '../data/aanmelding.schema.js';

/**
 * The retention rule (domain.md, privacy): a closed case keeps the family's identifying data for a configurable
 * number of months after closure (default 24, RETENTION_MONTHS); then it is purged. An aanmelding the team never
 * sees (outside the target group, or without consent) is never worked on and never closed: its period runs from
 * the day it was sent. Pure: the caller passes the time.
 */
export const DEFAULT_RETENTION_MONTHS = 24;

/** Routes that never reach a team channel: nobody picks them up, so nobody closes them. */
export const ROUTES_NEVER_POSTED = ['buiten-doelgroep', 'toestemming-nodig'] as const;
export type NeverPostedRoute = (typeof ROUTES_NEVER_POSTED)[number];

export function isNeverPosted(a: Pick<Aanmelding, 'triage'>): boolean {
  return (ROUTES_NEVER_POSTED as readonly string[]).includes(a.triage.route);
}

/** Where a case's retention period starts: its closure, or for one the team never sees, its creation. */
export function retentionStart(aanmelding: Aanmelding): string | undefined {
  if (aanmelding.status === 'afgesloten' && aanmelding.closure) return aanmelding.closure.at;
  return isNeverPosted(aanmelding) ? aanmelding.createdAt : undefined;
}

/** The moment a case's identifying data is due to go: the start of its period plus the months (calendar months, UTC). */
export function purgeDueAt(aanmelding: Aanmelding, months: number): Date | undefined {
  const start = retentionStart(aanmelding);
  return start === undefined ? undefined : addMonths(new Date(start), months);
}

export function isDueForPurge(aanmelding: Aanmelding, now: Date, months: number): boolean {
  if (aanmelding.purgedAt !== undefined) return false;
  const due = purgeDueAt(aanmelding, months);
  return due !== undefined && due.getTime() <= now.getTime();
}

export function casesDueForPurge(all: readonly Aanmelding[], now: Date, months: number): Aanmelding[] {
  return all.filter((a) => isDueForPurge(a, now, months));
}

function addMonths(start: Date, months: number): Date {
  const due = new Date(start);
  const day = due.getUTCDate();
  due.setUTCMonth(due.getUTCMonth() + months, 1);
  // 31 March + 1 month is 30 April, not 1 May.
  const lastDay = new Date(Date.UTC(due.getUTCFullYear(), due.getUTCMonth() + 1, 0)).getUTCDate();
  due.setUTCDate(Math.min(day, lastDay));
  return due;
}
