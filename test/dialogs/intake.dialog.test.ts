import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { Aanmelding, Child, ContactDetails } from '../../data/aanmelding.schema.js';
import { gemeenteConfigPath, loadGemeenteConfig, MAX_WIJKEN_BYTES, parseGemeenteConfig, type GemeenteConfig } from '../../data/gemeente.config.js';
import type { AdaptiveCard } from '../../dialogs/card.js';
import type { RenderNote, UserInput } from '../../dialogs/flow.js';
import { createIntakeDialog } from '../../dialogs/intake.dialog.js';
import { cancelled, generalHelp, submitted, welcome } from '../../dialogs/welcome.dialog.js';
import { intakeMachine, type IntakeContext, type IntakeEvent } from '../../machines/intake.machine.js';
import { adaptiveCardProblems } from '../support/adaptive-cards.js';
import { buttonsOf, cardOf, walk, type Json } from '../support/cards.js';

const gemeente = (name: string) => loadGemeenteConfig(gemeenteConfigPath({ GEMEENTE: name }));
const config = gemeente('standaard');
const dialog = createIntakeDialog({ config });

const NOW = new Date('2026-03-02T09:30:00.000Z');
const AT = NOW.toISOString();

// ---------------------------------------------------------------------------------------------------------
// Fixtures

const ages = (...list: (number | 'expected')[]): Child[] => list.map((age) => (age === 'expected' ? { expected: true } : { age }));
const contactOf = (overrides: Partial<ContactDetails> = {}): ContactDetails => ({ name: 'A. de Vries', phone: '06 12345678', ...overrides });

/** A complete intake with consent ja for one child of 5, nothing complex: the gezinscoach route. */
function contextWith(overrides: Partial<IntakeContext> = {}): IntakeContext {
  return {
    intakeId: 'test',
    service: 'gezinscoach',
    editing: false,
    role: 'huisarts',
    safety: { concern: false },
    children: ages(5),
    consent: { referral: 'ja', recordedAt: AT, feedbackToHuisarts: true },
    household: 'ouders-met-kinderen',
    wijk: 'Oostrum',
    hoofdvraag: ['pedagogisch'],
    criteria: [],
    specialistCareNeeded: false,
    explanation: null,
    contact: contactOf(),
    ...overrides,
  };
}

const anoniem = (overrides: Partial<IntakeContext> = {}) =>
  contextWith({ consent: { referral: 'anoniem', recordedAt: AT }, contact: undefined, ...overrides });

const snapshotAt = (state: string, overrides: Partial<IntakeContext> = {}) => intakeMachine.resolveState({ value: state, context: contextWith(overrides) });
const snapshotOf = (state: string, context: IntakeContext) => intakeMachine.resolveState({ value: state, context });

const typed = (text: string): UserInput => ({ text, at: NOW });

/** Every state that shows a question, with a context that can reach it. */
const RENDERED_STATES: [state: string, context: IntakeContext, step: number, total: number][] = [
  ['role', contextWith({ consent: undefined }), 1, 12],
  ['safety', contextWith({ consent: undefined }), 2, 12],
  ['safetyAdvice', contextWith({ consent: undefined, safety: { concern: true } }), 2, 12],
  ['safetySignal', contextWith({ consent: undefined, safety: { concern: false } }), 2, 12],
  ['children', contextWith({ consent: undefined }), 3, 12],
  ['consent', contextWith({ consent: undefined }), 4, 12],
  ['consentFeedback', contextWith({ consent: { referral: 'ja', recordedAt: AT } }), 4, 12],
  ['consentRefused', contextWith({ consent: { referral: 'nee', recordedAt: AT }, contact: undefined }), 4, 11],
  ['household', contextWith(), 5, 12],
  ['wijk', contextWith(), 6, 12],
  ['hoofdvraag', contextWith(), 7, 12],
  ['criteria', contextWith(), 8, 12],
  ['specialist', contextWith(), 9, 12],
  ['explanation', anoniem(), 10, 11],
  ['contact', contextWith(), 11, 12],
  ['summary', contextWith(), 12, 12],
  ['editMenu', anoniem(), 11, 11],
];

// ---------------------------------------------------------------------------------------------------------
// Reading cards as a referrer sees them

const render = (state: string, context: IntakeContext = contextWith(), note?: RenderNote) => cardOf(dialog.render(snapshotOf(state, context), note));

/** All the text a referrer can read on a card, one piece per line. */
function textOf(card: AdaptiveCard): string {
  const parts: string[] = [];
  walk(card, (element) => {
    for (const key of ['text', 'title', 'label', 'placeholder'] as const) {
      if (typeof element[key] === 'string') parts.push(element[key]);
    }
    if (element.type === 'FactSet') for (const fact of element.facts as { title: string; value: string }[]) parts.push(`${fact.title}: ${fact.value}`);
  });
  return parts.join('\n');
}

/** What Teams sends when the button is clicked: its data, plus the card's inputs unless the button leaves them out. */
function press(card: AdaptiveCard, title: string, inputs: Json = {}): UserInput {
  const button = buttonsOf(card).find((b) => b.title === title);
  if (!button) throw new Error(`no button "${title}" on the card; there are: ${buttonsOf(card).map((b) => b.title).join(', ')}`);
  return { value: { ...button.data, ...(button.associatedInputs === 'none' ? {} : inputs) }, at: NOW };
}

const eventOf = (event: IntakeEvent) => ({ kind: 'event', event });

// ---------------------------------------------------------------------------------------------------------

