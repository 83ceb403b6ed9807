import { describe, expect, it } from 'vitest';
import { createActor, type Snapshot } from 'xstate';
import type { Child, ContactDetails, Consent } from '../../data/aanmelding.schema.js';
import { consentGiverFor, consentGivers, consentGroups } from '../../machines/consent.js';
import {
  EDITABLE_STEPS,
  intakeMachine,
  progressOf,
  type EditableStep,
  type IntakeContext,
  type IntakeEvent,
  type IntakeInput,
} from '../../machines/intake.machine.js';
import { answersOf } from '../../machines/intake.record.js';

const AT = '2026-03-02T09:30:00.000Z';

// ---------------------------------------------------------------------------------------------------------
// Fixtures: one factory per answer, and a referrer who answers every question in order.

const contactOf = (overrides: Partial<ContactDetails> = {}): ContactDetails => ({ name: 'A. de Vries', phone: '06 12345678', ...overrides });

const answer = {
  role: (role: 'huisarts' | 'poh' | 'casemanager' = 'huisarts'): IntakeEvent => ({ type: 'answer.role', role }),
  safety: (concern = false): IntakeEvent => ({ type: 'answer.safety', concern }),
  safetyAction: (): IntakeEvent => ({ type: 'answer.safetyAction', action: 'veilig-thuis-gemeld' }),
  children: (...ages: (number | 'expected')[]): IntakeEvent => ({ type: 'answer.children', children: childrenOf(...ages) }),
  consent: (consent: Consent = 'ja'): IntakeEvent => ({ type: 'answer.consent', consent, at: AT }),
  consentFeedback: (allowed = true): IntakeEvent => ({ type: 'answer.consentFeedback', allowed }),
  anonymous: (): IntakeEvent => ({ type: 'consent.anonymous', at: AT }),
  household: (household: 'ouders-met-kinderen' | 'gescheiden-ouders' = 'ouders-met-kinderen'): IntakeEvent => ({ type: 'answer.household', household }),
  wijk: (wijk = 'Oostrum'): IntakeEvent => ({ type: 'answer.wijk', wijk }),
  hoofdvraag: (): IntakeEvent => ({ type: 'answer.hoofdvraag', hoofdvraag: ['pedagogisch'] }),
  criteria: (...criteria: string[]): IntakeEvent => ({ type: 'answer.criteria', criteria }),
  specialist: (needed = false): IntakeEvent => ({ type: 'answer.specialist', needed }),
  explanation: (explanation: string | null = null): IntakeEvent => ({ type: 'answer.explanation', explanation }),
  contact: (contact: ContactDetails = contactOf()): IntakeEvent => ({ type: 'answer.contact', contact }),
};

function childrenOf(...ages: (number | 'expected')[]): Child[] {
  return ages.map((age) => (age === 'expected' ? { expected: true } : { age }));
}

interface Family {
  consent?: Consent;
  safetyConcern?: boolean;
  ages?: (number | 'expected')[];
}

/** The events of a referrer who answers every question once, in order, for the given family. */
function answersFor({ consent = 'ja', safetyConcern = false, ages = [5] }: Family = {}): IntakeEvent[] {
  const refused = consent === 'nee' && !safetyConcern;
  return [
    answer.role(),
    answer.safety(safetyConcern),
    ...(safetyConcern ? [answer.safetyAction(), { type: 'spoed.full' } as IntakeEvent] : []),
    answer.children(...ages),
    answer.consent(consent),
    ...(consent === 'ja' ? [answer.consentFeedback()] : []),
    ...(refused ? [answer.anonymous()] : []),
    answer.household(),
    answer.wijk(),
    answer.hoofdvraag(),
    answer.criteria(),
    answer.specialist(),
    answer.explanation(),
    ...(consent === 'ja' ? [answer.contact()] : []),
  ];
}

function startIntake() {
  return createActor(intakeMachine, { input: { intakeId: 'test' } }).start();
}

