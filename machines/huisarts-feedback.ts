import type { Aanmelding } from '../data/aanmelding.schema.js';
import type { TeamConfig } from '../data/team.config.js';

/**
 * The family's own huisarts is told that a professional of the team is involved, and later that the support ended,
 * unless the family refused (seed 004: "tenzij ouders of jeugdigen geen toestemming geven … aan de huisarts gemeld").
 * Pure: which moment a change is, and whom to tell, from the record and the team configuration.
 */

export type HuisartsMoment = 'toegewezen' | 'afgesloten';

export interface HuisartsToInform {
  praktijk: string;
  /** The practice's contact person in Teams; without one the assignee gets a letter to send. */
  contact?: { aadObjectId: string; name: string };
}

/**
 * Whom to tell about this case, or undefined: only with consent to refer ('ja'), the family's permission to inform its
 * huisarts, and a known practice; and not when the referrer is a huisarts or POH of that very practice (they hear
 * it themselves, as the referrer).
 */
export function huisartsToInform(a: Pick<Aanmelding, 'answers' | 'referrer'>, team: Pick<TeamConfig, 'praktijken'>): HuisartsToInform | undefined {
  const { consent, huisartsPraktijk } = a.answers;
  if (consent?.referral !== 'ja' || consent.feedbackToHuisarts !== true || !huisartsPraktijk) return undefined;
  const samePractice = (name: string | undefined) => name !== undefined && name.trim().toLowerCase() === huisartsPraktijk.trim().toLowerCase();
  if ((a.referrer.role === 'huisarts' || a.referrer.role === 'poh') && samePractice(a.referrer.praktijk)) return undefined;
  const configured = team.praktijken.find((p) => samePractice(p.naam));
  const contact = configured?.contact;
  return { praktijk: configured?.naam ?? huisartsPraktijk, ...(contact ? { contact: { aadObjectId: contact.aadObjectId, name: contact.name } } : {}) };
}

/** The moment a change of a case is for the huisarts: the first person on it, or its closure with someone on it. */
export function huisartsMomentOf(before: Pick<Aanmelding, 'assignee' | 'status'>, after: Pick<Aanmelding, 'assignee' | 'status'>): HuisartsMoment | undefined {
  if (!before.assignee && after.assignee) return 'toegewezen';
  // Closed while nobody had it: the huisarts was never told anyone was involved, so there is nothing to end.
  if (before.status !== 'afgesloten' && after.status === 'afgesloten' && after.assignee) return 'afgesloten';
  return undefined;
}