describe('reading typed answers', () => {
  it.each<[state: string, text: string, IntakeEvent, Partial<IntakeContext>?]>([
    ['role', 'huisarts', { type: 'answer.role', role: 'huisarts' }],
    ['role', '2', { type: 'answer.role', role: 'poh' }],
    ['role', 'praktijkondersteuner', { type: 'answer.role', role: 'poh' }],
    ['safety', 'ja, er is acute zorg', { type: 'answer.safety', concern: true }],
    ['safety', 'Nee.', { type: 'answer.safety', concern: false }],
    ['safety', 'zorgen, maar niet acuut', { type: 'answer.safety', concern: false, worry: true }],
    ['safetySignal', '2', { type: 'answer.safetySignal', meldcode: 'stap-2' }],
    ['safetySignal', 'nee', { type: 'answer.safetySignal', meldcode: 'geen' }],
    ['safetyAdvice', 'meldcode', { type: 'answer.safetyAction', action: 'meldcode-bezig' }],
    ['safetyAdvice', 'nog niets', { type: 'answer.safetyAction', action: 'nog-niets' }],
    ['children', '3 en 7', { type: 'answer.children', children: ages(3, 7), inTargetGroup: true }],
    ['children', 'zwanger', { type: 'answer.children', children: ages('expected'), inTargetGroup: true }],
    ['consent', 'ja', { type: 'answer.consent', consent: 'ja', at: AT }, { role: 'school' }],
    ['consent', 'nee', { type: 'answer.consent', consent: 'nee', at: AT }],
    ['consent', 'anoniem', { type: 'answer.consent', consent: 'anoniem', at: AT }],
    ['consentFeedback', 'nee', { type: 'answer.consentFeedback', allowed: false }],
    ['consentRefused', 'anoniem overleg', { type: 'consent.anonymous', at: AT }],
    ['household', 'gescheiden', { type: 'answer.household', household: 'gescheiden-ouders' }],
    ['household', 'pleeggezin', { type: 'answer.household', household: 'anders' }],
    ['wijk', 'oostrum', { type: 'answer.wijk', wijk: 'Oostrum' }],
    ['wijk', 'Venray', { type: 'answer.wijk', wijk: 'Venray (kern)' }],
    ['hoofdvraag', 'opvoeding en school', { type: 'answer.hoofdvraag', hoofdvraag: ['pedagogisch', 'school'] }],
    ['hoofdvraag', 'schulden', { type: 'answer.hoofdvraag', hoofdvraag: ['financien'] }],
    ['criteria', 'geen', { type: 'answer.criteria', criteria: [] }, { editing: true }],
    ['criteria', '1, 3', { type: 'answer.criteria', criteria: ['psychiatrie', 'chronisch'] }, { editing: true }],
    ['specialist', 'ja', { type: 'answer.specialist', needed: true }],
    ['explanation', 'Moeder is overbelast sinds de geboorte.', { type: 'answer.explanation', explanation: 'Moeder is overbelast sinds de geboorte.' }],
    ['explanation', 'overslaan', { type: 'answer.explanation', explanation: null }],
    ['summary', 'versturen', { type: 'summary.submit' }],
    ['summary', 'Wijzigen', { type: 'summary.edit' }],
    ['editMenu', 'wijk', { type: 'edit.step', step: 'wijk' }],
    ['editMenu', 'leeftijden', { type: 'edit.step', step: 'children' }],
    ['editMenu', 'contactgegevens', { type: 'edit.step', step: 'contact' }],
  ])('reads at %s "%s"', (state, text, event, overrides) => {
    expect(dialog.interpret(snapshotAt(state, overrides), typed(text))).toEqual(eventOf(event));
  });

  it.each(RENDERED_STATES.map(([state, context]) => [state, context] as const))('understands terug, stop and help at %s', (state, context) => {
    const snapshot = snapshotOf(state, context);
    expect(dialog.interpret(snapshot, typed('terug'))).toEqual(eventOf({ type: 'nav.back' }));
    expect(dialog.interpret(snapshot, typed('Stop'))).toEqual(eventOf({ type: 'nav.cancel' }));
    expect(dialog.interpret(snapshot, typed('help'))).toEqual(eventOf({ type: 'help' }));
    expect(dialog.interpret(snapshot, typed('?'))).toEqual(eventOf({ type: 'help' }));
  });

  it.each<[state: string, text: string, RegExp, Partial<IntakeContext>?]>([
    ['role', 'bakker', /Kies je rol uit de lijst/],
    ['safety', 'misschien', /^Antwoord met Ja of Nee\.$/],
    ['consentFeedback', 'weet niet', /^Antwoord met Ja of Nee\.$/],
    ['specialist', 'soms', /^Antwoord met Ja of Nee\.$/],
    ['children', 'drie', /cijfers/],
    ['children', '150', /150 is geen geldige leeftijd/],
    ['consent', 'later', /Kies Ja, Nee of Anoniem overleg/],
    ['consentRefused', 'ja', /Anoniem overleg starten/],
    ['wijk', 'Amsterdam', /Kies een wijk of dorp uit de lijst/],
    ['hoofdvraag', 'opvoeding en kaas', /Ik herken "kaas" niet/],
    ['criteria', '9', /Ik herken "9" niet/],
    ['contact', 'Anna, 0612345678', /op de kaart/],
    ['summary', 'misschien', /Versturen, Wijzigen of Annuleren/],
    ['editMenu', 'contact', /Kies wat je wilt wijzigen/, { consent: { referral: 'anoniem', recordedAt: AT }, contact: undefined }],
  ])('asks again at %s after "%s"', (state, text, message, overrides) => {
    const result = dialog.interpret(snapshotAt(state, overrides), typed(text));
    expect(result).toMatchObject({ kind: 'problem' });
    expect(result.kind === 'problem' && result.message).toMatch(message);
  });

  it('refuses an explanation longer than 1000 characters, saying how long it was and by how much to shorten it', () => {
    const result = dialog.interpret(snapshotAt('explanation'), typed('a'.repeat(1001)));
    expect(result).toMatchObject({ kind: 'problem', message: expect.stringMatching(/1001 tekens.*maximum is 1000.*1 tekens korter/) });
    expect(dialog.interpret(snapshotAt('explanation'), typed('a'.repeat(1000)))).toMatchObject({ kind: 'event' });
  });
});

