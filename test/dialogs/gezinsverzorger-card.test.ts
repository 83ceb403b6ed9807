import { describe, expect, it } from 'vitest';
import type { Aanmelding, GezinsverzorgerRequest } from '../../data/aanmelding.schema.js';
import type { Professional, TeamConfig } from '../../data/team.config.js';
import type { AdaptiveCard } from '../../dialogs/card.js';
import { dossierCard, gezinsverzorgerLoad, teamCard } from '../../dialogs/referral.card.js';
import { assignmentsOf, decide, teamRoleOf, type Actor } from '../../machines/referral-case.js';
import { adaptiveCardProblems } from '../support/adaptive-cards.js';
import { adele, aanmelding, config, lynne, megan, ROUTE_ANSWERS, team, type AanmeldingOptions } from '../fixtures/referral.js';
import { walkAll } from '../support/cards.js';

const GOAL = 'Moeder houdt over drie maanden zelf de dagstructuur vol.';
const EXPLANATION = 'Moeder is net bevallen van een tweeling en slaapt slecht.';
/** 3 March 2026, 00:30 in Amsterdam. */
const ASSIGNED = new Date('2026-03-02T23:30:00.000Z');

/** A second gezinsverzorger, so that the team's capacity is a sum: 4 + 3 families, 20 + 16 hours. */
const nestor: Actor = { aadObjectId: '00000000-0000-0000-0000-0000000000026', name: 'Nestor Wilke' };
function teamWithTwoGezinsverzorgers(): TeamConfig {
  const base = team();
  const second: Professional = {
    aadObjectId: nestor.aadObjectId,
    teamsUserId: 'user-id-6',
    name: nestor.name,
    role: 'gezinsverzorger',
    wijken: [],
    praktijken: [],
    scholen: [],
    capacity: { maxCases: 3, maxWaakvlam: 0, maxComplexIntensief: 3, hoursPerWeek: 16 },
  };
  return { ...base, professionals: [...base.professionals, second] };
}
const T = teamWithTwoGezinsverzorgers();

// ---------------------------------------------------------------------------------------------------------
// Fixtures: requests for a gezinsverzorger, and the trajectories already running

const request = (overrides: Partial<GezinsverzorgerRequest> = {}): GezinsverzorgerRequest => ({
  goal: GOAL,
  tasks: ['huishoudelijk', 'verzorgend'],
  supportForm: 'ondersteunend',
  hoursPerWeek: 4.5,
  durationMonths: 6,
  cause: 'geboorte',
  targetGroup: 'tijdelijk',
  ...overrides,
});

let sequence = 10;
/** A casemanager's request for a gezinsverzorger (with free text: the goal and an explanation, and contact details). */
function requested(gv: Partial<GezinsverzorgerRequest> = {}, options: AanmeldingOptions = {}): Aanmelding {
  sequence += 1;
  return aanmelding({
    reference: `AM-2026-00${sequence}`,
    answers: { ...ROUTE_ANSWERS.gezinsverzorger, explanation: EXPLANATION, gezinsverzorger: request(gv) },
    referrer: { role: 'casemanager', praktijk: undefined },
    ...options,
  });
}

/** A trajectory a gezinsverzorger is working on. */
function running(hoursPerWeek: number, who: Actor = lynne, options: AanmeldingOptions = {}): Aanmelding {
  return requested(
    { hoursPerWeek },
    { status: 'toegewezen', assignee: { ...who, role: 'gezinsverzorger' }, evaluation: { dueOn: '2026-05-01' }, ...options },
  );
}

/** The other cases of the team: two running trajectories, one closed, one gezinscoach case. */
const others = (): Aanmelding[] => [
  running(8),
  running(2.5, nestor),
  running(10, lynne, { status: 'afgesloten', closure: { reason: 'doelen-behaald', at: ASSIGNED.toISOString() }, evaluation: undefined }),
  aanmelding({ reference: 'AM-2026-0099', status: 'toegewezen', assignee: { ...adele, role: 'gezinscoach' } }),
];

/** Megan assigns the request to Lynne. */
function assigned(a: Aanmelding): Aanmelding {
  const decision = decide(a, { kind: 'assign', professional: lynne.aadObjectId }, megan, T, ASSIGNED);
  if (!decision.ok) throw new Error(decision.refusal);
  return decision.next;
}

const viewer = (actor: Actor) => ({ aadObjectId: actor.aadObjectId, role: teamRoleOf(actor.aadObjectId, T) });
const cardFor = (a: Aanmelding, all: Aanmelding[], who?: Actor) => teamCard(a, assignmentsOf(all), { config, team: T, ...(who ? { viewer: viewer(who) } : {}) });

// ---------------------------------------------------------------------------------------------------------
// Reading the card

function factsOf(card: AdaptiveCard): Record<string, string> {
  const facts: Record<string, string> = {};
  walkAll(card, (element) => {
    if (element.type === 'FactSet') for (const fact of element.facts as { title: string; value: string }[]) facts[fact.title] = fact.value;
  });
  return facts;
}

function actionTitles(card: AdaptiveCard): string[] {
  return (card.actions ?? []).map((action) => String(action.title));
}

// ---------------------------------------------------------------------------------------------------------