/** Sends the events one by one and returns the state after each. */
function drive(actor: ReturnType<typeof startIntake>, events: IntakeEvent[]): string[] {
  return events.map((event) => {
    actor.send(event);
    return String(actor.getSnapshot().value);
  });
}

/** An intake answered in order until it reaches `state`. */
function intakeAt(state: string, family: Family = {}) {
  const actor = startIntake();
  for (const event of answersFor(family)) {
    if (actor.getSnapshot().value === state) break;
    actor.send(event);
  }
  expect(actor.getSnapshot().value).toBe(state);
  return actor;
}

const intakeAtSummary = (family: Family = {}) => intakeAt('summary', family);

/** From the summary: Wijzigen, then the step to change. */
function editing(step: EditableStep, family: Family = {}) {
  const actor = intakeAtSummary(family);
  drive(actor, [{ type: 'summary.edit' }, { type: 'edit.step', step }]);
  expect(actor.getSnapshot().value).toBe(step);
  return actor;
}

const stateOf = (actor: ReturnType<typeof startIntake>) => String(actor.getSnapshot().value);
const contextOf = (actor: ReturnType<typeof startIntake>) => actor.getSnapshot().context;

// ---------------------------------------------------------------------------------------------------------

describe('an aanmelding answered from start to end', () => {
  it('asks every step in order and ends submitted when the family consents', () => {
    const actor = startIntake();
    expect(stateOf(actor)).toBe('role');
    const visited = drive(actor, [...answersFor({ consent: 'ja' }), { type: 'summary.submit' }]);
    expect(visited).toEqual([
      'safety',
      'children',
      'consent',
      'consentFeedback',
      'household',
      'wijk',
      'hoofdvraag',
      'criteria',
      'specialist',
      'explanation',
      'contact',
      'summary',
      'submitted',
    ]);
    expect(actor.getSnapshot().status).toBe('done');
  });

  it('keeps every answer that was given', () => {
    const actor = intakeAtSummary({ ages: [3, 'expected'] });
    expect(contextOf(actor)).toMatchObject({
      intakeId: 'test',
      service: 'gezinscoach',
      editing: false,
      role: 'huisarts',
      safety: { concern: false },
      children: [{ age: 3 }, { expected: true }],
      consent: { referral: 'ja', recordedAt: AT, feedbackToHuisarts: true },
      household: 'ouders-met-kinderen',
      wijk: 'Oostrum',
      hoofdvraag: ['pedagogisch'],
      criteria: [],
      specialistCareNeeded: false,
      explanation: null,
      contact: contactOf(),
    });
  });

  it('asks neither huisarts feedback nor contact details for an anoniem overleg', () => {
    const actor = startIntake();
    const visited = drive(actor, answersFor({ consent: 'anoniem' }));
    expect(visited).not.toContain('consentFeedback');
    expect(visited).not.toContain('contact');
    expect(visited.slice(-2)).toEqual(['explanation', 'summary']);
    expect(contextOf(actor).consent?.referral).toBe('anoniem');
  });
});

