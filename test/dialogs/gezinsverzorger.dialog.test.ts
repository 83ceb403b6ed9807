import { describe, expect, it } from 'vitest';
import type { ContactDetails } from '../../data/aanmelding.schema.js';
import { gemeenteConfigPath, loadGemeenteConfig } from '../../data/gemeente.config.js';
import type { AdaptiveCard } from '../../dialogs/card.js';
import type { UserInput } from '../../dialogs/flow.js';
import { createIntakeDialog } from '../../dialogs/intake.dialog.js';
import type { IntakeContext } from '../../machines/intake.machine.js';
import { adaptiveCardProblems } from '../support/adaptive-cards.js';
import { buttonsOf, cardOf, walk, type Button } from '../support/cards.js';

const gemeente = (name: string) => loadGemeenteConfig(gemeenteConfigPath({ GEMEENTE: name }));
const config = gemeente('standaard');
const request = createIntakeDialog({ config, kind: 'gezinsverzorger' });
const intake = createIntakeDialog({ config });

const NOW = new Date('2026-03-02T09:30:00.000Z');
const AT = NOW.toISOString();
const MAX_CARD_BYTES = 28 * 1024;

// ---------------------------------------------------------------------------------------------------------
// Fixtures

const contactOf = (overrides: Partial<ContactDetails> = {}): ContactDetails => ({ name: 'A. de Vries', phone: '06 12345678', ...overrides });

/** A complete request with consent ja for a baby and a toddler in Wanssum. */
function requestWith(overrides: Partial<IntakeContext> = {}): IntakeContext {
  return {
    intakeId: 'verzoek-1',
    service: 'gezinsverzorger',
    editing: false,
    role: 'casemanager',
    safety: { concern: false },
    children: [{ age: 0 }, { age: 3 }],
    consent: { referral: 'ja', recordedAt: AT, feedbackToHuisarts: true },
    household: 'alleenstaande-moeder',
    wijk: 'Wanssum',
    hoofdvraag: ['praktisch'],
    goal: 'Moeder houdt over drie maanden zelf de dagstructuur vol.',
    tasks: ['huishoudelijk', 'verzorgend'],
    supportForm: 'ondersteunend',
    hoursPerWeek: 4.5,
    durationMonths: 6,
    cause: 'geboorte',
    criteria: [],
    explanation: null,
    contact: contactOf(),
    ...overrides,
  };
}

const anoniem = (overrides: Partial<IntakeContext> = {}) => requestWith({ consent: { referral: 'anoniem', recordedAt: AT }, contact: undefined, ...overrides });

const requestAt = (state: string, context: IntakeContext = requestWith()) => request.machine.resolveState({ value: state, context });

const typed = (text: string): UserInput => ({ text, at: NOW });
const clicked = (value: Record<string, unknown>): UserInput => ({ value, at: NOW });

/** What the dialog makes of something typed at a step of the request. */
const interpretAt = (state: string, text: string) => request.interpret(requestAt(state), typed(text));

// ---------------------------------------------------------------------------------------------------------
// Reading cards

function textOf(card: AdaptiveCard): string {
  const parts: string[] = [];
  walk(card, (element) => {
    for (const key of ['text', 'title', 'label', 'placeholder'] as const) if (typeof element[key] === 'string') parts.push(element[key]);
    if (element.type === 'FactSet') for (const fact of element.facts as { title: string; value: string }[]) parts.push(`${fact.title}: ${fact.value}`);
  });
  return parts.join('\n');
}

function button(card: AdaptiveCard, title: string): Button {
  const found = buttonsOf(card).find((b) => b.title === title);
  if (!found) throw new Error(`no button "${title}"; there are: ${buttonsOf(card).map((b) => b.title).join(', ')}`);
  return found;
}

const renderRequest = (state: string, context: IntakeContext = requestWith()) => cardOf(request.render(requestAt(state, context)));

/** Every state of the request that shows a question, with a context that can reach it. */
const REQUEST_STATES: [state: string, context: IntakeContext][] = [
  ['safety', requestWith({ consent: undefined })],
  ['safetyAdvice', requestWith({ consent: undefined, safety: { concern: true } })],
  ['safetySignal', requestWith({ consent: undefined, safety: { concern: false } })],
  ['children', requestWith({ consent: undefined })],
  ['consent', requestWith({ consent: undefined })],
  ['consentFeedback', requestWith({ consent: { referral: 'ja', recordedAt: AT } })],
  ['consentRefused', requestWith({ consent: { referral: 'nee', recordedAt: AT }, contact: undefined })],
  ['household', requestWith()],
  ['wijk', requestWith()],
  ['hoofdvraag', requestWith()],
  ['goal', requestWith()],
  ['tasks', requestWith()],
  ['supportForm', requestWith()],
  ['hours', requestWith()],
  ['duration', requestWith()],
  ['cause', requestWith()],
  ['criteria', requestWith()],
  ['explanation', anoniem()],
  ['contact', requestWith()],
  ['summary', requestWith()],
  ['summary', anoniem()],
  ['editMenu', requestWith()],
  ['confirmCancel', requestWith()],
];

