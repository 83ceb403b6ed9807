import { distance } from 'fastest-levenshtein';
import { normalize } from './parse.js';

/**
 * What a person means by a typed sentence: "ik wil een gezin aanmelden", "hoe staat het met mijn aanmelding?",
 * "stopen". Each intent has words that trigger it and words that may stand around it; a sentence of only those
 * words is understood, a sentence with other words too is only a guess that the bot asks about.
 */

export type Intent = 'start' | 'status' | 'help' | 'stop' | 'back' | 'gezinsverzorger' | 'aanvullen' | 'wijzig';

export interface RecognizedIntent {
  intent: Intent;
  /** false: a guess ("Bedoel je: …?"), never acted on without asking. */
  sure: boolean;
  /** For "wijzig": the words after the verb ("de wijk"), to be matched against what can be changed. */
  subject?: string;
}

interface IntentWords {
  /** Words that name the intent; typos of these are recognised. */
  triggers: readonly string[];
  /** Word pairs that name it, without typos ("laat maar", "hoe staat"). */
  phrases?: readonly string[];
  /** Words that may stand around a trigger in a sentence that means only this. */
  around?: readonly string[];
}

const INTENTS: Record<Intent, IntentWords> = {
  // Checked in this order: "hoe staat het met mijn aanmelding" is status, not start.
  aanvullen: { triggers: ['aanvullen', 'aanvulling', 'afmaken'], around: ['rest', 'spoedaanmelding', 'spoedformulier', 'aanmelding', 'de', 'mijn', 'kort', 'korte'] },
  status: {
    triggers: ['status', 'overzicht', 'opgepakt', 'stand'],
    phrases: ['hoe staat', 'hoe zit', 'mijn aanmelding', 'mijn aanmeldingen', 'wat is er met', 'al iemand', 'stand van zaken'],
    around: ['hoe', 'staat', 'zit', 'het', 'met', 'mijn', 'aanmelding', 'aanmeldingen', 'is', 'al', 'wat', 'van', 'zaken', 'er', 'iemand', 'de', 'bekijken', 'zien', 'laten', 'geven', 'gezin', 'gezinnen', 'wie', 'heeft', 'ermee'],
  },
  gezinsverzorger: {
    triggers: ['gezinsverzorger', 'gezinsverzorging', 'gezinsverzorgster'],
    around: ['aanvragen', 'aanvraag', 'vragen', 'inzetten', 'nodig', 'voor', 'gezin', 'doen', 'starten', 'indienen'],
  },
  wijzig: { triggers: ['wijzig', 'wijzigen', 'aanpassen', 'veranderen', 'verander', 'corrigeren'], phrases: ['pas aan'] },
  stop: {
    triggers: ['stop', 'stoppen', 'annuleer', 'annuleren', 'afbreken', 'ophouden', 'cancel'],
    phrases: ['laat maar', 'hou op', 'houd op'],
    around: ['ermee', 'er', 'mee', 'met', 'aanmelding', 'deze', 'dit', 'hiermee', 'laat', 'maar', 'toch', 'alles'],
  },
  back: {
    triggers: ['terug', 'vorige'],
    around: ['stap', 'vraag', 'ga', 'gaan', 'naar', 'de', 'een', 'vorige', 'antwoord', 'scherm'],
  },
  help: {
    triggers: ['help', 'hulp', 'uitleg', 'helpen'],
    phrases: ['hoe werkt', 'wat kun', 'wat kan', 'wat moet', 'snap het niet', 'begrijp het niet', 'snap er niets van', 'snap niet', 'begrijp niet', 'begrijp deze vraag niet', 'snap deze vraag niet', 'begrijp de vraag niet', 'snap de vraag niet'],
    around: ['hoe', 'werkt', 'dit', 'het', 'wat', 'kun', 'kan', 'je', 'jij', 'moet', 'ik', 'doen', 'snap', 'begrijp', 'niet', 'er', 'niets', 'niks', 'van', 'nodig', 'mij', 'me', 'bij', 'deze', 'vraag', 'uitleggen'],
  },
  start: {
    triggers: ['aanmelden', 'aanmelding', 'verwijzen', 'doorverwijzen', 'starten', 'start', 'beginnen', 'begin', 'opnieuw'],
    phrases: ['nieuwe aanmelding', 'nieuw gezin'],
    around: ['nieuwe', 'nieuw', 'gezin', 'familie', 'patient', 'patienten', 'kind', 'jongere', 'doen', 'maken', 'voor', 'bij', 'jullie', 'gezinscoach', 'gezinsondersteuning', 'een', 'aan', 'melden', 'wil', 'graag', 'met', 'ondersteuning'],
  },
};

const ORDER: readonly Intent[] = ['aanvullen', 'status', 'gezinsverzorger', 'wijzig', 'stop', 'back', 'help', 'start'];

/** Words that may stand in any command: "ik wil graag even ...", "hoi", "alsjeblieft". */
const POLITE = new Set([
  'ik', 'wil', 'wilde', 'zou', 'willen', 'graag', 'even', 'nu', 'dan', 'maar', 'de', 'het', 'een', 'aub', 'svp', 'alsjeblieft', 'alstublieft', 'please', 'hoi', 'hallo', 'hey', 'hee', 'dag',
  'goedemorgen', 'goedemiddag', 'goedenavond', 'bot', 'kun', 'kan', 'je', 'jij', 'mag', 'ok', 'oke', 'ja', 'nou', 'eh', 'ehm', 'gewoon', 'weer', 'nog', 'eens', 'me', 'mij', 'we', 'gaan', 'doen', '?',
]);