describe('an acute safety concern', () => {
  it('shows the safety advice first, then offers the short acute form, or the whole intake from the children on', () => {
    const actor = startIntake();
    expect(drive(actor, [answer.role(), answer.safety(true)])).toEqual(['safety', 'safetyAdvice']);
    expect(drive(actor, [answer.safetyAction()])).toEqual(['spoedForm']);
    expect(drive(actor, [{ type: 'spoed.full' }])).toEqual(['children']);
    expect(contextOf(actor).safety).toEqual({ concern: true, action: 'veilig-thuis-gemeld' });
  });

  it('goes on without consent, never asking contact details, when the family refuses', () => {
    const actor = startIntake();
    const visited = drive(actor, answersFor({ consent: 'nee', safetyConcern: true }));
    expect(visited).not.toContain('consentRefused');
    expect(visited).not.toContain('contact');
    expect(visited.at(-1)).toBe('summary');
    expect(contextOf(actor).consent?.referral).toBe('nee');
    expect(contextOf(actor).contact).toBeUndefined();
  });

  it('records a worry that is not acute as a zorgsignaal with the meldcode step, and goes on as an ordinary aanmelding', () => {
    const actor = startIntake();
    expect(drive(actor, [answer.role(), { type: 'answer.safety', concern: false, worry: true }])).toEqual(['safety', 'safetySignal']);
    expect(drive(actor, [{ type: 'answer.safetySignal', meldcode: 'stap-2' }])).toEqual(['children']);
    expect(contextOf(actor).safety).toEqual({ concern: false, signal: { meldcode: 'stap-2' } });
  });

  it('forgets the zorgsignaal when the answer is changed to no concern', () => {
    const actor = startIntake();
    drive(actor, [answer.role(), { type: 'answer.safety', concern: false, worry: true }, { type: 'answer.safetySignal', meldcode: 'stap-1' }, { type: 'nav.back' }]);
    expect(drive(actor, [answer.safety(false)])).toEqual(['children']);
    expect(contextOf(actor).safety?.signal).toBeUndefined();
  });

  it('goes straight to the children without a concern', () => {
    const actor = startIntake();
    expect(drive(actor, [answer.role(), answer.safety(false)])).toEqual(['safety', 'children']);
  });
});

describe('consent refused without a safety concern', () => {
  it('explains how to ask consent instead of going on', () => {
    const actor = intakeAt('consent');
    expect(drive(actor, [answer.consent('nee')])).toEqual(['consentRefused']);
    expect(contextOf(actor).consent?.referral).toBe('nee');
  });

  it('goes on as an anoniem overleg when the referrer chooses it, skipping contact details', () => {
    const actor = intakeAt('consent');
    const visited = drive(actor, [
      answer.consent('nee'),
      answer.anonymous(),
      answer.household(),
      answer.wijk(),
      answer.hoofdvraag(),
      answer.criteria(),
      answer.specialist(),
      answer.explanation(),
    ]);
    expect(visited).toEqual(['consentRefused', 'household', 'wijk', 'hoofdvraag', 'criteria', 'specialist', 'explanation', 'summary']);
    expect(contextOf(actor).consent).toMatchObject({ referral: 'anoniem', recordedAt: AT });
  });

  it('goes back to the consent question with Terug', () => {
    const actor = intakeAt('consentRefused', { consent: 'nee' });
    actor.send({ type: 'nav.back' });
    expect(stateOf(actor)).toBe('consent');
  });
});

describe('Terug', () => {
  it.each<[from: string, to: string, Family]>([
    ['safety', 'role', {}],
    ['safetyAdvice', 'safety', { safetyConcern: true }],
    ['children', 'safety', {}],
    ['consent', 'children', {}],
    ['consentFeedback', 'consent', {}],
    ['household', 'consent', {}],
    ['wijk', 'household', {}],
    ['hoofdvraag', 'wijk', {}],
    ['criteria', 'hoofdvraag', {}],
    ['specialist', 'criteria', {}],
    ['explanation', 'specialist', {}],
    ['contact', 'explanation', {}],
    ['summary', 'contact', { consent: 'ja' }],
    ['summary', 'explanation', { consent: 'anoniem' }],
  ])('goes from %s back to %s', (from, to, family) => {
    const actor = intakeAt(from, family);
    actor.send({ type: 'nav.back' });
    expect(stateOf(actor)).toBe(to);
  });

  it('keeps the answers given so far', () => {
    const actor = intakeAt('hoofdvraag');
    const before = contextOf(actor);
    actor.send({ type: 'nav.back' });
    expect(stateOf(actor)).toBe('wijk');
    expect(contextOf(actor)).toEqual(before);
  });

  it('does nothing at the first question', () => {
    const actor = startIntake();
    const before = actor.getSnapshot();
    expect(before.can({ type: 'nav.back' })).toBe(false);
    actor.send({ type: 'nav.back' });
    expect(stateOf(actor)).toBe('role');
    expect(contextOf(actor)).toEqual(before.context);
  });
});

