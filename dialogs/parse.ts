import { MAX_AGE, MAX_CHILDREN, type Child } from '../data/aanmelding.schema.js';

/** Turning what a person types into values. Each parser returns a value or a Dutch explanation of the problem. */

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const problem = <T>(message: string): Parsed<T> => ({ ok: false, problem: message });

export function normalize(input: string): string {
  return input
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '') // "één" → "een", "financiën" → "financien"
    .replace(/\s+/g, ' ')
    .trim()
    // Closing punctuation goes ("Nee." → "nee"), but a lone "?" stays: it asks for help.
    .replace(/(?<=.)\s*[.!?]+$/, '');
}

export type Command = 'nav.back' | 'nav.cancel' | 'help';
const COMMANDS: Record<string, Command> = {
  terug: 'nav.back',
  vorige: 'nav.back',
  'ga terug': 'nav.back',
  'vorige vraag': 'nav.back',
  stop: 'nav.cancel',
  stoppen: 'nav.cancel',
  annuleer: 'nav.cancel',
  annuleren: 'nav.cancel',
  afbreken: 'nav.cancel',
  help: 'help',
  hulp: 'help',
  '?': 'help',
  uitleg: 'help',
};

/** "terug", "stop"/"annuleren" and "help" work at every step. */
export function parseCommand(input: string): Command | undefined {
  return COMMANDS[normalize(input)];
}

const YES = ['ja', 'j', 'jazeker', 'ja hoor', 'klopt', 'zeker', 'yes', 'y', 'ok', 'oke', 'akkoord', 'wel'];
const NO = ['nee', 'n', 'neen', 'no', 'nope', 'niet', 'geen', 'nee hoor'];

export function parseYesNo(input: string): boolean | undefined {
  const text = normalize(input).replace(/[,;:].*$/, '');
  if (YES.includes(text) || /^ja\b/.test(text)) return true;
  if (NO.includes(text) || /^nee\b/.test(text)) return false;
  return undefined;
}

export interface Option<V extends string = string> {
  value: V;
  title: string;
  /** Other words a person might type for this option. */
  aliases?: readonly string[];
}

/** One option, by its number in the list, its value, title or an alias; also a word that only it contains. */
export function parseOption<V extends string>(input: string, options: readonly Option<V>[]): V | undefined {
  const text = normalize(input);
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return options[Number(text) - 1]?.value;
  const names = (o: Option<V>) => [o.value, o.title, ...(o.aliases ?? [])].map(normalize);
  const exact = options.find((o) => names(o).includes(text));
  if (exact) return exact.value;
  const containing = options.filter((o) => names(o).some((name) => name.includes(text) || (text.length >= 4 && text.includes(name))));
  return containing.length === 1 ? containing[0]!.value : undefined;
}

/** Several options: "1, 3", "opvoeding en school", or a card's comma-separated values. */
export function parseOptions<V extends string>(input: string, options: readonly Option<V>[]): Parsed<V[]> {
  const parts = normalize(input)
    .split(/\s*(?:,|;|\/|\+|&|\ben\b|\bplus\b)\s*/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) return problem('Kies minstens één mogelijkheid.');
  const chosen: V[] = [];
  for (const part of parts) {
    const value = parseOption(part, options);
    if (value === undefined) return problem(`Ik herken "${part}" niet.`);
    if (!chosen.includes(value)) chosen.push(value);
  }
  // Keep the list's order, so the same answer always reads the same.
  return ok(options.map((o) => o.value).filter((v) => chosen.includes(v)));
}

const EXPECTED_WORDS = /\b(zwanger(schap)?|verwacht|ongeboren|op komst|in verwachting|nog niet geboren)\b/g;
const BABY_WORDS = /\b(baby|pasgeboren|zuigeling|newborn)\b/g;
const FILLER_WORDS = new Set([
  'en', 'jaar', 'jr', 'j', 'van', 'kind', 'kinderen', 'kids', 'zoon', 'dochter', 'de', 'het', 'een', 'oud', 'nog', 'ook', 'plus',
  'is', 'zijn', 'er', 'met', 'leeftijd', 'leeftijden', 'jarig', 'bijna', 'ruim', 'en een', 'jongen', 'meisje', 'tweeling', 'maanden', 'maand', 'mnd', 'weken', 'week', 'wk', 'jaren',
]);

