import type { Aanmelding } from '../data/aanmelding.schema.js';
import type { Werktijden } from '../data/gemeente.config.js';
import { addWorkingMinutes } from './working-hours.js';

/**
 * Escalation of a SPOED aanmelding that nobody picks up (domain.md, "Safety in practice": unclaimed, it escalates to
 * the coordinators). Level 1 is due `minutes` working minutes after the aanmelding, level 2 as many working minutes
 * after level 1; there is no level 3. Pure: the caller passes the time and the gemeente's rules.
 */

export const ESCALATION_LEVELS = 2;

export interface EscalationRules {
  /** Working minutes per period (gemeente configuration `spoedEscalatieNaMinuten`). */
  minutes: number;
  hours: Werktijden;
}

/** SPOED, and nobody has picked it up, been assigned it or done anything with it yet. */
export function isWaitingForPickup(a: Pick<Aanmelding, 'triage' | 'status' | 'assignee'>): boolean {
  return a.triage.urgent && a.status === 'nieuw' && a.assignee === undefined;
}

/** The next level of escalation and when it is due, or undefined when none is to come. */
export function nextEscalation(a: Pick<Aanmelding, 'triage' | 'status' | 'assignee' | 'createdAt' | 'escalation'>, rules: EscalationRules): { level: number; dueAt: Date } | undefined {
  if (!isWaitingForPickup(a)) return undefined;
  const level = (a.escalation?.level ?? 0) + 1;
  if (level > ESCALATION_LEVELS) return undefined;
  const from = new Date(a.escalation?.at ?? a.createdAt);
  return { level, dueAt: addWorkingMinutes(rules.hours, from, rules.minutes) };
}

/** The aanmeldingen whose next escalation is due at `now`, with that level. */
export function dueEscalations<A extends Pick<Aanmelding, 'triage' | 'status' | 'assignee' | 'createdAt' | 'escalation'>>(
  open: readonly A[],
  now: Date,
  rules: EscalationRules,
): { aanmelding: A; level: number }[] {
  return open.flatMap((aanmelding) => {
    const next = nextEscalation(aanmelding, rules);
    return next && next.dueAt.getTime() <= now.getTime() ? [{ aanmelding, level: next.level }] : [];
  });
}

/** The working minutes an aanmelding has waited at an escalation level (level 2 after 30 minutes per period: 60). */
export function waitedMinutes(level: number, rules: Pick<EscalationRules, 'minutes'>): number {
  return level * rules.minutes;
}