/** Every state a referrer can be in, with a family that reaches it. */
const ACTIVE_STATES: [string, Family][] = [
  ['role', {}],
  ['safety', {}],
  ['safetyAdvice', { safetyConcern: true }],
  ['children', {}],
  ['consent', {}],
  ['consentFeedback', {}],
  ['consentRefused', { consent: 'nee' }],
  ['household', {}],
  ['wijk', {}],
  ['hoofdvraag', {}],
  ['criteria', {}],
  ['specialist', {}],
  ['explanation', {}],
  ['contact', {}],
  ['summary', {}],
];

describe('Stoppen', () => {
  it.each([...ACTIVE_STATES, ['editMenu', {}] as [string, Family]])('ends the aanmelding from %s (at the summary after asking once)', (state, family) => {
    const actor = state === 'editMenu' ? intakeAtSummary(family) : intakeAt(state, family);
    if (state === 'editMenu') actor.send({ type: 'summary.edit' });
    expect(stateOf(actor)).toBe(state);
    actor.send({ type: 'nav.cancel' });
    if (state === 'summary' || state === 'editMenu') {
      expect(stateOf(actor)).toBe('confirmCancel');
      actor.send({ type: 'nav.cancel' });
    }
    expect(stateOf(actor)).toBe('cancelled');
    expect(actor.getSnapshot().status).toBe('done');
  });

  it('asks once before throwing away a finished aanmelding, and Nee keeps every answer', () => {
    const actor = intakeAtSummary({});
    const before = actor.getSnapshot().context;
    actor.send({ type: 'nav.cancel' });
    expect(stateOf(actor)).toBe('confirmCancel');
    actor.send({ type: 'nav.back' });
    expect(stateOf(actor)).toBe('summary');
    expect(actor.getSnapshot().context).toEqual(before);
    actor.send({ type: 'summary.submit' });
    expect(stateOf(actor)).toBe('submitted');
  });

  it('accepts nothing after stopping', () => {
    const actor = intakeAt('wijk');
    actor.send({ type: 'nav.cancel' });
    actor.send(answer.wijk());
    expect(stateOf(actor)).toBe('cancelled');
    expect(contextOf(actor).wijk).toBeUndefined();
  });
});

describe('help', () => {
  it.each(ACTIVE_STATES)('changes neither the step nor the answers at %s', (state, family) => {
    const actor = intakeAt(state, family);
    const before = actor.getSnapshot();
    actor.send({ type: 'help' });
    expect(stateOf(actor)).toBe(state);
    expect(contextOf(actor)).toEqual(before.context);
  });
});

