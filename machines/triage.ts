import { z } from 'zod';
import type { GemeenteConfig, RouteId } from '../data/gemeente.config.js';
import { ChildSchema, ConsentSchema, MAX_AGE, type Child, type Consent, type TriageResult } from '../data/aanmelding.schema.js';

/**
 * The triage rules of domain.md ("Default triage rules", first match wins) as one pure function.
 * Everything a gemeente words differently (criteria, age limit, services) comes from its configuration.
 */

export { ConsentSchema, ChildSchema, MAX_AGE, TriageResultSchema } from '../data/aanmelding.schema.js';
export type { Consent, Child, TriageResult } from '../data/aanmelding.schema.js';

export const RequestedServiceSchema = z.enum(['gezinscoach', 'gezinsverzorger']);
export type RequestedService = z.infer<typeof RequestedServiceSchema>;

/** The input of triage-contract.md. Criterion ids are those of the gemeente's configuration. */
export function triageInputSchema(config: Pick<GemeenteConfig, 'criteria'>) {
  const ids = config.criteria.map((c) => c.id) as [string, ...string[]];
  return z.looseObject({
    service: RequestedServiceSchema,
    consent: ConsentSchema,
    safetyConcern: z.boolean(),
    safetySignal: z.boolean().optional(),
    // The two shapes of ChildSchema, with a message that tells the author of the JSON what fits.
    children: z
      .array(z.union(ChildSchema.options, { error: `verwacht { "age": 0..${MAX_AGE} } of { "expected": true }` }))
      .min(1)
      .max(30),
    criteria: z
      .array(z.enum(ids))
      .max(ids.length)
      .superRefine((list, ctx) => {
        list.forEach((id, index) => {
          if (list.indexOf(id) !== index) ctx.addIssue({ code: 'custom', path: [index], message: `"${id}" staat er dubbel in` });
        });
      }),
    specialistCareNeeded: z.boolean(),
  });
}

export interface TriageInput {
  service: RequestedService;
  consent: Consent;
  safetyConcern: boolean;
  /** A concern about safety that is not acute: named in the reasons, it does not change the route. */
  safetySignal?: boolean;
  children: Child[];
  criteria: string[];
  specialistCareNeeded: boolean;
}

export function isExpected(child: Child): child is { expected: true } {
  return 'expected' in child;
}

/** True when at least one child is within the age limit or a child is expected (rule 4). */
export function hasChildInTargetGroup(children: readonly Child[], ageLimit: number): boolean {
  return children.some((child) => isExpected(child) || child.age <= ageLimit);
}

/**
 * The ticked criteria that count, in the configuration's order. A criterion marked onlyInCombination
 * (Venray: cultuur-taal, "in combinatie met andere punten", seed 004 Bijlage 3) counts only when a
 * criterion that stands on its own counts too.
 */
export function countedCriteria(ticked: readonly string[], config: Pick<GemeenteConfig, 'criteria'>): string[] {
  const tickedSet = new Set(ticked);
  const present = config.criteria.filter((c) => tickedSet.has(c.id));
  const standsAlone = present.some((c) => !c.onlyInCombination);
  return present.filter((c) => standsAlone || !c.onlyInCombination).map((c) => c.id);
}