/**
 * Children's ages from free text: "3, 7 en 12", "zwanger", "8 maanden en 4 jaar", "tweeling van 3", "2 kinderen: 3 en 5".
 * A child on the way becomes { expected: true }; a baby under one year is 0.
 */
export function parseChildren(input: string): Parsed<Child[]> {
  let text = normalize(input);
  if (/(^|[\s,(])-\s*\d/.test(text)) return problem('Een leeftijd kan niet negatief zijn. Een baby jonger dan 1 jaar is 0.');
  if (/\d+[.,]\d+\s*(jaar|jr)/.test(text) || /\d+\.\d+/.test(text)) {
    return problem('Geef leeftijden in hele jaren, bijvoorbeeld "3, 7 en 12". Een baby jonger dan 1 jaar is 0.');
  }
  const children: Child[] = [];
  // "2 kinderen" counts children; it is not an age.
  text = text.replace(/\b\d+\s*(kinderen|kids|kinders)\b/g, ' ');
  text = text.replace(/\btweeling\s*(van\s*)?(\d+)\b/g, (_, _van, age: string) => ` ${age} ${age} `);
  const expected = text.match(EXPECTED_WORDS)?.length ?? 0;
  text = text.replace(EXPECTED_WORDS, ' ');
  const babies = text.match(BABY_WORDS)?.length ?? 0;
  text = text.replace(BABY_WORDS, ' ');
  const tooOld: number[] = [];
  text = text.replace(/\b(\d+)\s*(maanden|maand|mnd|weken|week|wk)?\b/g, (_, digits: string, unit: string | undefined) => {
    const n = Number(digits);
    const age = unit === undefined ? n : unit.startsWith('w') ? 0 : Math.floor(n / 12);
    if (age > MAX_AGE) tooOld.push(n);
    else children.push({ age });
    return ' ';
  });
  if (tooOld.length > 0) {
    return problem(`${tooOld.join(', ')} is geen geldige leeftijd. Geef leeftijden van 0 tot en met ${MAX_AGE} jaar.`);
  }
  for (let i = 0; i < babies; i++) children.push({ age: 0 });
  for (let i = 0; i < expected; i++) children.push({ expected: true });
  const leftover = text
    .split(/[\s,;:&+/()]+/)
    .filter((word) => word !== '' && !FILLER_WORDS.has(word));
  if (leftover.length > 0) {
    return problem(`Ik begrijp "${leftover.join(' ')}" niet. Typ de leeftijden in cijfers, bijvoorbeeld "3, 7 en 12", of "zwanger" voor een kind op komst.`);
  }
  if (children.length === 0) return problem('Ik heb geen leeftijden gevonden. Typ bijvoorbeeld "3, 7 en 12", of "zwanger" voor een kind op komst.');
  if (children.length > MAX_CHILDREN) return problem(`Dat zijn ${children.length} kinderen; ik kan er hoogstens ${MAX_CHILDREN} noteren.`);
  return ok(children);
}

/** "3, 7 en 12 jaar, en een kind op komst" */
export function describeChildren(children: readonly Child[]): string {
  const ages = children.flatMap((c) => ('age' in c ? [c.age] : []));
  const expected = children.length - ages.length;
  const parts: string[] = [];
  if (ages.length > 0) parts.push(`${listNl(ages.map(String))} jaar`);
  if (expected > 0) parts.push(expected === 1 ? 'een kind op komst' : `${expected} kinderen op komst`);
  return parts.join(', en ');
}

/** ["a", "b", "c"] → "a, b en c" */
export function listNl(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} en ${items.at(-1)}`;
}

/** "Opvoeding en psychische problemen": titles joined as one sentence (only the first keeps its capital). */
export function sentenceList(titles: readonly string[]): string {
  return listNl(titles.map((t, i) => (i === 0 ? t : t.charAt(0).toLowerCase() + t.slice(1))));
}