describe('changing an answer from the summary (Wijzigen)', () => {
  it('shows the steps to change, and Terug returns to the summary', () => {
    const actor = intakeAtSummary();
    actor.send({ type: 'summary.edit' });
    expect(stateOf(actor)).toBe('editMenu');
    actor.send({ type: 'nav.back' });
    expect(stateOf(actor)).toBe('summary');
  });

  const changes: [EditableStep, IntakeEvent, Partial<IntakeContext>][] = [
    ['role', answer.role('poh'), { role: 'poh' }],
    ['safety', answer.safety(false), { safety: { concern: false } }],
    ['children', answer.children(4, 7), { children: childrenOf(4, 7) }],
    ['consent', answer.consent('anoniem'), { consent: { referral: 'anoniem', recordedAt: AT }, contact: undefined }],
    ['household', answer.household('gescheiden-ouders'), { household: 'gescheiden-ouders' }],
    ['wijk', answer.wijk('Smakt'), { wijk: 'Smakt' }],
    ['hoofdvraag', { type: 'answer.hoofdvraag', hoofdvraag: ['financien', 'school'] }, { hoofdvraag: ['financien', 'school'] }],
    ['criteria', answer.criteria('psychiatrie'), { criteria: ['psychiatrie'] }],
    ['specialist', answer.specialist(true), { specialistCareNeeded: true }],
    ['explanation', answer.explanation('Moeder wil hulp bij de opvoeding.'), { explanation: 'Moeder wil hulp bij de opvoeding.' }],
    ['contact', answer.contact(contactOf({ phone: undefined, email: 'ouder@example.nl' })), { contact: contactOf({ phone: undefined, email: 'ouder@example.nl' }) }],
  ];

  it('can change every step', () => {
    expect(changes.map(([step]) => step)).toEqual(EDITABLE_STEPS);
  });

  it.each(changes)('opens %s and returns to the summary with the new answer', (step, event, expected) => {
    const actor = editing(step);
    expect(contextOf(actor).editing).toBe(true);
    actor.send(event);
    expect(stateOf(actor)).toBe('summary');
    expect(contextOf(actor)).toMatchObject({ ...expected, editing: false });
  });

  it.each(EDITABLE_STEPS)('returns to the summary unchanged with Terug from %s', (step) => {
    const actor = intakeAtSummary();
    const before = contextOf(actor);
    drive(actor, [{ type: 'summary.edit' }, { type: 'edit.step', step }, { type: 'nav.back' }]);
    expect(stateOf(actor)).toBe('summary');
    expect(contextOf(actor)).toEqual(before);
  });

  it('asks consent again when the new ages change who must consent', () => {
    const actor = editing('children', { ages: [5] });
    actor.send(answer.children(17));
    expect(stateOf(actor)).toBe('consent');
    expect(contextOf(actor).consent).toBeUndefined();
    expect(drive(actor, [answer.consent('ja'), answer.consentFeedback(false)])).toEqual(['consentFeedback', 'summary']);
    expect(contextOf(actor)).toMatchObject({ children: childrenOf(17), consent: { referral: 'ja', feedbackToHuisarts: false }, editing: false });
  });

  it('asks consent again when a child of 12 or older joins a family of young children', () => {
    const actor = editing('children', { ages: [3] });
    actor.send(answer.children(3, 13));
    expect(stateOf(actor)).toBe('consent');
  });

  it('goes straight back to the summary when the new ages keep the same people consenting', () => {
    const actor = editing('children', { ages: [3] });
    const consent = contextOf(actor).consent;
    actor.send(answer.children(4, 7));
    expect(stateOf(actor)).toBe('summary');
    expect(contextOf(actor).consent).toEqual(consent);
  });

  it('asks consent again with Terug when the new ages made it necessary, instead of showing a summary without consent', () => {
    const actor = editing('children', { ages: [5] });
    actor.send(answer.children(17));
    actor.send({ type: 'nav.back' });
    expect(stateOf(actor)).toBe('consent');
    expect(contextOf(actor).consent).toBeUndefined();
  });

  it('drops the contact details when consent changes from ja to anoniem', () => {
    const actor = editing('consent', { consent: 'ja' });
    expect(contextOf(actor).contact).toBeDefined();
    actor.send(answer.consent('anoniem'));
    expect(stateOf(actor)).toBe('summary');
    expect(contextOf(actor).contact).toBeUndefined();
    expect(contextOf(actor).consent?.feedbackToHuisarts).toBeUndefined();
  });

  it('asks huisarts feedback and contact details when consent changes from anoniem to ja', () => {
    const actor = editing('consent', { consent: 'anoniem' });
    const visited = drive(actor, [answer.consent('ja'), answer.consentFeedback(true), answer.contact()]);
    expect(visited).toEqual(['consentFeedback', 'contact', 'summary']);
    expect(contextOf(actor)).toMatchObject({ consent: { referral: 'ja', feedbackToHuisarts: true }, contact: contactOf(), editing: false });
  });

  it('does not show the summary with consent ja but no huisarts feedback or contact details when Terug is pressed halfway', () => {
    const actor = editing('consent', { consent: 'anoniem' });
    drive(actor, [answer.consent('ja'), { type: 'nav.back' }]);
    expect(stateOf(actor)).toBe('consent');
    actor.send({ type: 'nav.back' });
    expect(stateOf(actor)).toBe('consentFeedback');
    drive(actor, [answer.consentFeedback(true)]);
    expect(stateOf(actor)).toBe('contact');
    actor.send({ type: 'nav.back' });
    expect(stateOf(actor)).toBe('contact');
  });

  it('explains how to ask consent when the safety concern is withdrawn while consent is nee', () => {
    const actor = editing('safety', { consent: 'nee', safetyConcern: true });
    actor.send(answer.safety(false));
    expect(stateOf(actor)).toBe('consentRefused');
    actor.send(answer.anonymous());
    expect(stateOf(actor)).toBe('summary');
    expect(contextOf(actor)).toMatchObject({ safety: { concern: false }, consent: { referral: 'anoniem' }, editing: false });
  });

  it('does not show the summary with a refusal of consent when Terug is pressed on the refusal', () => {
    const actor = editing('consent', { consent: 'ja' });
    actor.send(answer.consent('nee'));
    expect(stateOf(actor)).toBe('consentRefused');
    actor.send({ type: 'nav.back' });
    expect(stateOf(actor)).toBe('consent');
    actor.send({ type: 'nav.back' });
    expect(stateOf(actor)).toBe('consentRefused');
  });

  it('shows the safety advice when a concern is added, then returns to the summary', () => {
    const actor = editing('safety', { safetyConcern: false });
    expect(drive(actor, [answer.safety(true), answer.safetyAction()])).toEqual(['safetyAdvice', 'summary']);
    expect(contextOf(actor).safety).toEqual({ concern: true, action: 'veilig-thuis-gemeld' });
  });
});

