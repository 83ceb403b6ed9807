import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { Child, Consent, ContactDetails, GvCause } from '../../data/aanmelding.schema.js';
import { gezinsverzorgerMachine } from '../../machines/gezinsverzorger.machine.js';
import { intakeMachine, progressOf, type EditableStep, type IntakeContext, type IntakeEvent } from '../../machines/intake.machine.js';
import { answersOf, triageInputOf } from '../../machines/intake.record.js';
import { routeFor } from '../../machines/triage.js';
import { config } from '../fixtures/referral.js';

const AT = '2026-03-02T09:30:00.000Z';

// ---------------------------------------------------------------------------------------------------------
// Fixtures: one factory per answer, and a casemanager who answers every question of the request in order.

const childrenOf = (...ages: (number | 'expected')[]): Child[] => ages.map((age) => (age === 'expected' ? { expected: true } : { age }));
const contactOf = (overrides: Partial<ContactDetails> = {}): ContactDetails => ({ name: 'A. de Vries', phone: '06 12345678', ...overrides });

const answer = {
  role: (role: 'huisarts' | 'casemanager' | 'poh' = 'huisarts'): IntakeEvent => ({ type: 'answer.role', role }),
  service: (service: 'gezinscoach' | 'gezinsverzorger'): IntakeEvent => ({ type: 'answer.service', service }),
  safety: (concern = false): IntakeEvent => ({ type: 'answer.safety', concern }),
  safetyAction: (): IntakeEvent => ({ type: 'answer.safetyAction', action: 'veilig-thuis-gemeld' }),
  children: (...ages: (number | 'expected')[]): IntakeEvent => ({ type: 'answer.children', children: childrenOf(...ages) }),
  consent: (consent: Consent = 'ja'): IntakeEvent => ({ type: 'answer.consent', consent, at: AT }),
  consentFeedback: (allowed = true): IntakeEvent => ({ type: 'answer.consentFeedback', allowed }),
  anonymous: (): IntakeEvent => ({ type: 'consent.anonymous', at: AT }),
  household: (): IntakeEvent => ({ type: 'answer.household', household: 'alleenstaande-moeder' }),
  wijk: (wijk = 'Wanssum'): IntakeEvent => ({ type: 'answer.wijk', wijk }),
  hoofdvraag: (): IntakeEvent => ({ type: 'answer.hoofdvraag', hoofdvraag: ['praktisch'] }),
  goal: (goal = 'Moeder houdt over drie maanden zelf de dagstructuur vol.'): IntakeEvent => ({ type: 'answer.goal', goal }),
  tasks: (): IntakeEvent => ({ type: 'answer.tasks', tasks: ['huishoudelijk', 'verzorgend'] }),
  supportForm: (): IntakeEvent => ({ type: 'answer.supportForm', form: 'gedeeltelijk-compenserend' }),
  hours: (hours = 4.5): IntakeEvent => ({ type: 'answer.hours', hours }),
  duration: (months = 6): IntakeEvent => ({ type: 'answer.duration', months }),
  cause: (cause: GvCause = 'geboorte'): IntakeEvent => ({ type: 'answer.cause', cause }),
  criteria: (...criteria: string[]): IntakeEvent => ({ type: 'answer.criteria', criteria }),
  specialist: (needed = false): IntakeEvent => ({ type: 'answer.specialist', needed }),
  explanation: (explanation: string | null = null): IntakeEvent => ({ type: 'answer.explanation', explanation }),
  contact: (): IntakeEvent => ({ type: 'answer.contact', contact: contactOf() }),
};

interface Family {
  consent?: Consent;
  safetyConcern?: boolean;
  ages?: (number | 'expected')[];
  cause?: GvCause;
}

/** The answers both flows share, from safety to hoofdvraag. */
function familyAnswers({ consent = 'ja', safetyConcern = false, ages = [0, 3] }: Family): IntakeEvent[] {
  const refused = consent === 'nee' && !safetyConcern;
  return [
    answer.safety(safetyConcern),
    // The gezinscoach intake offers the short acute form here; the gezinsverzorger request ignores this.
    ...(safetyConcern ? [answer.safetyAction(), { type: 'spoed.full' } as IntakeEvent] : []),
    answer.children(...ages),
    answer.consent(consent),
    ...(consent === 'ja' ? [answer.consentFeedback()] : []),
    ...(refused ? [answer.anonymous()] : []),
    answer.household(),
    answer.wijk(),
    answer.hoofdvraag(),
  ];
}

