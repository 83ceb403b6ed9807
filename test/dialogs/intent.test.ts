import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { gemeenteConfigPath, loadGemeenteConfig } from '../../data/gemeente.config.js';
import type { AdaptiveCard } from '../../dialogs/card.js';
import type { UserInput } from '../../dialogs/flow.js';
import { createIntakeDialog } from '../../dialogs/intake.dialog.js';
import { recognizeIntent, type Intent } from '../../dialogs/intent.js';
import { intakeMachine, type IntakeContext, type IntakeEvent } from '../../machines/intake.machine.js';
import { chatWithBot, textOf } from '../support/chat.js';
import { buttonsOf, cardOf, walk } from '../support/cards.js';

/** The corpus: what people type, and what the bot must make of it (issue 16). */
interface Phrasing {
  text: string;
  intent: Intent | null;
  sure?: boolean;
  subject?: string;
}
const corpus = JSON.parse(readFileSync(new URL('./intent.corpus.json', import.meta.url), 'utf8')) as { phrasings: Phrasing[] };

const NOW = new Date('2026-03-02T09:30:00.000Z');
const AT = NOW.toISOString();
const config = loadGemeenteConfig(gemeenteConfigPath({ GEMEENTE: 'standaard' }));
const dialog = createIntakeDialog({ config });
const typed = (text: string): UserInput => ({ text, at: NOW });

