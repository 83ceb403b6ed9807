import { describe, expect, it } from 'vitest';
import type { Aanmelding, GezinsverzorgerRequest } from '../../data/aanmelding.schema.js';
import { assignmentsOf, decide, evaluationMonthsFor, hoursOf, intensityOf, awaitsAgreement, type Actor, type CaseDecision, type CaseOptions, type CaseRequest } from '../../machines/referral-case.js';
import { aanmelding, adele, alex, isaiah, lynne, megan, patti, ROUTE_ANSWERS, team } from '../fixtures/referral.js';

/** Issue 15, points 3 and 4: goals and evaluations for every trajectory, afschalen that changes something, closure as the seeds count it. */

const T = team();
const AT = new Date('2026-03-03T10:00:00.000Z');
const OPTIONS: CaseOptions = { evaluationMonths: 3, coachEvaluationMonths: 6, organisaties: ['Wijkteam', 'Schuldhulpverlening', 'Jeugd-GGZ'] };

function act(a: Aanmelding, request: CaseRequest, actor: Actor, at = AT): CaseDecision {
  return decide(a, request, actor, T, at, OPTIONS);
}
function after(a: Aanmelding, request: CaseRequest, actor: Actor, at = AT): Aanmelding {
  const decision = act(a, request, actor, at);
  if (!decision.ok) throw new Error(`refused: ${decision.refusal}`);
  return decision.next;
}
const refusalOf = (decision: CaseDecision): string => (decision.ok ? '<toegestaan>' : decision.refusal);

const coachCase = () => after(aanmelding({ answers: ROUTE_ANSWERS.gezinscoach }), { kind: 'claim' }, adele);
const keukentafel = () => after(after(aanmelding({ answers: ROUTE_ANSWERS.keukentafelgesprek }), { kind: 'claim' }, adele), { kind: 'claim' }, patti);
const REQUEST: GezinsverzorgerRequest = {
  goal: 'Moeder houdt zelf de dagstructuur vol.',
  tasks: ['huishoudelijk'],
  supportForm: 'ondersteunend',
  hoursPerWeek: 4.5,
  durationMonths: 6,
  cause: 'geboorte',
  targetGroup: 'tijdelijk',
};
const gvCase = () =>
  after(aanmelding({ answers: { ...ROUTE_ANSWERS.gezinsverzorger, gezinsverzorger: REQUEST }, referrer: { role: 'casemanager' } }), { kind: 'assign', professional: lynne.aadObjectId }, megan);

describe('evaluation moments for every trajectory', () => {
  it('gives a gezinscoach case its first evaluation six months after pick-up, a gezinsverzorger three', () => {
    expect(coachCase().evaluation).toEqual({ dueOn: '2026-09-03' });
    expect(keukentafel().evaluation).toEqual({ dueOn: '2026-09-03' });
    expect(gvCase().evaluation).toEqual({ dueOn: '2026-06-03' });
  });

  it('takes the months from the gemeente configuration, and gives a jeugdconsulent or an anonymous consultation none', () => {
    expect(evaluationMonthsFor(aanmelding({ answers: ROUTE_ANSWERS.gezinscoach }), { coachEvaluationMonths: 4 })).toBe(4);
    expect(evaluationMonthsFor(aanmelding({ answers: ROUTE_ANSWERS.jeugdconsulent }))).toBeUndefined();
    const anonymous = aanmelding({ answers: { consent: { referral: 'anoniem', givenBy: [], feedbackToHuisarts: false, recordedAt: AT.toISOString() }, contact: undefined } });
    expect(after(anonymous, { kind: 'claim' }, adele).evaluation).toBeUndefined();
  });

  it('lets only the people on a gezinscoach case record its evaluation, not the referrer', () => {
    const a = coachCase();
    const request: CaseRequest = { kind: 'evaluate', dueOn: a.evaluation!.dueOn, outcome: 'doorgaan', nextDueOn: '2026-12-01' };
    expect(refusalOf(act(a, request, alex))).toBe('Alleen wie de aanmelding heeft, legt de evaluatie vast.');
    expect(act(a, request, adele).ok).toBe(true);
  });
});

describe('the goal of a trajectory', () => {
  it('is recorded by whoever has the case, with a history line that does not hold the goal itself', () => {
    const a = after(coachCase(), { kind: 'goal', text: 'Ouders houden zelf een vast slaapritueel vol.' }, adele);
    expect(a.goal).toMatchObject({ text: 'Ouders houden zelf een vast slaapritueel vol.', by: { name: 'Adele Vance' } });
    expect(a.history.at(-1)).toMatchObject({ action: 'doel', detail: 'doel vastgelegd door Adele Vance' });
    expect(JSON.stringify(a.history)).not.toContain('slaapritueel');
  });

  it('is refused to another professional and before anyone has the case', () => {
    expect(refusalOf(act(coachCase(), { kind: 'goal', text: 'Iets anders' }, isaiah))).toMatch(/^Alleen de coördinator of wie de aanmelding heeft/);
    expect(refusalOf(act(aanmelding(), { kind: 'goal', text: 'Iets anders' }, megan))).toMatch(/zodra iemand de aanmelding heeft/);
  });
});