/** A casemanager who answers every question of the request once, in order. */
function requestAnswers(family: Family = {}): IntakeEvent[] {
  const { consent = 'ja', cause = 'geboorte' } = family;
  return [
    ...familyAnswers(family),
    answer.goal(),
    answer.tasks(),
    answer.supportForm(),
    answer.hours(),
    answer.duration(),
    answer.cause(cause),
    answer.criteria(),
    answer.explanation(),
    ...(consent === 'ja' ? [answer.contact()] : []),
  ];
}

/** A referrer of the gezinscoach intake, after the role: the same family questions, then criteria and specialist care. */
function intakeAnswersAfterRole(family: Family = {}): IntakeEvent[] {
  const { consent = 'ja' } = family;
  return [...familyAnswers(family), answer.criteria(), answer.specialist(), answer.explanation(), ...(consent === 'ja' ? [answer.contact()] : [])];
}

type Actor = ReturnType<typeof startRequest>;

function startRequest() {
  return createActor(gezinsverzorgerMachine, { input: { intakeId: 'test' } }).start();
}

function startIntake() {
  return createActor(intakeMachine, { input: { intakeId: 'test' } }).start() as unknown as Actor;
}

const stateOf = (actor: Actor) => String(actor.getSnapshot().value);
const contextOf = (actor: Actor): IntakeContext => actor.getSnapshot().context;

/** Sends the events one by one and returns the state after each. */
function drive(actor: Actor, events: IntakeEvent[]): string[] {
  return events.map((event) => {
    actor.send(event);
    return stateOf(actor);
  });
}

/** Sends answers in order until the flow stands at `state`. */
function until(actor: Actor, events: IntakeEvent[], state: string): Actor {
  for (const event of events) {
    if (stateOf(actor) === state) break;
    actor.send(event);
  }
  expect(stateOf(actor)).toBe(state);
  return actor;
}

const requestAt = (state: string, family: Family = {}) => until(startRequest(), requestAnswers(family), state);

/** The two machines, each at its first shared step (safety), with the answers that take it to its summary. */
const FLOWS = [
  {
    flow: 'the gezinscoach intake (after the role)',
    start: () => {
      const actor = startIntake();
      actor.send(answer.role('huisarts'));
      return actor;
    },
    answers: intakeAnswersAfterRole,
    spoedForm: true,
  },
  { flow: 'the gezinsverzorger request', start: startRequest, answers: requestAnswers, spoedForm: false },
];

// ---------------------------------------------------------------------------------------------------------

describe('a casemanager requests a gezinsverzorger from start to end', () => {
  it('starts at the safety question, as a casemanager', () => {
    const actor = startRequest();
    expect(stateOf(actor)).toBe('safety');
    expect(contextOf(actor)).toMatchObject({ service: 'gezinsverzorger', role: 'casemanager', editing: false });
  });

  it('asks every step in order with consent ja, including the huisarts question and contact details, and ends submitted', () => {
    const actor = startRequest();
    const visited = drive(actor, [...requestAnswers({ consent: 'ja' }), { type: 'summary.submit' }]);
    expect(visited).toEqual([
      'children',
      'consent',
      'consentFeedback',
      'household',
      'wijk',
      'hoofdvraag',
      'goal',
      'tasks',
      'supportForm',
      'hours',
      'duration',
      'cause',
      'criteria',
      'explanation',
      'contact',
      'summary',
      'submitted',
    ]);
    expect(actor.getSnapshot().status).toBe('done');
    expect(contextOf(actor)).toMatchObject({ hoursPerWeek: 4.5, durationMonths: 6, cause: 'geboorte', contact: contactOf() });
  });

  it('asks neither the huisarts question nor contact details in an anonymous consultation', () => {
    const actor = startRequest();
    const visited = drive(actor, [...requestAnswers({ consent: 'anoniem' }), { type: 'summary.submit' }]);
    expect(visited).not.toContain('consentFeedback');
    expect(visited).not.toContain('contact');
    expect(visited.slice(-3)).toEqual(['explanation', 'summary', 'submitted']);
    expect(contextOf(actor).contact).toBeUndefined();
  });

  it('never asks about specialist care: rule 3 decides before rule 5 would', () => {
    const visited = drive(startRequest(), requestAnswers());
    expect(visited).not.toContain('specialist');
  });
});