describe('the corpus of typed phrasings', () => {
  it('holds at least 60 phrasings, commands and sentences that are none', () => {
    expect(corpus.phrasings.length).toBeGreaterThanOrEqual(60);
    expect(corpus.phrasings.filter((p) => p.intent === null).length).toBeGreaterThanOrEqual(10);
    const intents = new Set(corpus.phrasings.map((p) => p.intent));
    for (const intent of ['start', 'status', 'help', 'stop', 'back', 'gezinsverzorger', 'aanvullen', 'wijzig']) expect(intents).toContain(intent);
  });

  it.each(corpus.phrasings.filter((p) => p.intent !== null).map((p) => [p.text, p] as const))('understands "%s"', (text, p) => {
    const recognized = recognizeIntent(text);
    expect(recognized).toMatchObject({ intent: p.intent, sure: p.sure });
    if (p.subject !== undefined) expect(recognized?.subject).toBe(p.subject);
  });

  it.each(corpus.phrasings.filter((p) => p.intent === null).map((p) => [p.text] as const))('takes "%s" for no command', (text) => {
    expect(recognizeIntent(text)).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------------------

/** All the text on a card, one piece per line. */
function cardText(card: AdaptiveCard): string {
  const parts: string[] = [];
  walk(card, (element) => {
    for (const key of ['text', 'title', 'label'] as const) if (typeof element[key] === 'string') parts.push(element[key]);
  });
  return parts.join('\n');
}

/** The card the referrer sees after typing text at a state. */
function afterTyping(state: string, context: IntakeContext, text: string): AdaptiveCard {
  const snapshot = intakeMachine.resolveState({ value: state, context });
  const result = dialog.interpret(snapshot, typed(text));
  if (result.kind !== 'event') return cardOf(dialog.render(snapshot, result.kind === 'problem' ? { problem: result.message, ...(result.draft ? { draft: result.draft } : {}) } : { stale: true }));
  if (result.event.type === 'help') return cardOf(dialog.render(snapshot, { help: true }));
  const actor = createActor(intakeMachine, { snapshot, input: { intakeId: 'test' } }).start();
  actor.send(result.event as IntakeEvent);
  return cardOf(dialog.render(actor.getSnapshot()));
}

const complete = (overrides: Partial<IntakeContext> = {}): IntakeContext => ({
  intakeId: 'test',
  service: 'gezinscoach',
  editing: false,
  role: 'huisarts',
  safety: { concern: false },
  children: [{ age: 5 }],
  consent: { referral: 'ja', recordedAt: AT, feedbackToHuisarts: true },
  household: 'ouders-met-kinderen',
  wijk: 'Oostrum',
  hoofdvraag: ['pedagogisch'],
  criteria: [],
  specialistCareNeeded: false,
  explanation: null,
  contact: { name: 'A. de Vries', phone: '06 12345678' },
  ...overrides,
});

describe('typed sentences inside an aanmelding', () => {
  it('goes back a question on "ik wil terug" and on the typo "terg"', () => {
    expect(cardText(afterTyping('hoofdvraag', complete(), 'ik wil terug'))).toContain('Waar woont het gezin, en waar gaat de vraag over?');
    expect(cardText(afterTyping('household', complete(), 'terg'))).toContain('toestemming gegeven');
  });

  it('explains the question on "ik snap deze vraag niet"', () => {
    expect(cardText(afterTyping('criteria', complete(), 'ik begrijp deze vraag niet'))).toContain('Geldt er minstens één punt');
  });

  it('asks about a guess instead of acting on it, and says which word to type', () => {
    const text = cardText(afterTyping('household', complete(), 'kan ik terug naar het kind'));
    expect(text).toContain('Bedoel je: terug naar de vorige vraag? Typ dan **terug**.');
    expect(text).toContain('Hoe is het gezin samengesteld?');
  });

  it('never reads a toelichting as a command, however much it sounds like one', () => {
    const snapshot = intakeMachine.resolveState({ value: 'explanation', context: complete() });
    for (const sentence of ['ik wil stoppen met deze aanmelding', 'Moeder wil terug naar haar werk', 'hoe staat het met de schulden']) {
      expect(dialog.interpret(snapshot, typed(sentence))).toEqual({ kind: 'event', event: { type: 'answer.explanation', explanation: sentence } });
    }
  });

  it('goes from the summary straight to the question named in "wijzig de wijk"', () => {
    expect(cardText(afterTyping('summary', complete(), 'wijzig de wijk'))).toContain('In welke wijk of welk dorp woont het gezin?');
    expect(cardText(afterTyping('summary', complete(), 'ik wil de leeftijden aanpassen'))).toContain('Hoe oud zijn de kinderen?');
    expect(cardText(afterTyping('editMenu', complete(), 'toelichting veranderen'))).toContain('Wil je nog iets toelichten?');
  });

  it('opens the list of what can be changed when "wijzigen" names nothing it knows', () => {
    expect(cardText(afterTyping('summary', complete(), 'wijzig het weer'))).toContain('Wat wil je wijzigen?');
  });
});

describe('typed sentences outside an aanmelding', () => {
  it('starts an aanmelding on "ik wil een gezin aanmelden"', async () => {
    const bot = await chatWithBot(NOW);
    expect(textOf(await bot.say('ik wil een gezin aanmelden'))).toContain('Wat is je rol?');
  });

  it('shows the status on "hoe staat het met mijn aanmelding?"', async () => {
    const bot = await chatWithBot(NOW);
    expect(textOf(await bot.say('hoe staat het met mijn aanmelding?'))).toContain('Stand van zaken');
  });

  it('asks "Bedoel je: ...?" about a guess, and Ja does it', async () => {
    const bot = await chatWithBot(NOW);
    const replies = await bot.say('kan ik hier een kind aanmelden?');
    expect(textOf(replies)).toBe('\nBedoel je: een aanmelding starten?');
    expect(buttonsOf(bot.lastCard()).map((b) => b.title)).toEqual(['Ja', 'Nee']);
    expect(textOf(await bot.click('Ja'))).toContain('Wat is je rol?');
  });

  it('explains what it can do after Nee to a guess', async () => {
    const bot = await chatWithBot(NOW);
    await bot.say('hoe staat het met de aanmelding van vorige week voor familie uit Oirlo');
    expect(textOf(await bot.click('Nee'))).toContain('Zo werkt het');
  });

  it('mentions status on the welcome card', async () => {
    const bot = await chatWithBot(NOW);
    expect(textOf(await bot.say('goedemorgen'))).toContain('Typ **status**');
  });
});