describe('reading card clicks', () => {
  it('reads a clicked answer button', () => {
    const card = render('role');
    expect(dialog.interpret(snapshotAt('role'), press(card, 'Huisarts'))).toEqual(eventOf({ type: 'answer.role', role: 'huisarts' }));
  });

  it('reads the typed ages sent with Verder', () => {
    const card = render('children');
    expect(dialog.interpret(snapshotAt('children'), press(card, 'Verder', { value: '3, 7 en 12' }))).toEqual(
      eventOf({ type: 'answer.children', children: ages(3, 7, 12), inTargetGroup: true }),
    );
  });

  it('reads the chosen leefgebieden of a multi-select, sent comma-separated', () => {
    const card = render('hoofdvraag');
    expect(dialog.interpret(snapshotAt('hoofdvraag'), press(card, 'Verder', { value: 'school,pedagogisch' }))).toEqual(
      eventOf({ type: 'answer.hoofdvraag', hoofdvraag: ['pedagogisch', 'school'] }),
    );
  });

  it('reads the chosen criteria by their ids', () => {
    const card = render('criteria');
    expect(dialog.interpret(snapshotAt('criteria'), press(card, 'Verder', { value: 'cultuur-taal,psychiatrie' }))).toEqual({
      ...eventOf({ type: 'answer.criteria', criteria: ['psychiatrie', 'cultuur-taal'] }),
      then: [{ type: 'answer.specialist', needed: false }],
    });
  });

  it('takes "Geen van deze" as no criteria, even when some were ticked', () => {
    const card = render('criteria');
    expect(dialog.interpret(snapshotAt('criteria'), press(card, 'Geen van deze', { value: 'psychiatrie' }))).toEqual({
      ...eventOf({ type: 'answer.criteria', criteria: [] }),
      then: [{ type: 'answer.specialist', needed: false }],
    });
  });

  it('takes "Overslaan" as no explanation, even when something was typed', () => {
    // Without consent "ja" the explanation has a card of its own (with it, it shares the contact card).
    const card = render('explanation', anoniem());
    expect(dialog.interpret(snapshotOf('explanation', anoniem()), press(card, 'Overslaan', { value: 'half getypt' }))).toEqual(
      eventOf({ type: 'answer.explanation', explanation: null }),
    );
  });

  it('reads the contact details of the contact card', () => {
    const card = render('contact', contextWith({ contact: undefined }));
    const input = press(card, 'Verder', { name: ' Anna Jansen ', phone: '06-12345678', email: '', address: '' });
    expect(dialog.interpret(snapshotAt('contact'), input)).toEqual(eventOf({ type: 'answer.contact', contact: { name: 'Anna Jansen', phone: '06-12345678' } }));
  });

  it.each<[inputs: Json, RegExp]>([
    [{ name: 'Anna', phone: 'bel maar' }, /telefoonnummer klopt niet/],
    [{ name: 'Anna', email: 'anna-at-home' }, /e-mailadres klopt niet/],
    [{ name: 'Anna' }, /Vul een telefoonnummer of een e-mailadres in/],
    [{ name: '', phone: '0612345678' }, /Vul de naam/],
  ])('names what is wrong on the contact card: %o', (inputs, message) => {
    const result = dialog.interpret(snapshotAt('contact'), press(render('contact'), 'Verder', inputs));
    expect(result).toMatchObject({ kind: 'problem', message: expect.stringMatching(message) });
  });

  it.each<[title: string, state: string, IntakeEvent]>([
    ['Terug', 'wijk', { type: 'nav.back' }],
    ['Help', 'wijk', { type: 'help' }],
    ['Stoppen', 'wijk', { type: 'nav.cancel' }],
    ['Versturen', 'summary', { type: 'summary.submit' }],
    ['Wijzigen', 'summary', { type: 'summary.edit' }],
    ['Annuleren', 'summary', { type: 'nav.cancel' }],
    ['Anoniem overleg starten', 'consentRefused', { type: 'consent.anonymous', at: AT }],
    ['Wijk of dorp', 'editMenu', { type: 'edit.step', step: 'wijk' }],
    ['Ja, stoppen', 'confirmCancel', { type: 'nav.cancel' }],
    ['Nee, terug naar de samenvatting', 'confirmCancel', { type: 'nav.back' }],
  ])('reads the "%s" button at %s', (title, state, event) => {
    const context = state === 'consentRefused' ? contextWith({ consent: { referral: 'nee', recordedAt: AT }, contact: undefined }) : contextWith();
    const card = render(state, context);
    expect(dialog.interpret(snapshotOf(state, context), press(card, title))).toEqual(eventOf(event));
  });

  it('recognises a card of another aanmelding as stale', () => {
    const oldCard = render('wijk', contextWith({ intakeId: 'earlier' }));
    expect(dialog.interpret(snapshotAt('wijk'), press(oldCard, 'Verder', { value: 'Oostrum' }))).toEqual({ kind: 'stale' });
  });

  it('recognises a card of an earlier step as stale', () => {
    const safetyCard = render('safety');
    expect(dialog.interpret(snapshotAt('children'), press(safetyCard, 'Nee'))).toEqual({ kind: 'stale' });
    expect(dialog.interpret(snapshotAt('children'), press(safetyCard, 'Stoppen'))).toEqual({ kind: 'stale' });
  });

  it('does not read a card of another flow or without flow data', () => {
    expect(dialog.interpret(snapshotAt('wijk'), { value: { flow: 'start', action: 'start' }, at: NOW })).toMatchObject({ kind: 'problem' });
    expect(dialog.interpret(snapshotAt('wijk'), { value: { whatever: true }, at: NOW })).toMatchObject({ kind: 'problem' });
  });
});