describe('"terug" in the steps of the request', () => {
  it('ends the request at its first question in backToIntake, so the casemanager can choose again', () => {
    const actor = startRequest();
    expect(stateOf(actor as unknown as Actor)).toBe('safety');
    actor.send({ type: 'nav.back' });
    expect(actor.getSnapshot().status).toBe('done');
    expect(String(actor.getSnapshot().value)).toBe('backToIntake');
  });

  it.each([
    ['goal', 'hoofdvraag'],
    ['tasks', 'goal'],
    ['supportForm', 'tasks'],
    ['hours', 'supportForm'],
    ['duration', 'hours'],
    ['cause', 'duration'],
    ['criteria', 'cause'],
  ])('goes from %s back to %s', (from, to) => {
    const actor = requestAt(from);
    actor.send({ type: 'nav.back' });
    expect(stateOf(actor)).toBe(to);
  });

  it('keeps the answer given, so that going forward again shows it', () => {
    const actor = requestAt('duration');
    actor.send({ type: 'nav.back' });
    expect(contextOf(actor).hoursPerWeek).toBe(4.5);
  });

  it('goes from the summary back to the contact details with consent ja, and to the explanation without', () => {
    const withConsent = requestAt('summary', { consent: 'ja' });
    withConsent.send({ type: 'nav.back' });
    expect(stateOf(withConsent)).toBe('contact');

    const anonymous = requestAt('summary', { consent: 'anoniem' });
    anonymous.send({ type: 'nav.back' });
    expect(stateOf(anonymous)).toBe('explanation');
  });

  it('offers a way back from the first question (safety): to the choice in the intake, not a dead end', () => {
    const actor = startRequest();
    expect(actor.getSnapshot().can({ type: 'nav.back' })).toBe(true);
  });
});

describe('stopping the request', () => {
  it.each(['safety', 'goal', 'hours', 'cause', 'summary'])('ends cancelled from %s', (state) => {
    const actor = requestAt(state);
    actor.send({ type: 'nav.cancel' });
    // A finished request is one click from lost: the summary asks once.
    if (state === 'summary') {
      expect(stateOf(actor)).toBe('confirmCancel');
      actor.send({ type: 'nav.cancel' });
    }
    expect(stateOf(actor)).toBe('cancelled');
    expect(actor.getSnapshot().status).toBe('done');
  });
});

describe('changing an answer of the request from the summary', () => {
  function editing(step: EditableStep, family: Family = {}) {
    const actor = requestAt('summary', family);
    drive(actor, [{ type: 'summary.edit' }, { type: 'edit.step', step }]);
    expect(stateOf(actor)).toBe(step);
    return actor;
  }

  it('returns to the summary after a new number of hours, with the new number', () => {
    const actor = editing('hours');
    actor.send(answer.hours(8));
    expect(stateOf(actor)).toBe('summary');
    expect(contextOf(actor)).toMatchObject({ hoursPerWeek: 8, editing: false });
  });

  it.each([
    ['goal', answer.goal('Vader kan de kinderen zelf naar school brengen.'), { goal: 'Vader kan de kinderen zelf naar school brengen.' }],
    ['duration', answer.duration(12), { durationMonths: 12 }],
    ['cause', answer.cause('lvb'), { cause: 'lvb' }],
  ] as const)('returns to the summary after changing %s', (step, event, expected) => {
    const actor = editing(step);
    actor.send(event);
    expect(stateOf(actor)).toBe('summary');
    expect(contextOf(actor)).toMatchObject(expected);
  });

  it('returns to the summary with "terug" while changing, without changing the answer', () => {
    const actor = editing('tasks');
    actor.send({ type: 'nav.back' });
    expect(stateOf(actor)).toBe('summary');
    expect(contextOf(actor).tasks).toEqual(['huishoudelijk', 'verzorgend']);
  });

  it('offers only the steps of the request in the edit menu: no role, no specialist care', () => {
    const actor = requestAt('summary');
    actor.send({ type: 'summary.edit' });
    expect(actor.getSnapshot().can({ type: 'edit.step', step: 'hours' })).toBe(true);
    expect(actor.getSnapshot().can({ type: 'edit.step', step: 'role' })).toBe(false);
    expect(actor.getSnapshot().can({ type: 'edit.step', step: 'specialist' })).toBe(false);
  });
});