// ---------------------------------------------------------------------------------------------------------

describe('typed answers to the questions of the request', () => {
  it.each([
    ['4,5', 4.5],
    ['4.5', 4.5],
    ['8', 8],
    ['6 uur', 6],
  ])('reads hours "%s" as %d', (said, hours) => {
    expect(interpretAt('hours', said)).toEqual({ kind: 'event', event: { type: 'answer.hours', hours } });
  });

  it.each(['0', '50', 'veel', ''])('refuses "%s" hours with a problem naming the range', (said) => {
    const result = interpretAt('hours', said);
    expect(result.kind).toBe('problem');
    expect(result.kind === 'problem' && result.message).toContain('0,5 tot en met 40');
  });

  it.each([
    ['6 maanden', 6],
    ['half jaar', 6],
    ['een half jaar', 6],
    ['een jaar', 12],
    ['9', 9],
  ])('reads duration "%s" as %d months', (said, months) => {
    expect(interpretAt('duration', said)).toEqual({ kind: 'event', event: { type: 'answer.duration', months } });
  });

  it.each(['0 maanden', '40', '2,5 maand', 'lang'])('refuses duration "%s" with a problem naming the range', (said) => {
    const result = interpretAt('duration', said);
    expect(result.kind).toBe('problem');
    expect(result.kind === 'problem' && result.message).toContain('1 tot en met 36');
  });

  it('reads "huishouden en omgang" as two tasks', () => {
    expect(interpretAt('tasks', 'huishouden en omgang')).toEqual({ kind: 'event', event: { type: 'answer.tasks', tasks: ['huishoudelijk', 'omgang'] } });
  });

  it('reads "geboorte" as the cause', () => {
    expect(interpretAt('cause', 'geboorte')).toEqual({ kind: 'event', event: { type: 'answer.cause', cause: 'geboorte' } });
  });

  it('reads a form of support by a word of it', () => {
    expect(interpretAt('supportForm', 'volledig')).toEqual({ kind: 'event', event: { type: 'answer.supportForm', form: 'volledig-compenserend' } });
  });

  it('refuses a goal of three characters, and takes a sentence', () => {
    expect(interpretAt('goal', 'rust').kind).toBe('problem');
    expect(interpretAt('goal', 'abc')).toMatchObject({ kind: 'problem', message: expect.stringContaining('doel') });
    expect(interpretAt('goal', '  Moeder houdt het huishouden zelf vol.  ')).toEqual({
      kind: 'event',
      event: { type: 'answer.goal', goal: 'Moeder houdt het huishouden zelf vol.' },
    });
  });

  it('refuses a goal longer than 500 characters', () => {
    expect(interpretAt('goal', 'a'.repeat(501))).toMatchObject({ kind: 'problem', message: expect.stringContaining('501') });
  });
});

describe('the cards of the request belong to the request', () => {
  it('gives every button the flow "gezinsverzorger"', () => {
    for (const [state, context] of REQUEST_STATES) {
      const flows = new Set(buttonsOf(renderRequest(state, context)).map((b) => b.data.flow));
      expect([...flows], state).toEqual(['gezinsverzorger']);
    }
  });

  it('reads a button of its own card as the answer', () => {
    const card = renderRequest('supportForm');
    expect(request.interpret(requestAt('supportForm'), clicked(button(card, 'Nazorg').data))).toEqual({
      kind: 'event',
      event: { type: 'answer.supportForm', form: 'nazorg' },
    });
  });

  it('does not read a card of the gezinscoach intake as an answer, even for the same step and instance', () => {
    const intakeCard = cardOf(intake.render(intake.machine.resolveState({ value: 'household', context: { ...requestWith(), service: 'gezinscoach' } })));
    const data = button(intakeCard, 'Alleenstaande moeder').data;
    expect(data).toMatchObject({ flow: 'intake', instance: 'verzoek-1', step: 'household' });
    expect(['problem', 'stale']).toContain(request.interpret(requestAt('household'), clicked(data)).kind);
  });

  it('does not let the gezinscoach intake read a card of the request', () => {
    const data = button(renderRequest('household'), 'Alleenstaande moeder').data;
    const intakeAtHousehold = intake.machine.resolveState({ value: 'household', context: { ...requestWith(), service: 'gezinscoach' } });
    expect(['problem', 'stale']).toContain(intake.interpret(intakeAtHousehold, clicked(data)).kind);
  });

  it('recognises a button of an earlier step of the request as stale', () => {
    const data = button(renderRequest('supportForm'), 'Nazorg').data;
    expect(request.interpret(requestAt('hours'), clicked(data))).toEqual({ kind: 'stale' });
  });
});