export function routeFor(input: TriageInput, config: GemeenteConfig): TriageResult {
  const counted = countedCriteria(input.criteria, config);
  const criterionReasons = counted.map((id) => `Criterium: ${labelOf(id, config)}.`);
  const result = (route: RouteId, reasons: string[], urgent = false): TriageResult => ({ route, urgent, criteria: counted, reasons });

  // Rule 1: safety overrides everything, with or without consent (professionals may report without it).
  if (input.safetyConcern) {
    return result(
      'jeugdconsulent',
      [
        'Veiligheid eerst: er zijn acute zorgen over de veiligheid van een kind of gezinslid. De jeugdconsulent pakt dit met spoed op; bij direct gevaar bel 112, voor advies of een melding Veilig Thuis (0800-2000).',
        ...criterionReasons,
      ],
      true,
    );
  }

  // Rule 2: without consent nothing identifying leaves the referrer.
  if (input.consent === 'nee') {
    return result('toestemming-nodig', [
      'Geen toestemming: ouders of jongere hebben geen toestemming gegeven voor de aanmelding. Er wordt niets doorgestuurd; vraag eerst toestemming of kies voor een anoniem overleg.',
      ...criterionReasons,
    ]);
  }

  // Notes follow the sentence of the deciding rule, so that reasons[0] always names that rule.
  const notes: string[] = [];
  if (input.safetySignal) {
    notes.push('Zorgsignaal: de verwijzer maakt zich zorgen over de veiligheid, maar die zijn niet acuut. Wie de aanmelding oppakt, bespreekt die zorgen eerst met de verwijzer.');
  }
  // Rule 3: a casemanager's request for a gezinsverzorger, where the gemeente offers one.
  if (input.service === 'gezinsverzorger') {
    if (config.services.includes('gezinsverzorger')) {
      return result('gezinsverzorger', [
        'Aanvraag gezinsverzorger: de casemanager vraagt een gezinsverzorger aan voor een gezin waarvan hij of zij het plan heeft.',
        ...criterionReasons,
      ]);
    }
    notes.push(`Gemeente ${config.gemeente} biedt geen gezinsverzorger aan; de aanvraag is daarom beoordeeld als aanmelding voor gezinsondersteuning.`);
  }

  // Rule 4: the target group is youth up to and including the age limit, or a child on the way.
  if (!hasChildInTargetGroup(input.children, config.ageLimit)) {
    return result('buiten-doelgroep', [
      `Buiten de doelgroep: geen kind is ${config.ageLimit} jaar of jonger en er wordt geen kind verwacht. ${config.buitenDoelgroepVerwijzing}`,
      ...notes,
      ...criterionReasons,
    ]);
  }

  // Rule 5: a need for indicated, specialist care goes to the jeugdconsulent (maatwerkvoorziening).
  if (input.specialistCareNeeded) {
    return result('jeugdconsulent', [
      'Gespecialiseerde jeugdhulp nodig: de verwijzer ziet nu dat het gezin gespecialiseerde jeugdhulp nodig heeft, zoals jeugd-GGZ. De jeugdconsulent bekijkt welke maatwerkvoorziening past.',
      ...notes,
      ...criterionReasons,
    ]);
  }

  // Rule 6: complex when at least one criterion counts (seed 004, Bijlage 3 "Complexiteit").
  if (counted.length > 0) {
    const kitchenTable = config.services.includes('keukentafelgesprek');
    return result(kitchenTable ? 'keukentafelgesprek' : 'jeugdconsulent', [
      kitchenTable
        ? `Complexe vraag: ${criteriaCount(counted.length)} van toepassing. De gezinscoach en de jeugdconsulent voeren samen een keukentafelgesprek om te bepalen wie passende ondersteuning biedt.`
        : `Complexe vraag: ${criteriaCount(counted.length)} van toepassing. Gemeente ${config.gemeente} werkt zonder keukentafelgesprek; de jeugdconsulent bekijkt welke ondersteuning past.`,
      ...notes,
      ...criterionReasons,
    ]);
  }

  // Rule 7: everything else is light, preventive support.
  const uncounted = config.criteria.filter((c) => c.onlyInCombination && input.criteria.includes(c.id));
  return result('gezinscoach', [
    'Lichte ondersteuning: er geldt geen complexiteitscriterium, dus de gezinscoach kan het gezin ondersteunen.',
    ...notes,
    ...uncounted.map((c) => `${stripParenthesis(c.label)} ${countsOnlyWith(stripParenthesis(c.label))} alleen mee in combinatie met een ander criterium.`),
  ]);
}

/**
 * A reason as people read it. Aanmeldingen stored before issue 16 begin with the rule's number ("Regel 6, complexe
 * vraag: ..."); that number is for the code, not for a referrer or a team.
 */
export function readableReason(reason: string): string {
  const match = /^Regel \d+, ([^:]+): (.*)$/s.exec(reason);
  if (!match) return reason;
  const [, heading, rest] = match;
  return `${heading!.charAt(0).toUpperCase()}${heading!.slice(1)}: ${rest}`;
}

/** "telt" for one thing, "tellen" for a label that names several ("Grote cultuur- en taalverschillen"). */
function countsOnlyWith(label: string): string {
  return /(en|s)$/.test(label) ? 'tellen' : 'telt';
}

function labelOf(id: string, config: Pick<GemeenteConfig, 'criteria'>): string {
  return config.criteria.find((c) => c.id === id)?.label ?? id;
}

function criteriaCount(n: number): string {
  return n === 1 ? 'er is één complexiteitscriterium' : `er zijn ${n} complexiteitscriteria`;
}

function stripParenthesis(label: string): string {
  return label.replace(/\s*\([^)]*\)\s*$/, '');
}