describe.each(FLOWS)('the shared steps behave the same in $flow', ({ start, answers, spoedForm }) => {
  const at = (state: string, family: Family = {}) => until(start(), answers(family), state);

  it('shows the safety advice on an acute concern, then goes on with the children (the intake after its short acute form is declined)', () => {
    const actor = start();
    expect(drive(actor, [answer.safety(true), answer.safetyAction()])).toEqual(['safetyAdvice', spoedForm ? 'spoedForm' : 'children']);
    if (spoedForm) expect(drive(actor, [{ type: 'spoed.full' }])).toEqual(['children']);
    expect(contextOf(actor).safety).toEqual({ concern: true, action: 'veilig-thuis-gemeld' });
  });

  it('goes to the children straight away without a concern', () => {
    expect(drive(start(), [answer.safety(false)])).toEqual(['children']);
  });

  it('stops at consentRefused on consent nee without a safety concern, and offers the anonymous consultation', () => {
    const actor = at('consent');
    expect(drive(actor, [answer.consent('nee'), answer.anonymous()])).toEqual(['consentRefused', 'household']);
    expect(contextOf(actor).consent?.referral).toBe('anoniem');
  });

  it('goes on without identifying data on consent nee when there is a safety concern', () => {
    const actor = at('consent', { safetyConcern: true });
    expect(drive(actor, [answer.consent('nee')])).toEqual(['household']);
  });

  it('asks the huisarts question after consent ja', () => {
    expect(drive(at('consent'), [answer.consent('ja')])).toEqual(['consentFeedback']);
  });

  it('asks consent again when a change of the children changes who consents (parents → the young person of 16)', () => {
    const actor = at('summary', { ages: [5] });
    const visited = drive(actor, [{ type: 'summary.edit' }, { type: 'edit.step', step: 'children' }, answer.children(16)]);
    expect(visited.at(-1)).toBe('consent');
    expect(contextOf(actor).consent).toBeUndefined();
    expect(drive(actor, [answer.consent('ja'), answer.consentFeedback()])).toEqual(['consentFeedback', 'summary']);
  });

  it('does not ask consent again when the same people consent', () => {
    const actor = at('summary', { ages: [5] });
    const visited = drive(actor, [{ type: 'summary.edit' }, { type: 'edit.step', step: 'children' }, answer.children(3, 7)]);
    expect(visited.at(-1)).toBe('summary');
    expect(contextOf(actor).consent?.referral).toBe('ja');
  });

  it('forgets the contact details when consent ja becomes anoniem', () => {
    const actor = at('summary', { consent: 'ja' });
    expect(contextOf(actor).contact).toBeDefined();
    drive(actor, [{ type: 'summary.edit' }, { type: 'edit.step', step: 'consent' }, answer.consent('anoniem')]);
    expect(stateOf(actor)).toBe('summary');
    expect(contextOf(actor).contact).toBeUndefined();
  });
});

describe('the intake asks a casemanager what they request', () => {
  /** A casemanager the team knows, in a gemeente that lets casemanagers request a gezinsverzorger. */
  const startIntake = () =>
    createActor(intakeMachine, { input: { intakeId: 'test', referrer: { gezinsverzorgerRole: 'casemanager' } } }).start() as unknown as Actor;

  it('asks a casemanager to choose between a gezinscoach and a gezinsverzorger', () => {
    expect(drive(startIntake(), [answer.role('casemanager')])).toEqual(['service']);
  });

  it('does not offer the request to someone who only says to be a casemanager: the team must know them so', () => {
    const unknown = createActor(intakeMachine, { input: { intakeId: 'test' } }).start() as unknown as Actor;
    expect(drive(unknown, [answer.role('casemanager')])).toEqual(['safety']);
  });

  it('goes on with the safety question of the intake when the casemanager chooses a gezinscoach', () => {
    const actor = startIntake();
    expect(drive(actor, [answer.role('casemanager'), answer.service('gezinscoach')])).toEqual(['service', 'safety']);
    expect(contextOf(actor)).toMatchObject({ role: 'casemanager', service: 'gezinscoach' });
  });

  it('ends in toGezinsverzorger when the casemanager chooses a gezinsverzorger: the request is its own flow', () => {
    const actor = startIntake();
    drive(actor, [answer.role('casemanager'), answer.service('gezinsverzorger')]);
    expect(stateOf(actor)).toBe('toGezinsverzorger');
    expect(actor.getSnapshot().status).toBe('done');
  });

  it('goes back from the service choice to the role', () => {
    expect(drive(startIntake(), [answer.role('casemanager'), { type: 'nav.back' }])).toEqual(['service', 'role']);
  });

  it.each(['huisarts', 'poh'] as const)('never shows the service choice to a %s', (role) => {
    const visited = drive(startIntake(), [answer.role(role), ...intakeAnswersAfterRole()]);
    expect(visited[0]).toBe('safety');
    expect(visited).not.toContain('service');
    expect(visited).not.toContain('toGezinsverzorger');
  });
});