describe('the card of every step', () => {
  it.each(RENDERED_STATES.map(([state, context, step, total]) => ({ state, context, step, total })))(
    'shows $state as one Adaptive Card 1.5 with "Stap $step van $total"',
    ({ state, context, step, total }) => {
      const replies = dialog.render(snapshotOf(state, context));
      const card = cardOf(replies);
      expect(card.type).toBe('AdaptiveCard');
      expect(card.version).toBe('1.5');
      expect(textOf(card)).toContain(`Stap ${step} van ${total}`);
    },
  );

  it('asks "Weet je het zeker?" before a finished aanmelding is thrown away, with two clear answers and typed ja/nee', () => {
    const card = render('confirmCancel');
    expect(textOf(card)).toContain('Weet je het zeker? Wat je invulde gaat verloren.');
    expect(buttonsOf(card).map((b) => b.title)).toEqual(['Ja, stoppen', 'Nee, terug naar de samenvatting', 'Help']);
    expect(dialog.interpret(snapshotAt('confirmCancel'), typed('ja'))).toEqual(eventOf({ type: 'nav.cancel' }));
    expect(dialog.interpret(snapshotAt('confirmCancel'), typed('nee'))).toEqual(eventOf({ type: 'nav.back' }));
    expect(dialog.interpret(snapshotAt('confirmCancel'), typed('misschien'))).toMatchObject({ kind: 'problem', message: expect.stringContaining('Ja, stoppen') });
  });

  it.each(RENDERED_STATES.map(([state, context]) => [state, context] as const))('offers Terug (except at the start), Help and Stoppen at %s', (state, context) => {
    const actions = buttonsOf(render(state, context)).map((b) => b.data.action);
    expect(actions.includes('back')).toBe(state !== 'role');
    expect(actions).toContain('help');
    expect(actions).toContain('cancel');
    const cancelTitle = buttonsOf(render(state, context)).find((b) => b.data.action === 'cancel')?.title;
    expect(cancelTitle).toBe(state === 'summary' || state === 'editMenu' ? 'Annuleren' : 'Stoppen');
  });

  it.each(['children', 'wijk', 'hoofdvraag', 'criteria', 'explanation', 'contact'])(
    'lets only Verder send the inputs at %s, so Terug, Help and Stoppen work with required fields empty',
    (state) => {
      const buttons = buttonsOf(render(state));
      const verder = buttons.filter((b) => b.title === 'Verder');
      expect(verder).toHaveLength(1);
      expect(verder[0]?.associatedInputs).toBeUndefined();
      for (const b of buttons.filter((b) => b.title !== 'Verder')) expect(b, b.title).toMatchObject({ associatedInputs: 'none' });
    },
  );

  it('shows 112, Veilig Thuis and the meldcode after an acute concern', () => {
    const text = textOf(render('safetyAdvice', contextWith({ safety: { concern: true } })));
    expect(text).toContain('112');
    expect(text).toContain('0800-2000');
    expect(text).toContain('meldcode');
  });

  it.each<[Child[], string]>([
    // Every combination of the three groups (under 12 or on the way; 12 to 15; 16 and over), one and several.
    [ages(5), 'Hebben de ouders toestemming gegeven voor deze aanmelding?'],
    [ages('expected'), 'Hebben de ouders toestemming gegeven voor deze aanmelding?'],
    [ages(3, 7), 'Hebben de ouders toestemming gegeven voor deze aanmelding?'],
    [ages(13), 'Hebben de ouders en het kind van 13 toestemming gegeven voor deze aanmelding?'],
    [ages(13, 14), 'Hebben de ouders en de kinderen van 13 en 14 toestemming gegeven voor deze aanmelding?'],
    [ages(17), 'Heeft de jongere van 17 zelf toestemming gegeven voor deze aanmelding?'],
    [ages(16, 19), 'Hebben de jongeren van 16 en 19 zelf toestemming gegeven voor deze aanmelding?'],
    [ages(3, 7, 12), 'Hebben de ouders en het kind van 12 toestemming gegeven voor deze aanmelding?'],
    [ages(3, 5, 13, 14), 'Hebben de ouders en de kinderen van 13 en 14 toestemming gegeven voor deze aanmelding?'],
    [ages(17, 'expected'), 'Hebben de ouders en de jongere van 17 toestemming gegeven voor deze aanmelding?\nDe jongere van 17 beslist zelf; voor het kind op komst beslissen de ouders.'],
    [ages(4, 16, 18), 'Hebben de ouders en de jongeren van 16 en 18 toestemming gegeven voor deze aanmelding?\nDe jongeren van 16 en 18 beslissen zelf; voor de andere kinderen beslissen de ouders.'],
    [ages(13, 17), 'Hebben de ouders, het kind van 13 en de jongere van 17 toestemming gegeven voor deze aanmelding?\nDe jongere van 17 beslist zelf; voor de andere kinderen beslissen de ouders, samen met het kind van 13.'],
    [ages(2, 13, 17), 'Hebben de ouders, het kind van 13 en de jongere van 17 toestemming gegeven voor deze aanmelding?\nDe jongere van 17 beslist zelf; voor de andere kinderen beslissen de ouders, samen met het kind van 13.'],
  ])('asks consent of the right people for the children %o, in one natural sentence', (children, question) => {
    const text = textOf(render('consent', contextWith({ children, consent: undefined })));
    expect(text).toContain(question);
    expect(text).not.toMatch(/met gezag|samen met de ouders|ouders-met-gezag|kind-en-ouders/);
  });

  it('names the people to ask when consent was refused', () => {
    const text = textOf(render('consentRefused', contextWith({ children: ages(17), consent: { referral: 'nee', recordedAt: AT }, contact: undefined })));
    expect(text).toContain('vertel de jongere van 17 wat gezinsondersteuning is');
    expect(text).toContain('Anoniem overleg starten');
  });

  it('shows the suggested route and why on the summary', () => {
    const text = textOf(render('summary', contextWith({ criteria: ['psychiatrie'] })));
    expect(text).toContain('Voorgestelde route: Keukentafelgesprek');
    expect(text).toContain('Criterium: Onderliggende psychiatrische problematiek.');
    expect(text).toMatch(/Complexe vraag: /);
    expect(text).not.toMatch(/Regel \d/);
    expect(text).not.toContain('SPOED');
  });

  it('shows SPOED on the summary of a safety concern', () => {
    const text = textOf(render('summary', contextWith({ safety: { concern: true, action: 'veilig-thuis-gemeld' } })));
    expect(text).toContain('SPOED');
    expect(text).toContain('Voorgestelde route: Jeugdconsulent');
    expect(text).toContain('Al gedaan: Melding bij Veilig Thuis gedaan');
  });

  it('shows every answer on the summary, the contact details only with consent ja', () => {
    const withConsent = textOf(render('summary', contextWith({ role: 'school', children: ages(3, 7), wijk: 'Smakt' })));
    expect(withConsent).toContain('Kinderen: 3 en 7 jaar');
    expect(withConsent).toContain('Wijk of dorp: Smakt');
    expect(withConsent).toContain('Huisarts informeren: Ja');
    expect(withConsent).toContain('Contact: A. de Vries, 06 12345678');
    const anonymous = textOf(render('summary', anoniem()));
    expect(anonymous).toContain('Toestemming: Anoniem overleg');
    expect(anonymous).not.toContain('Contact');
  });

  it('offers contact details in the change menu only with consent ja', () => {
    expect(buttonsOf(render('editMenu', contextWith())).map((b) => b.title)).toContain('Contactgegevens');
    expect(buttonsOf(render('editMenu', anoniem())).map((b) => b.title)).not.toContain('Contactgegevens');
  });

  it('warns not to name the family in the explanation of an anoniem overleg', () => {
    expect(textOf(render('explanation', anoniem()))).toContain('Noem geen namen');
    expect(textOf(render('explanation', contextWith()))).not.toContain('Noem geen namen');
  });

  it('shows the help of a step, a problem, a confirmation or a stale note above the question', () => {
    const text = textOf(render('criteria', contextWith(), { help: true, problem: 'Ik herken "9" niet.', ack: 'Genoteerd: hoofdvraag: Opvoeding' }));
    expect(text).toContain('Ik herken "9" niet.');
    expect(text).toContain('Genoteerd: hoofdvraag: Opvoeding');
    // The help of the criteria step explains every criterion of the configuration.
    for (const criterion of config.criteria) expect(text).toContain(criterion.explanation);
    expect(textOf(render('wijk', contextWith(), { stale: true }))).toContain('hoort bij een eerdere vraag');
  });

  it('confirms the answer just given', () => {
    const before = snapshotAt('children', { children: undefined });
    const after = snapshotAt('consent', { children: ages(3, 7) });
    expect(dialog.acknowledgement(before, after)).toBe('Genoteerd: kinderen: 3 en 7 jaar');
  });

  it('notes what was done after acute zorgen without repeating the acute zorgen noted just before', () => {
    const before = snapshotAt('safetyAdvice', { safety: { concern: true } });
    const after = snapshotAt('spoedForm', { safety: { concern: true, action: 'veilig-thuis-gemeld' } });
    expect(dialog.acknowledgement(before, after)).toBe('Genoteerd: al gedaan: Melding bij Veilig Thuis gedaan');
    // The first answer of the step is noted in full.
    expect(dialog.acknowledgement(snapshotAt('safety', { safety: undefined }), before)).toBe('Genoteerd: acute zorgen over veiligheid: Ja (spoed)');
  });

  it('notes a worry that is not acute as such, not as "Nee", and then its step in the meldcode', () => {
    const asked = snapshotAt('safetySignal', { safety: { concern: false } });
    expect(dialog.acknowledgement(snapshotAt('safety', { safety: undefined }), asked)).toBe('Genoteerd: zorgen over veiligheid: Niet acuut');
    expect(dialog.acknowledgement(asked, snapshotAt('children', { safety: { concern: false, signal: { meldcode: 'stap-2' } } }))).toBe(
      'Genoteerd: zorgen over veiligheid: Niet acuut (zorgsignaal); meldcode: Stap 2: collega of Veilig Thuis geraadpleegd',
    );
    // A plain "Nee" stays one.
    expect(dialog.acknowledgement(snapshotAt('safety', { safety: undefined }), snapshotAt('children', { safety: { concern: false } }))).toBe('Genoteerd: acute zorgen over veiligheid: Nee');
  });

  it('notes each of the two again on its own after "terug", when the earlier answers are still there', () => {
    const safety = { concern: true, action: 'veilig-thuis-advies' } as const;
    // Acute zorgen answered again: what was done is asked next, so it is not noted yet.
    expect(dialog.acknowledgement(snapshotAt('safety', { safety }), snapshotAt('safetyAdvice', { safety }))).toBe('Genoteerd: acute zorgen over veiligheid: Ja (spoed)');
    // What was done, answered the same as before.
    expect(dialog.acknowledgement(snapshotAt('safetyAdvice', { safety }), snapshotAt('spoedForm', { safety }))).toBe('Genoteerd: al gedaan: Advies gevraagd bij Veilig Thuis');
  });

  it('confirms a toelichting ending in a full stop without a stop before the next answer', () => {
    const before = snapshotAt('explanation', { explanation: undefined });
    const after = snapshotAt('summary', { explanation: 'Ouders maken veel ruzie over de omgang.' });
    expect(dialog.acknowledgement(before, after)).toBe('Genoteerd: toelichting: Ouders maken veel ruzie over de omgang; contact: A. de Vries, 06 12345678');
  });
});