describe('the progress line', () => {
  const contextAt = (family: Family, state = 'summary') => intakeAt(state, family).getSnapshot().context;

  it('counts 12 steps while consent is not yet known', () => {
    const context = startIntake().getSnapshot().context;
    expect(progressOf('role', context)).toEqual({ step: 1, total: 12 });
    expect(progressOf('children', context)).toEqual({ step: 3, total: 12 });
  });

  it('counts 12 steps with consent ja: contact details are step 11, the summary step 12', () => {
    const context = contextAt({ consent: 'ja' });
    expect(progressOf('contact', context)).toEqual({ step: 11, total: 12 });
    expect(progressOf('summary', context)).toEqual({ step: 12, total: 12 });
  });

  it.each<Family>([{ consent: 'anoniem' }, { consent: 'nee', safetyConcern: true }])('counts 11 steps without consent ja (%o)', (family) => {
    const context = contextAt(family);
    expect(progressOf('explanation', context)).toEqual({ step: 10, total: 11 });
    expect(progressOf('summary', context)).toEqual({ step: 11, total: 11 });
  });

  it('gives a sub-step the number of its step', () => {
    const context = contextAt({ consent: 'ja' });
    expect(progressOf('safetyAdvice', context)?.step).toBe(2);
    expect(progressOf('consentFeedback', context)?.step).toBe(4);
    expect(progressOf('consentRefused', contextAt({ consent: 'nee' }, 'consentRefused'))).toEqual({ step: 4, total: 11 });
    expect(progressOf('editMenu', context)).toEqual({ step: 12, total: 12 });
  });

  it('has no number once the aanmelding has ended', () => {
    const context = contextAt({});
    expect(progressOf('submitted', context)).toBeUndefined();
    expect(progressOf('cancelled', context)).toBeUndefined();
  });
});