describe("the gezinsverzorgers' room", () => {
  it('counts the assigned, not closed gezinsverzorger trajectories and their hours, against the capacity of every gezinsverzorger', () => {
    expect(gezinsverzorgerLoad(assignmentsOf(others()), T)).toEqual({ families: 2, maxFamilies: 7, hours: 10.5, maxHours: 36 });
  });

  it('shows on the card of a new request: "Team gezinsverzorgers: N van M gezinnen, H van X uur per week"', () => {
    const a = requested();
    expect(factsOf(cardFor(a, [a, ...others()]))['Team gezinsverzorgers']).toBe('2 van 7 gezinnen, 10,5 van 36 uur per week');
  });

  it('counts the request itself once it is assigned', () => {
    const a = assigned(requested());
    expect(factsOf(cardFor(a, [a, ...others()]))['Team gezinsverzorgers']).toBe('3 van 7 gezinnen, 15 van 36 uur per week');
  });

  it('is not on the card of a gezinscoach aanmelding', () => {
    const a = aanmelding({ reference: 'AM-2026-0098' });
    expect(factsOf(cardFor(a, [a, ...others()]))).not.toHaveProperty('Team gezinsverzorgers');
  });
});

describe('the card of a request for a gezinsverzorger', () => {
  it('shows what is asked: hours, duration and target group', () => {
    const a = requested({ hoursPerWeek: 4.5, durationMonths: 6, targetGroup: 'tijdelijk' });
    expect(factsOf(cardFor(a, [a]))['Gevraagd']).toBe('4,5 uur per week, 6 maanden, voor een tijdelijke situatie');
  });

  it('says "1 maand" for a single month, and a long-term target group', () => {
    const a = requested({ durationMonths: 1, cause: 'lvb', targetGroup: 'langdurig', hoursPerWeek: 8 });
    expect(factsOf(cardFor(a, [a]))['Gevraagd']).toBe('8 uur per week, 1 maand, bij langdurige problemen van de ouders');
  });

  it('shows no evaluation before the request is assigned, and no action to change it', () => {
    const a = requested();
    const card = cardFor(a, [a], megan);
    expect(factsOf(card)).not.toHaveProperty('Evaluatie');
    expect(actionTitles(card)).not.toContain('Evaluatiedatum wijzigen');
  });

  it('shows the evaluation date, in Dutch, once assigned', () => {
    const a = assigned(requested());
    expect(factsOf(cardFor(a, [a]))['Evaluatie']).toBe('3 juni 2026');
  });

  it.each([
    ['the coordinator', megan, true],
    ['the gezinsverzorger it is assigned to', lynne, true],
    ['another gezinsverzorger', nestor, false],
    ['a gezinscoach', adele, false],
  ])('offers "Evaluatiedatum wijzigen" to %s: %s', (_, who, offered) => {
    const a = assigned(requested());
    expect(actionTitles(cardFor(a, [a], who)).includes('Evaluatiedatum wijzigen')).toBe(offered);
  });

  it('has a date input with the current date behind "Evaluatiedatum wijzigen", that sends the verb evaluation-date', () => {
    const a = assigned(requested());
    const action = cardFor(a, [a], lynne).actions?.find((x) => x.title === 'Evaluatiedatum wijzigen');
    const json = JSON.stringify(action);
    expect(json).toContain('"type":"Input.Date"');
    expect(json).toContain('"value":"2026-06-03"');
    expect(json).toContain('"verb":"evaluation-date"');
  });

  it('parses as an Adaptive Card, new and assigned', () => {
    const a = requested();
    expect(adaptiveCardProblems(cardFor(a, [a, ...others()]))).toEqual([]);
    const b = assigned(a);
    expect(adaptiveCardProblems(cardFor(b, [b, ...others()], lynne))).toEqual([]);
  });

  describe('privacy: nothing the casemanager typed about the family', () => {
    const cases = () => {
      const a = requested();
      const b = assigned(a);
      return [
        ['new, for everyone', cardFor(a, [a, ...others()])],
        ['assigned, for the coordinator', cardFor(b, [b, ...others()], megan)],
        ['assigned, for the gezinsverzorger', cardFor(b, [b, ...others()], lynne)],
      ] as const;
    };

    it('the fixture does hold the free text and the contact details', () => {
      const a = requested();
      expect(a.answers.gezinsverzorger?.goal).toBe(GOAL);
      expect(a.answers.explanation).toBe(EXPLANATION);
      expect(a.answers.contact?.name).toBe('Jan de Vries');
    });

    it.each(cases())('shows no goal, explanation or contact details on the card (%s)', (_, card) => {
      const json = JSON.stringify(card);
      expect(json).not.toContain(GOAL);
      expect(json).not.toContain('dagstructuur');
      expect(json).not.toContain(EXPLANATION);
      expect(json).not.toContain('Jan de Vries');
      expect(json).not.toContain('06 12345678');
    });
  });
});

describe('the dossier of a request, in the 1:1 chat of the gezinsverzorger it is assigned to', () => {
  it('holds what the casemanager asked: the goal of the plan, tasks, form of support, hours, duration and cause', () => {
    const card = dossierCard(assigned(requested({ supportForm: 'overbrugging' })), config);
    expect(factsOf(card)).toMatchObject({
      'Doel uit het plan': GOAL,
      Taken: 'Huishoudelijke taken en verzorging van de kinderen',
      'Vorm van ondersteuning': 'Overbrugging',
      Gevraagd: '4,5 uur per week, 6 maanden, voor een tijdelijke situatie',
      Aanleiding: 'Geboorte (tijdelijk)',
    });
    expect(adaptiveCardProblems(card)).toEqual([]);
  });

  it('has none of these rows for a gezinscoach aanmelding', () => {
    expect(factsOf(dossierCard(aanmelding(), config))).not.toHaveProperty('Doel uit het plan');
  });
});