describe('restoring a stored aanmelding', () => {
  function persistedAt(state: string): Json {
    const actor = createActor(intakeMachine, { input: { intakeId: 'test' } }).start();
    const events: IntakeEvent[] = [
      { type: 'answer.role', role: 'huisarts' },
      { type: 'answer.safety', concern: false },
      { type: 'answer.children', children: ages(5) },
      { type: 'answer.consent', consent: 'anoniem', at: AT },
      { type: 'answer.household', household: 'ouders-met-kinderen' },
      { type: 'answer.wijk', wijk: 'Oostrum' },
      { type: 'answer.hoofdvraag', hoofdvraag: ['pedagogisch'] },
      { type: 'answer.criteria', criteria: ['psychiatrie'] },
    ];
    for (const event of events) {
      if (actor.getSnapshot().value === state) break;
      actor.send(event);
    }
    expect(actor.getSnapshot().value).toBe(state);
    return JSON.parse(JSON.stringify(actor.getPersistedSnapshot())) as Json;
  }

  it('accepts a persisted snapshot and resumes at its step with its answers', () => {
    const persisted = persistedAt('specialist');
    const snapshot = dialog.restore(persisted);
    expect(snapshot?.value).toBe('specialist');
    expect(snapshot?.context).toEqual(persisted.context);
  });

  it('rejects a snapshot of a state the machine does not know (any more)', () => {
    expect(dialog.restore({ ...persistedAt('wijk'), value: 'postcode' })).toBeUndefined();
  });

  it('rejects a snapshot whose wijk is not in the configuration', () => {
    const persisted = persistedAt('hoofdvraag');
    expect(dialog.restore({ ...persisted, context: { ...(persisted.context as Json), wijk: 'Atlantis' } })).toBeUndefined();
  });

  it('rejects a snapshot with a criterion the configuration does not know', () => {
    const persisted = persistedAt('specialist');
    expect(dialog.restore({ ...persisted, context: { ...(persisted.context as Json), criteria: ['verdwenen'] } })).toBeUndefined();
  });

  it('rejects an ended aanmelding and anything that is not a snapshot', () => {
    expect(dialog.restore({ ...persistedAt('wijk'), status: 'done' })).toBeUndefined();
    expect(dialog.restore(null)).toBeUndefined();
    expect(dialog.restore({ value: 'wijk' })).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------------------
// Every card the bot can send, against the rules of Adaptive Cards 1.5 that matter in Teams.

const ELEMENT_TYPES = new Set([
  'AdaptiveCard', 'TextBlock', 'Image', 'Media', 'RichTextBlock', 'TextRun', 'Container', 'ColumnSet', 'Column', 'FactSet',
  'ImageSet', 'ActionSet', 'Table', 'TableRow', 'TableCell', 'Input.Text', 'Input.Number', 'Input.Date', 'Input.Time',
  'Input.Toggle', 'Input.ChoiceSet',
]);
const ACTION_TYPES = new Set(['Action.OpenUrl', 'Action.Submit', 'Action.ShowCard', 'Action.ToggleVisibility', 'Action.Execute']);
/** Enumerations we use, as the schema lists them (it compares case-insensitively). */
const ENUMS: Record<string, string[]> = {
  size: ['default', 'small', 'medium', 'large', 'extralarge'],
  weight: ['default', 'lighter', 'bolder'],
  color: ['default', 'dark', 'light', 'accent', 'good', 'warning', 'attention'],
  spacing: ['none', 'small', 'default', 'medium', 'large', 'extralarge', 'padding'],
  associatedInputs: ['auto', 'none'],
};
const STYLES: Record<string, string[]> = {
  Container: ['default', 'emphasis', 'good', 'attention', 'warning', 'accent'],
  'Action.Submit': ['default', 'positive', 'destructive'],
  'Input.Text': ['text', 'tel', 'url', 'email', 'password'],
  'Input.ChoiceSet': ['compact', 'expanded', 'filtered'],
};
const TEAMS_MESSAGE_LIMIT = 28 * 1024;

/** What a card breaks of the rules above, in words. */
function schemaProblems(card: AdaptiveCard): string[] {
  const problems: string[] = [];
  const inputIds: string[] = [];
  if (card.version !== '1.5') problems.push(`version ${card.version}`);
  walk(card, (element) => {
    const type = element.type;
    if (type === undefined) return; // facts and choices have no type
    if (typeof type !== 'string' || !(ELEMENT_TYPES.has(type) || ACTION_TYPES.has(type))) problems.push(`unknown type ${String(type)}`);
    if (type === 'Action.Submit') {
      if (typeof element.title !== 'string' || element.title === '') problems.push('Action.Submit without title');
      const data = element.data as Json | undefined;
      if (typeof data?.flow !== 'string') problems.push(`Action.Submit "${String(element.title)}" without data.flow`);
    }
    if (type === 'TextBlock' && (typeof element.text !== 'string' || element.text === '')) problems.push('TextBlock without text');
    if (typeof type === 'string' && type.startsWith('Input.')) {
      if (typeof element.id !== 'string' || element.id === '') problems.push(`${type} without id`);
      else inputIds.push(element.id);
    }
    for (const [key, allowed] of Object.entries(ENUMS)) {
      const value = element[key];
      if (value !== undefined && !allowed.includes(String(value).toLowerCase())) problems.push(`${type}.${key} "${String(value)}"`);
    }
    const styles = STYLES[String(type)];
    if (styles && element.style !== undefined && !styles.includes(String(element.style).toLowerCase())) problems.push(`${type}.style "${String(element.style)}"`);
  });
  const duplicates = inputIds.filter((id, index) => inputIds.indexOf(id) !== index);
  if (duplicates.length > 0) problems.push(`input ids used twice: ${duplicates.join(', ')}`);
  const size = Buffer.byteLength(JSON.stringify(card), 'utf8');
  if (size >= TEAMS_MESSAGE_LIMIT) problems.push(`${size} bytes`);
  return problems;
}

function aanmeldingOf(overrides: Partial<Aanmelding> = {}): Aanmelding {
  return {
    reference: 'AM-2026-0001',
    intakeId: 'test',
    createdAt: AT,
    updatedAt: AT,
    version: 1,
    status: 'nieuw',
    questions: [],
    history: [],
    referrer: { identity: { id: 'user-1', name: 'Dokter Jansen' }, role: 'huisarts', conversationId: 'conv-1' },
    answers: {
      service: 'gezinscoach',
      safety: { concern: false },
      children: ages(5),
      consent: { referral: 'ja', givenBy: ['ouders-met-gezag'], feedbackToHuisarts: true, recordedAt: AT },
      household: 'ouders-met-kinderen',
      wijk: 'Oostrum',
      hoofdvraag: ['pedagogisch'],
      criteria: [],
      specialistCareNeeded: false,
    },
    triage: { route: 'gezinscoach', urgent: false, criteria: [], reasons: ['Regel 7'] },
    ...overrides,
  };
}

/**
 * The most a configuration may hold: 200 wijken filling the room for their names (in two-byte letters), and
 * 20 criteria, route texts and the gemeente's name at their longest.
 */
function largestConfiguration(wijkBytes = MAX_WIJKEN_BYTES): GemeenteConfig {
  const standaard = gemeente('standaard');
  const perWijk = Math.floor(wijkBytes / 200);
  return parseGemeenteConfig({
    ...standaard,
    gemeente: 'G'.repeat(80),
    routes: Object.fromEntries(Object.keys(standaard.routes).map((id) => [id, { label: 'R'.repeat(60), description: 'D'.repeat(400) }])),
    criteria: Array.from({ length: 20 }, (_, i) => ({ id: `criterium-${i}`, label: 'L'.repeat(140), explanation: 'E'.repeat(400) })),
    // Four digits keep the names apart; "ë" takes two bytes.
    wijken: Array.from({ length: 200 }, (_, i) => String(i).padStart(4, '0') + 'ë'.repeat((perWijk - 4) / 2) + (perWijk % 2 === 1 ? 'x' : '')),
    buitenDoelgroepVerwijzing: 'B'.repeat(300),
  });
}

/** Every card of every step, for every configuration, with every kind of note, plus the cards around a flow. */
function everyCard(): [name: string, card: AdaptiveCard][] {
  const notes: [string, RenderNote][] = [
    ['plain', {}],
    ['help', { help: true }],
    ['problem', { problem: 'Antwoord met Ja of Nee.' }],
    ['ack', { ack: 'Genoteerd: kinderen: 3, 7 en 12 jaar' }],
    ['stale', { stale: true }],
    ['all notes', { help: true, problem: 'x'.repeat(500), ack: 'Genoteerd: toelichting: ' + 'y'.repeat(1000), stale: true }],
  ];
  const families: [string, Partial<IntakeContext>][] = [
    ['ja', {}],
    ['anoniem', { consent: { referral: 'anoniem', recordedAt: AT }, contact: undefined }],
    ['nee with safety', { consent: { referral: 'nee', recordedAt: AT }, contact: undefined, safety: { concern: true, action: '112-gebeld' } }],
    ['many children', { children: ages(...Array.from({ length: 14 }, (_, i) => i + 3), 'expected') }],
    ['longest answers', { explanation: 'z'.repeat(1000), hoofdvraag: ['pedagogisch', 'psychisch', 'praktisch', 'lichamelijk', 'omgang', 'financien', 'school', 'sociaal-netwerk'] }],
  ];
  const cards: [string, AdaptiveCard][] = [];
  const configurations: [string, GemeenteConfig][] = [
    ...['standaard', 'venray', 'groningen', 'voorbeeldstad-18'].map((name) => [name, gemeente(name)] as [string, GemeenteConfig]),
    ['the largest configuration', largestConfiguration()],
  ];
  for (const [name, gemeenteConfig] of configurations) {
    const gemeenteDialog = createIntakeDialog({ config: gemeenteConfig });
    const allCriteria = gemeenteConfig.criteria.map((c) => c.id);
    for (const [state] of RENDERED_STATES) {
      for (const [family, overrides] of families) {
        const context = contextWith({ wijk: gemeenteConfig.wijken.at(-1), criteria: allCriteria, ...overrides });
        for (const [noteName, note] of notes) {
          for (const reply of gemeenteDialog.render(snapshotOf(state, context), note)) {
            if (reply.card) cards.push([`${name} ${state} (${family}, ${noteName})`, reply.card]);
          }
        }
      }
    }
    cards.push([`${name} general help`, cardOf([generalHelp(gemeenteConfig)])]);
    cards.push([`${name} submitted, urgent`, cardOf([submitted(aanmeldingOf({ triage: { route: 'jeugdconsulent', urgent: true, criteria: [], reasons: ['Regel 1'] } }), gemeenteConfig)])]);
    cards.push([`${name} submitted, outside the target group`, cardOf([submitted(aanmeldingOf({ triage: { route: 'buiten-doelgroep', urgent: false, criteria: [], reasons: ['Regel 4'] } }), gemeenteConfig)])]);
  }
  cards.push(['welcome', cardOf([welcome()])], ['welcome by name', cardOf([welcome('Anna')])], ['cancelled', cardOf([cancelled()])]);
  return cards;
}

describe('every card the bot can send', () => {
  const cards = everyCard();

  it('covers every step with every note', () => {
    expect(cards.length).toBeGreaterThan(RENDERED_STATES.length * 5 * 5 * 6);
  });

  it('uses only Adaptive Cards 1.5 elements and values, buttons that say what they are, and stays under 28 KB', () => {
    const problems = cards.flatMap(([name, card]) => schemaProblems(card).map((problem) => `${name}: ${problem}`));
    expect(problems).toEqual([]);
  });

  it('refuses a configuration whose wijken would not fit on the wijk card', () => {
    expect(() => largestConfiguration(MAX_WIJKEN_BYTES + 200)).toThrow(/wijken.*past de keuzelijst niet in één bericht/);
  });

  it('finds the problems it looks for', () => {
    const broken = { ...cardOf([welcome()]), body: [{ type: 'Fancy.Carousel' }, { type: 'ActionSet', actions: [{ type: 'Action.Submit', data: {} }] }] } as AdaptiveCard;
    expect(schemaProblems(broken)).toEqual(['unknown type Fancy.Carousel', 'Action.Submit without title', 'Action.Submit "undefined" without data.flow']);
    expect(schemaProblems({ ...cardOf([welcome()]), body: [{ type: 'TextBlock', text: 'x'.repeat(TEAMS_MESSAGE_LIMIT) }] })).toEqual([
      expect.stringMatching(/ bytes$/),
    ]);
  });

  it('parses every card with the Adaptive Cards library without problems', () => {
    const problems = cards.flatMap(([name, json]) => adaptiveCardProblems(json).map((message) => `${name}: ${message}`));
    expect(problems).toEqual([]);
    expect(adaptiveCardProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Fancy.Carousel' }] }).join()).toMatch(/Unknown element type/);
  });
});

describe('fewer taps: several questions on one card (issue 16)', () => {
  const withPraktijken = createIntakeDialog({ config: loadGemeenteConfig(), praktijken: ['Huisartsenpraktijk De Linde', 'Huisartsenpraktijk Ysselsteyn'] });
  const cardAt = (state: string, context: IntakeContext) => cardOf(withPraktijken.render(snapshotOf(state, context)));

  it('records a huisarts as informed with their own practice on one tap, without asking whether the huisarts may know', () => {
    const context = contextWith({ consent: undefined, referrer: { praktijk: 'Huisartsenpraktijk De Linde' } });
    const card = cardAt('consent', context);
    expect(textOf(card)).not.toContain('Mag de eigen huisarts');
    expect(withPraktijken.interpret(snapshotOf('consent', context), press(card, 'Ja, er is toestemming'))).toEqual({
      ...eventOf({ type: 'answer.consent', consent: 'ja', at: AT }),
      then: [{ type: 'answer.consentFeedback', allowed: true, praktijk: 'Huisartsenpraktijk De Linde' }],
    });
  });

  it('asks another referrer on the consent card whether the eigen huisarts may know, and which practice', () => {
    const context = contextWith({ role: 'school', consent: undefined });
    const card = cardAt('consent', context);
    expect(textOf(card)).toContain('mag de eigen huisarts van het gezin weten dat er hulp is?');
    expect(textOf(card)).toContain('Huisartspraktijk van het gezin');
    const input = press(card, 'Ja, er is toestemming', { huisarts: 'nee', praktijk: 'Huisartsenpraktijk Ysselsteyn' });
    expect(withPraktijken.interpret(snapshotOf('consent', context), input)).toEqual({
      ...eventOf({ type: 'answer.consent', consent: 'ja', at: AT }),
      then: [{ type: 'answer.consentFeedback', allowed: false, praktijk: 'Huisartsenpraktijk Ysselsteyn' }],
    });
  });

  it('suggests the wijk of the referrer\'s practice and asks it with the hoofdvraag on one card', () => {
    const context = contextWith({ wijk: undefined, hoofdvraag: undefined, referrer: { praktijk: 'Huisartsenpraktijk De Linde', wijk: 'Oostrum' } });
    const card = cardAt('wijk', context);
    expect(textOf(card)).toContain('Ingevuld bij je praktijk');
    const inputs: Json[] = [];
    walk(card, (element) => {
      if (element.type === 'Input.ChoiceSet') inputs.push(element);
    });
    expect(inputs.find((i) => i.id === 'wijk')?.value).toBe('Oostrum');
    expect((inputs.find((i) => i.id === 'hoofdvraag')?.choices as { title: string }[])[0]?.title).toBe('1. Opvoeding');
    expect(withPraktijken.interpret(snapshotOf('wijk', context), press(card, 'Verder', { wijk: 'Oostrum', hoofdvraag: 'pedagogisch,school' }))).toEqual({
      ...eventOf({ type: 'answer.wijk', wijk: 'Oostrum' }),
      then: [{ type: 'answer.hoofdvraag', hoofdvraag: ['pedagogisch', 'school'] }],
    });
  });

  it('asks the contact details with the toelichting on one card, and names every problem at once', () => {
    const context = contextWith({ explanation: undefined, contact: undefined });
    const card = cardAt('explanation', context);
    expect(buttonsOf(card).map((b) => b.title)).not.toContain('Overslaan');
    const wrong = withPraktijken.interpret(snapshotOf('explanation', context), press(card, 'Verder', { name: 'Anna', phone: 'abc', value: 'x'.repeat(1001) }));
    expect(wrong.kind).toBe('problem');
    expect(wrong.kind === 'problem' && wrong.message).toMatch(/telefoonnummer klopt niet.*toelichting is 1001 tekens|toelichting is 1001 tekens.*telefoonnummer klopt niet/);
    expect(withPraktijken.interpret(snapshotOf('explanation', context), press(card, 'Verder', { name: 'Anna', phone: '06 12345678', value: '' }))).toEqual({
      ...eventOf({ type: 'answer.explanation', explanation: null }),
      then: [{ type: 'answer.contact', contact: { name: 'Anna', phone: '06 12345678' } }],
    });
  });

  it('asks only the one question being changed from the summary', () => {
    expect(textOf(cardAt('wijk', contextWith({ editing: true })))).not.toContain('Leefgebieden');
  });
});