describe('persisting between turns', () => {
  /** Through JSON, as the conversation store keeps it. */
  const persistedOf = (actor: ReturnType<typeof startIntake>) => JSON.parse(JSON.stringify(actor.getPersistedSnapshot())) as Snapshot<unknown>;
  /** As the turn runner does it: the snapshot alone. (XState's types ask for an input, which a restore never uses.) */
  const restore = (snapshot: Snapshot<unknown>) => createActor(intakeMachine, { snapshot } as { snapshot: Snapshot<unknown>; input: IntakeInput }).start();

  it('resumes at the same step with the same answers', () => {
    const original = intakeAt('wijk', { ages: [2, 14] });
    const restored = restore(persistedOf(original));
    expect(stateOf(restored)).toBe('wijk');
    expect(contextOf(restored)).toEqual(contextOf(original));
    restored.send(answer.wijk('Heide'));
    expect(stateOf(restored)).toBe('hoofdvraag');
    expect(contextOf(restored).wijk).toBe('Heide');
  });

  it('resumes a change from the summary and returns to the summary after it', () => {
    const original = editing('household');
    const restored = restore(persistedOf(original));
    expect(stateOf(restored)).toBe('household');
    restored.send(answer.household('gescheiden-ouders'));
    expect(stateOf(restored)).toBe('summary');
  });
});

describe('whose consent counts', () => {
  it.each<[Child, string]>([
    [{ expected: true }, 'ouders-met-gezag'],
    [{ age: 0 }, 'ouders-met-gezag'],
    [{ age: 11 }, 'ouders-met-gezag'],
    [{ age: 12 }, 'kind-en-ouders'],
    [{ age: 15 }, 'kind-en-ouders'],
    [{ age: 16 }, 'jongere'],
    [{ age: 23 }, 'jongere'],
  ])('asks %o for the consent of %s', (child, giver) => {
    expect(consentGiverFor(child)).toBe(giver);
  });

  it('groups the children as parents, child with parents, youth, whatever order they were given in', () => {
    expect(consentGroups(childrenOf(17, 3, 13, 'expected', 12))).toEqual([
      { giver: 'ouders-met-gezag', ages: [3, undefined] },
      { giver: 'kind-en-ouders', ages: [13, 12] },
      { giver: 'jongere', ages: [17] },
    ]);
  });

  it('names only the groups that have a child', () => {
    expect(consentGivers(childrenOf(16, 19))).toEqual(['jongere']);
    expect(consentGivers(childrenOf(4, 'expected'))).toEqual(['ouders-met-gezag']);
    expect(consentGivers([])).toEqual([]);
  });
});

describe('the answers as stored', () => {
  const contextOfSummary = (family: Family) => contextOf(intakeAtSummary(family));

  it('keeps the contact details and the huisarts feedback with consent ja', () => {
    const answers = answersOf(contextOfSummary({ consent: 'ja', ages: [5, 13] }));
    expect(answers.contact).toEqual(contactOf());
    expect(answers.consent).toEqual({ referral: 'ja', givenBy: ['ouders-met-gezag', 'kind-en-ouders'], feedbackToHuisarts: true, recordedAt: AT });
  });

  it.each<Consent>(['anoniem', 'nee'])('drops contact details that were somehow kept with consent %s', (consent) => {
    const context: IntakeContext = {
      ...contextOfSummary({ consent, safetyConcern: consent === 'nee' }),
      contact: contactOf(),
    };
    const answers = answersOf(context);
    expect(answers.contact).toBeUndefined();
    expect(answers.consent?.feedbackToHuisarts).toBe(false);
    expect(answers.consent?.referral).toBe(consent);
  });

  it('stores "no explanation" as no explanation at all', () => {
    expect(answersOf(contextOfSummary({})).explanation).toBeUndefined();
  });

  it('throws on an intake that is not complete', () => {
    expect(() => answersOf(contextOf(intakeAt('wijk')))).toThrow();
  });
});