describe('the progress line of the request', () => {
  /** The step numbers shown along the way (sub-states such as consentFeedback share their step's number). */
  function progressAlong(family: Family) {
    const actor = startRequest();
    const seen = [progressOf(stateOf(actor), contextOf(actor))];
    for (const event of requestAnswers(family)) {
      actor.send(event);
      seen.push(progressOf(stateOf(actor), contextOf(actor)));
    }
    return seen;
  }

  it('counts 16 steps with consent ja, from 1 at safety to 16 at the summary', () => {
    const seen = progressAlong({ consent: 'ja' });
    expect(seen.every((p) => p?.total === 16)).toBe(true);
    expect([...new Set(seen.map((p) => p?.step))]).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
  });

  it('counts 15 steps without consent ja: no contact details', () => {
    const seen = progressAlong({ consent: 'anoniem' });
    expect(seen.at(-1)).toEqual({ step: 15, total: 15 });
    expect([...new Set(seen.map((p) => p?.step))]).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });

  it('puts the hours at step 10 of 16', () => {
    const actor = requestAt('hours');
    expect(progressOf('hours', contextOf(actor))).toEqual({ step: 10, total: 16 });
  });
});

describe('the stored answers of a request (answersOf) and its route', () => {
  const submittedRequest = (family: Family = {}) => {
    const actor = startRequest();
    drive(actor, [...requestAnswers(family), { type: 'summary.submit' }]);
    expect(stateOf(actor)).toBe('submitted');
    return contextOf(actor);
  };

  it('holds what the casemanager asked, with the target group derived from the cause: a birth is temporary', () => {
    const answers = answersOf(submittedRequest({ cause: 'geboorte' }));
    expect(answers.service).toBe('gezinsverzorger');
    expect(answers.gezinsverzorger).toEqual({
      goal: 'Moeder houdt over drie maanden zelf de dagstructuur vol.',
      tasks: ['huishoudelijk', 'verzorgend'],
      supportForm: 'gedeeltelijk-compenserend',
      hoursPerWeek: 4.5,
      durationMonths: 6,
      cause: 'geboorte',
      targetGroup: 'tijdelijk',
    });
  });

  it('makes an LVB of a parent a long-term target group', () => {
    expect(answersOf(submittedRequest({ cause: 'lvb' })).gezinsverzorger?.targetGroup).toBe('langdurig');
  });

  it('stores specialist care as not needed, as the request does not ask it', () => {
    const context = submittedRequest();
    expect(context.specialistCareNeeded).toBeUndefined();
    expect(answersOf(context).specialistCareNeeded).toBe(false);
  });

  it('stores no gezinsverzorger answers for a gezinscoach intake', () => {
    const actor = startIntake();
    drive(actor, [answer.role('huisarts'), ...intakeAnswersAfterRole(), { type: 'summary.submit' }]);
    expect(answersOf(contextOf(actor)).gezinsverzorger).toBeUndefined();
  });

  it('routes the request to the gezinsverzorger by rule 3', () => {
    const triage = routeFor(triageInputOf(submittedRequest()), config);
    expect(triage.route).toBe('gezinsverzorger');
    expect(triage.urgent).toBe(false);
    expect(triage.reasons[0]).toMatch(/^Aanvraag gezinsverzorger: /);
  });

  it('routes the request to the jeugdconsulent, urgently, when there is a safety concern (rule 1)', () => {
    const triage = routeFor(triageInputOf(submittedRequest({ safetyConcern: true })), config);
    expect(triage).toMatchObject({ route: 'jeugdconsulent', urgent: true });
  });

  it('routes a request without consent (and without safety concern) to toestemming-nodig (rule 2)', () => {
    const context: IntakeContext = { ...submittedRequest({ consent: 'anoniem' }), consent: { referral: 'nee', recordedAt: AT } };
    expect(routeFor(triageInputOf(context), config).route).toBe('toestemming-nodig');
  });

  it('routes an anonymous request to the gezinsverzorger too, without contact details', () => {
    const context = submittedRequest({ consent: 'anoniem' });
    expect(routeFor(triageInputOf(context), config).route).toBe('gezinsverzorger');
    expect(answersOf(context).contact).toBeUndefined();
  });
});