describe('rendering the request', () => {
  it('compares the hours with the average of 4 to 5 hours a week', () => {
    expect(textOf(renderRequest('hours'))).toContain('4 tot 5 uur');
  });

  it('shows the hours already given in Dutch decimals', () => {
    expect(JSON.stringify(renderRequest('hours', requestWith({ hoursPerWeek: 4.5 })))).toContain('"4,5"');
  });

  it('mentions that closed trajectories lasted 7,7 months on average', () => {
    expect(textOf(renderRequest('duration'))).toContain('7,7 maanden');
  });

  it('numbers the steps of the request: safety is step 1 of 16, the summary 16 of 16 (15 without consent ja)', () => {
    expect(textOf(renderRequest('safety', requestWith({ consent: undefined })))).toContain('Stap 1 van 16');
    expect(textOf(renderRequest('summary'))).toContain('Stap 16 van 16');
    expect(textOf(renderRequest('summary', anoniem()))).toContain('Stap 15 van 15');
  });

  it('shows the gezinsverzorger as the suggested route on the summary', () => {
    expect(textOf(renderRequest('summary'))).toContain(`Voorgestelde route: ${config.routes.gezinsverzorger.label}`);
  });

  it('offers the steps of the request in the edit menu, and not the role', () => {
    const titles = buttonsOf(renderRequest('editMenu')).map((b) => b.data.value);
    expect(titles).toEqual(expect.arrayContaining(['goal', 'tasks', 'supportForm', 'hours', 'duration', 'cause', 'contact']));
    expect(titles).not.toContain('role');
    expect(titles).not.toContain('specialist');
  });

  it('renders every state of the request as an Adaptive Card that parses cleanly and fits in a Teams message', () => {
    const covered = new Set(REQUEST_STATES.map(([state]) => state));
    // Every state except the transient "resume" and the final ones asks the casemanager something.
    const states = (request.machine.config.states ?? {}) as Record<string, { type?: string }>;
    const questionStates = Object.keys(states).filter((s) => s !== 'resume' && states[s]?.type !== 'final');
    expect([...covered].sort()).toEqual(questionStates.sort());
    for (const [state, context] of REQUEST_STATES) {
      const card = renderRequest(state, context);
      expect(card.type, state).toBe('AdaptiveCard');
      expect(adaptiveCardProblems(card), state).toEqual([]);
      expect(Buffer.byteLength(JSON.stringify(card)), state).toBeLessThan(MAX_CARD_BYTES);
    }
  });
});

describe('the service question of the intake', () => {
  const serviceCard = (dialog: ReturnType<typeof createIntakeDialog>) =>
    cardOf(dialog.render(dialog.machine.resolveState({ value: 'service', context: { intakeId: 'i-1', service: 'gezinscoach', editing: false, role: 'casemanager' } })));

  it('offers a gezinscoach and a gezinsverzorger where the gemeente has both', () => {
    const values = buttonsOf(serviceCard(intake)).map((b) => b.data.value);
    expect(values).toEqual(expect.arrayContaining(['gezinscoach', 'gezinsverzorger']));
  });

  describe('in a gemeente without gezinsverzorger (Venray)', () => {
    const venray = gemeente('venray');
    const venrayIntake = createIntakeDialog({ config: venray });

    it('is a gemeente without the service', () => {
      expect(venray.services).not.toContain('gezinsverzorger');
    });

    it('offers only the gezinscoach', () => {
      const card = serviceCard(venrayIntake);
      const values = buttonsOf(card).filter((b) => b.data.action === 'answer').map((b) => b.data.value);
      expect(values).toEqual(['gezinscoach']);
      expect(textOf(card)).toContain('Gemeente Venray biedt geen gezinsverzorger aan');
      expect(adaptiveCardProblems(card)).toEqual([]);
    });

    it('refuses a typed "gezinsverzorger" with a message naming the gemeente', () => {
      const snapshot = venrayIntake.machine.resolveState({ value: 'service', context: { intakeId: 'i-1', service: 'gezinscoach', editing: false, role: 'casemanager' } });
      const result = venrayIntake.interpret(snapshot, typed('gezinsverzorger'));
      expect(result).toMatchObject({ kind: 'problem', message: expect.stringContaining('Venray') });
    });

    it('still takes "gezinscoach"', () => {
      const snapshot = venrayIntake.machine.resolveState({ value: 'service', context: { intakeId: 'i-1', service: 'gezinscoach', editing: false, role: 'casemanager' } });
      expect(venrayIntake.interpret(snapshot, typed('gezinscoach'))).toEqual({ kind: 'event', event: { type: 'answer.service', service: 'gezinscoach' } });
    });
  });
});