describe('a family outside the target group (issue 14: nothing kept that nobody acts on)', () => {
  // The dialog tells the machine whether a child is within the gemeente's age limit (triage rule 4).
  const outside = (...ages: number[]): IntakeEvent => ({ type: 'answer.children', children: childrenOf(...ages), inTargetGroup: false });
  const inside = (...ages: number[]): IntakeEvent => ({ type: 'answer.children', children: childrenOf(...ages), inTargetGroup: true });

  it('is never asked for contact details, even with consent ja, and the progress line counts no such step', () => {
    const actor = startIntake();
    const visited = drive(actor, [
      answer.role(),
      answer.safety(),
      outside(25),
      answer.consent('ja'),
      answer.household(),
      answer.wijk(),
      answer.hoofdvraag(),
      answer.criteria(),
      answer.specialist(),
      answer.explanation('Moeder wil hulp bij de administratie.'),
    ]);
    expect(visited).not.toContain('contact');
    expect(visited).not.toContain('consentFeedback');
    expect(stateOf(actor)).toBe('summary');
    expect(progressOf('summary', contextOf(actor))).toEqual({ step: 11, total: 11 });
    expect(answersOf(contextOf(actor)).contact).toBeUndefined();
  });

  it('forgets contact details already typed when the ages are changed to outside the target group', () => {
    // 17 and 30: the young person consents either way, so the consent stands.
    const actor = intakeAtSummary({ consent: 'ja', ages: [17] });
    expect(contextOf(actor).contact).toEqual(contactOf());
    drive(actor, [{ type: 'summary.edit' }, { type: 'edit.step', step: 'children' }, outside(30)]);
    expect(stateOf(actor)).toBe('summary');
    expect(contextOf(actor).contact).toBeUndefined();

    // Back inside the target group: the contact details are asked again before the summary.
    drive(actor, [{ type: 'summary.edit' }, { type: 'edit.step', step: 'children' }, inside(17)]);
    expect(stateOf(actor)).toBe('contact');
  });

  it('with an acute concern still gives the contact details: the jeugdconsulent must be able to act (rule 1 before rule 4)', () => {
    const actor = startIntake();
    drive(actor, [answer.role(), answer.safety(true), answer.safetyAction(), { type: 'spoed.full' }, outside(25), answer.consent('ja'), answer.consentFeedback()]);
    drive(actor, [answer.household(), answer.wijk(), answer.hoofdvraag(), answer.criteria(), answer.specialist(), answer.explanation()]);
    expect(stateOf(actor)).toBe('contact');
  });

  it('stores no contact details when the route is buiten-doelgroep, whatever the intake holds', () => {
    const context = { ...contextOf(intakeAtSummary({ consent: 'ja' })), contact: contactOf() };
    expect(answersOf(context, { route: 'gezinscoach' }).contact).toEqual(contactOf());
    expect(answersOf(context, { route: 'buiten-doelgroep' }).contact).toBeUndefined();
    expect(answersOf(context, { route: 'buiten-doelgroep' }).consent?.feedbackToHuisarts).toBe(false);
  });
});

describe('the family\'s huisartspraktijk (issue 16)', () => {
  const at = '2026-03-02T09:30:00.000Z';
  function through(feedback: boolean) {
    const actor = createActor(intakeMachine, { input: { intakeId: 'p', role: 'school', referrer: { praktijk: 'Huisartsenpraktijk De Linde' } } }).start();
    for (const event of [
      { type: 'answer.safety', concern: false },
      { type: 'answer.children', children: [{ age: 5 }], inTargetGroup: true },
      { type: 'answer.consent', consent: 'ja', at },
      { type: 'answer.consentFeedback', allowed: feedback, praktijk: 'Huisartsenpraktijk Ysselsteyn' },
    ] as IntakeEvent[])
      actor.send(event);
    return actor.getSnapshot();
  }

  it('starts at the safety question when the team configuration knows the role', () => {
    expect(createActor(intakeMachine, { input: { intakeId: 'p', role: 'huisarts' } }).start().getSnapshot().value).toBe('safety');
  });

  it('keeps the practice only while the family allows informing its huisarts', () => {
    expect(through(true).context.huisartsPraktijk).toBe('Huisartsenpraktijk Ysselsteyn');
    expect(through(false).context.huisartsPraktijk).toBeUndefined();
  });
});