/** "niet stoppen", "nog geen aanmelding": a sentence that says no to the intent is no command. */
const NEGATIONS = new Set(['niet', 'geen', 'nooit', 'hoeft']);
const NEGATION_ALLOWED: Partial<Record<Intent, readonly string[]>> = { help: ['snap', 'begrijp'] };

const ALL_KNOWN = new Set([...POLITE, ...Object.values(INTENTS).flatMap((w) => [...w.triggers, ...(w.around ?? [])])]);
const TRIGGERS = Object.entries(INTENTS).flatMap(([intent, words]) => words.triggers.map((word) => ({ intent: intent as Intent, word })));

/** Edit distance, with two swapped neighbouring letters ("hlep") counted as one typo. */
function typoDistance(a: string, b: string): number {
  const d = distance(a, b);
  if (d !== 2 || a.length !== b.length) return d;
  const differ = [...a].flatMap((ch, i) => (ch === b[i] ? [] : [i]));
  return differ.length === 2 && differ[1] === differ[0]! + 1 && a[differ[0]!] === b[differ[1]!] && a[differ[1]!] === b[differ[0]!] ? 1 : d;
}

/** A word as the trigger it misspells: one typo in a word of 4 letters or more, two in one of 8 or more. */
function correct(word: string): { intent: Intent; word: string; typos: number } | undefined {
  if (word.length < 4 || ALL_KNOWN.has(word)) return undefined;
  let best: { intent: Intent; word: string; typos: number } | undefined;
  let tie = false;
  for (const trigger of TRIGGERS) {
    if (Math.abs(trigger.word.length - word.length) > 2) continue;
    const typos = typoDistance(word, trigger.word);
    const allowed = word.length >= 8 ? 2 : 1;
    if (typos > allowed) continue;
    if (!best || typos < best.typos) {
      best = { ...trigger, typos };
      tie = false;
    } else if (typos === best.typos && trigger.intent !== best.intent) tie = true;
  }
  return tie ? undefined : best;
}

/**
 * The intent of a typed sentence, or undefined when it names none (or two). Sure when every word belongs to the
 * intent, with at most one typo per trigger; a guess when other words stand around a trigger typed right, or a
 * trigger needed two corrections.
 */
export function recognizeIntent(input: string): RecognizedIntent | undefined {
  const text = normalize(input)
    .replace(/[!.,;:]+/g, ' ')
    .replace(/\?+/g, ' ? ')
    // "vorige week" is a time, not "go back".
    .replace(/\bvorige? (week|maand|keer|jaar)\b/g, 'onlangs')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') return undefined;
  if (text === '?') return { intent: 'help', sure: true };
  const words = text.split(' ');
  if (words.length > 14) return undefined;

  const found = new Map<Intent, { typos: number }>();
  const note = (intent: Intent, typos: number) => {
    const seen = found.get(intent);
    if (!seen || typos < seen.typos) found.set(intent, { typos });
  };
  const corrected = words.map((word) => {
    const exact = TRIGGERS.filter((t) => t.word === word);
    for (const t of exact) note(t.intent, 0);
    if (exact.length > 0) return word;
    const fix = correct(word);
    if (!fix) return word;
    note(fix.intent, fix.typos);
    return fix.word;
  });
  const joined = ` ${corrected.join(' ')} `;
  for (const intent of ORDER) {
    if (INTENTS[intent].phrases?.some((phrase) => joined.includes(` ${phrase} `))) note(intent, 0);
  }
  if (found.size === 0) return undefined;

  const intent = pick(found, corrected);
  if (!intent) return undefined;
  const negated = corrected.some((w) => NEGATIONS.has(w)) && !corrected.some((w) => NEGATION_ALLOWED[intent]?.includes(w));
  if (negated) return undefined;

  const typos = found.get(intent)!.typos;
  if (intent === 'wijzig') {
    const subject = corrected.filter((w) => !INTENTS.wijzig.triggers.includes(w) && !POLITE.has(w) && w !== 'aan' && w !== 'pas' && w !== '?').join(' ');
    return { intent, sure: typos <= 1, ...(subject ? { subject } : {}) };
  }
  const belongs = new Set([...POLITE, ...INTENTS[intent].triggers, ...(INTENTS[intent].around ?? [])]);
  const strangers = corrected.filter((w) => !belongs.has(w));
  if (strangers.length === 0) return { intent, sure: typos <= 1 };
  // Words of its own around a misspelt trigger: too little to go on ("ik woon in de stad").
  if (typos > 0 || strangers.length > 6) return undefined;
  return { intent, sure: false };
}

/**
 * One intent from several candidates: a more specific one wins where a sentence names two that belong together
 * ("hoe staat het met mijn aanmelding": status over start; "gezinsverzorger aanvragen": not start); two that
 * exclude each other ("stop" and "terug") are no command.
 */
function pick(found: Map<Intent, { typos: number }>, words: readonly string[]): Intent | undefined {
  const candidates = ORDER.filter((i) => found.has(i));
  if (candidates.length === 1) return candidates[0];
  const [first, ...rest] = candidates;
  // The other candidates must only be there as words around the first ("aanmelding" around status).
  const around = new Set([...(INTENTS[first!].around ?? []), ...POLITE]);
  const onlyAround = rest.every((other) => INTENTS[other].triggers.every((t) => !words.includes(t) || around.has(t)));
  return onlyAround ? first : undefined;
}
