import type { Child } from '../data/aanmelding.schema.js';

/**
 * Whose consent counts depends on the child's age (domain.md, "What an aanmelding holds"):
 * under 12 the parents with authority; 12 to 15 the child and the parents; 16 and over the young person alone.
 * An unborn child counts as under 12.
 */
export const CONSENT_GIVERS = ['ouders-met-gezag', 'kind-en-ouders', 'jongere'] as const;
export type ConsentGiver = (typeof CONSENT_GIVERS)[number];

export interface ConsentGroup {
  giver: ConsentGiver;
  /** Ages of the children this group consents for; undefined stands for a child on the way. */
  ages: (number | undefined)[];
}

export function consentGiverFor(child: Child): ConsentGiver {
  if ('expected' in child || child.age < 12) return 'ouders-met-gezag';
  return child.age < 16 ? 'kind-en-ouders' : 'jongere';
}

/** The groups whose consent is needed, in the order parents → child with parents → youth. */
export function consentGroups(children: readonly Child[]): ConsentGroup[] {
  return CONSENT_GIVERS.map((giver) => ({
    giver,
    ages: children.filter((child) => consentGiverFor(child) === giver).map((child) => ('age' in child ? child.age : undefined)),
  })).filter((group) => group.ages.length > 0);
}

/** The givers as stored with the consent; changing children so that this changes means asking again. */
export function consentGivers(children: readonly Child[]): ConsentGiver[] {
  return consentGroups(children).map((group) => group.giver);
}