describe('afschalen changes what the family gets', () => {
  it('lowers a gezinsverzorger\'s hours, in the history and in the caseload', () => {
    const a = gvCase();
    const next = after(a, { kind: 'evaluate', dueOn: a.evaluation!.dueOn, outcome: 'afschalen', hoursPerWeek: 2.5 }, lynne);
    expect(hoursOf(next)).toBe(2.5);
    expect(next.history.at(-1)?.detail).toContain('afgeschaald van 4,5 naar 2,5 uur per week');
    expect(assignmentsOf([next])[0]?.hoursPerWeek).toBe(2.5);
  });

  it('refuses a gezinsverzorger afschalen without fewer hours', () => {
    const a = gvCase();
    expect(refusalOf(act(a, { kind: 'evaluate', dueOn: a.evaluation!.dueOn, outcome: 'afschalen', hoursPerWeek: 6 }, lynne))).toMatch(/minder uur dan nu \(4,5/);
  });

  it('takes a gezinscoach case to waakvlam, waiting for the gedragswetenschapper', () => {
    const a = coachCase();
    const next = after(a, { kind: 'evaluate', dueOn: a.evaluation!.dueOn, outcome: 'afschalen' }, adele);
    expect(intensityOf(next)).toBe('waakvlam');
    expect(awaitsAgreement(next)).toBe(true);
    expect(next.history.slice(-2).map((e) => e.action)).toEqual(['evaluatie', 'intensiteit']);
    expect(next.evaluation?.dueOn).toBe('2026-09-03');
  });

  it('names the praktijkbegeleider and the gedragswetenschapper who took part', () => {
    const a = gvCase();
    const next = after(a, { kind: 'evaluate', dueOn: a.evaluation!.dueOn, outcome: 'doorgaan', nextDueOn: '2026-08-01', participants: { praktijkbegeleider: 'Petra Smit', gedragswetenschapper: 'Megan Bowen' } }, lynne);
    expect(next.history.at(-1)?.detail).toContain('Lynne Robbins, met praktijkbegeleider Petra Smit en gedragswetenschapper Megan Bowen');
  });
});

describe('closure as the seeds count it', () => {
  it('keeps the receiving organisation and the family\'s mark when the family is referred on', () => {
    const closed = after(coachCase(), { kind: 'close', reason: 'doorverwezen-voorliggend-veld', referredTo: 'Schuldhulpverlening', satisfaction: 8 }, adele);
    expect(closed.closure).toEqual({ reason: 'doorverwezen-voorliggend-veld', at: AT.toISOString(), referredTo: 'Schuldhulpverlening', satisfaction: 8 });
    expect(closed.history.at(-1)?.detail).toBe('afgesloten door Adele Vance; verwezen naar Schuldhulpverlening');
    expect(closed.evaluation).toBeUndefined();
  });

  it('drops an organisation with a reason that refers nobody on', () => {
    expect(after(coachCase(), { kind: 'close', reason: 'verhuisd', referredTo: 'Wijkteam' }, adele).closure).toEqual({ reason: 'verhuisd', at: AT.toISOString() });
  });

  it('refuses an organisation outside the list and a mark outside 1 to 10', () => {
    expect(refusalOf(act(coachCase(), { kind: 'close', reason: 'doorverwezen-wijkteam', referredTo: 'Ergens' }, adele))).toBe('Kies de organisatie uit de lijst.');
    expect(refusalOf(act(coachCase(), { kind: 'close', reason: 'doelen-behaald', satisfaction: 11 }, adele))).toMatch(/1 tot en met 10/);
  });

  it('closes from an evaluation with the organisation too', () => {
    const a = coachCase();
    const closed = after(a, { kind: 'evaluate', dueOn: a.evaluation!.dueOn, outcome: 'afsluiten', reason: 'doorverwezen-specialistisch', referredTo: 'Jeugd-GGZ', satisfaction: 7 }, adele);
    expect(closed.closure).toMatchObject({ reason: 'doorverwezen-specialistisch', referredTo: 'Jeugd-GGZ', satisfaction: 7 });
  });
});

describe('maatwerk beside the gezinscoach', () => {
  it('is a dated fact on a running case: both keep running', () => {
    const a = after(keukentafel(), { kind: 'maatwerk', since: '2026-03-01' }, patti);
    expect(a.status).toBe('toegewezen');
    expect(a.maatwerk).toMatchObject({ since: '2026-03-01', by: { name: 'Patti Fernandez' } });
    expect(a.history.at(-1)?.detail).toBe('maatwerk ingezet sinds 1 maart 2026, naast de gezinscoach (Patti Fernandez)');
  });

  it('refuses a start date after today', () => {
    expect(refusalOf(act(coachCase(), { kind: 'maatwerk', since: '2026-04-01' }, adele))).toMatch(/vandaag of eerder/);
  });
});
