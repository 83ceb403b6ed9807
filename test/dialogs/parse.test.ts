import { describe, expect, it } from 'vitest';
import type { Child } from '../../data/aanmelding.schema.js';
import {
  describeChildren,
  listNl,
  normalize,
  parseChildren,
  parseCommand,
  parseOption,
  parseOptions,
  parseYesNo,
  type Option,
  type Parsed,
} from '../../dialogs/parse.js';

const ages = (...list: (number | 'expected')[]): Child[] => list.map((age) => (age === 'expected' ? { expected: true } : { age }));

const valueOf = <T>(parsed: Parsed<T>): T => {
  if (!parsed.ok) throw new Error(`expected a value, got the problem "${parsed.problem}"`);
  return parsed.value;
};
const problemOf = <T>(parsed: Parsed<T>): string => {
  if (parsed.ok) throw new Error(`expected a problem, got ${JSON.stringify(parsed.value)}`);
  return parsed.problem;
};

/** A small list in the shape of the dialog's option lists. */
const fruit: Option<'appel' | 'peer' | 'banaan' | 'bosbes' | 'braam'>[] = [
  { value: 'appel', title: 'Appel', aliases: ['goudrenet'] },
  { value: 'peer', title: 'Peer' },
  { value: 'banaan', title: 'Banaan' },
  { value: 'bosbes', title: 'Bosbes' },
  { value: 'braam', title: 'Braam' },
];

describe('parseChildren: ages as people type them', () => {
  it.each<[string, Child[]]>([
    ['3, 7 en 12', ages(3, 7, 12)],
    ['3 7 12', ages(3, 7, 12)],
    ['zwanger', ages('expected')],
    ['3 en zwanger', ages(3, 'expected')],
    ['8 maanden en 4 jaar', ages(0, 4)],
    ['14 maanden', ages(1)],
    ['6 weken', ages(0)],
    ['baby', ages(0)],
    ['0', ages(0)],
    ['tweeling van 3', ages(3, 3)],
    ['2 kinderen: 3 en 5', ages(3, 5)],
    ['zoon van 3 en dochter van 7', ages(3, 7)],
    ['23 jaar', ages(23)],
  ])('reads "%s"', (input, expected) => {
    expect(valueOf(parseChildren(input))).toEqual(expected);
  });

  it('counts a child of 24 or older too: the target group is decided by triage, not here', () => {
    expect(valueOf(parseChildren('30'))).toEqual(ages(30));
  });

  it.each<[string, RegExp]>([
    ['-1', /niet negatief/],
    ['150', /150 is geen geldige leeftijd.*0 tot en met 120/],
    ['2.5', /hele jaren/],
    ['2,5 jaar', /hele jaren/],
    ['drie', /Ik begrijp "drie" niet.*cijfers/],
    ['hallo', /Ik begrijp "hallo" niet/],
    ['', /geen leeftijden gevonden/],
  ])('explains what is wrong with "%s"', (input, message) => {
    const problem = problemOf(parseChildren(input));
    expect(problem).toMatch(message);
    expect(problem).toMatch(/bijvoorbeeld|0 tot en met|jonger dan 1 jaar/);
  });

  it('refuses more than 15 children', () => {
    const sixteen = Array.from({ length: 16 }, (_, i) => String(i + 1)).join(', ');
    expect(problemOf(parseChildren(sixteen))).toMatch(/16 kinderen.*hoogstens 15/);
    expect(valueOf(parseChildren(sixteen.replace(/, 16$/, '')))).toHaveLength(15);
  });
});

describe('parseYesNo', () => {
  it.each(['Ja', 'ja', 'JA!', 'ja, er is acute zorg', 'ja hoor', 'klopt', 'yes', 'oké'])('reads "%s" as yes', (input) => {
    expect(parseYesNo(input)).toBe(true);
  });

  it.each(['Nee', 'Nee.', 'nee, geen zorgen', 'neen', 'nope', 'no', 'niet'])('reads "%s" as no', (input) => {
    expect(parseYesNo(input)).toBe(false);
  });

  it.each(['misschien', 'weet ik niet', '', 'jaren'])('does not guess at "%s"', (input) => {
    expect(parseYesNo(input)).toBeUndefined();
  });
});

describe('parseOption: one choice from a list', () => {
  it.each<[string, string]>([
    ['1', 'appel'],
    ['5', 'braam'],
    ['Peer', 'peer'],
    ['banaan.', 'banaan'],
    ['goudrenet', 'appel'],
    ['bosb', 'bosbes'],
  ])('reads "%s" as %s', (input, value) => {
    expect(parseOption(input, fruit)).toBe(value);
  });

  it.each(['0', '6', '', 'kiwi'])('finds nothing for "%s"', (input) => {
    expect(parseOption(input, fruit)).toBeUndefined();
  });

  it('does not guess when a word fits more than one option', () => {
    expect(parseOption('b', fruit)).toBeUndefined();
    expect(parseOption('br', fruit)).toBe('braam');
  });
});

describe('parseOptions: several choices', () => {
  it.each<[string, string[]]>([
    ['peer en appel', ['appel', 'peer']],
    ['1, 3', ['appel', 'banaan']],
    ['3/1', ['appel', 'banaan']],
    ['braam & peer', ['peer', 'braam']],
    ['banaan,appel,banaan', ['appel', 'banaan']],
  ])('reads "%s" in the order of the list, without duplicates', (input, values) => {
    expect(valueOf(parseOptions(input, fruit))).toEqual(values);
  });

  it('names the part it does not recognise', () => {
    expect(problemOf(parseOptions('appel en kiwi', fruit))).toBe('Ik herken "kiwi" niet.');
  });

  it('asks for at least one choice when nothing was chosen', () => {
    expect(problemOf(parseOptions(' , ', fruit))).toMatch(/minstens één/);
  });
});

describe('parseCommand: what works at every step', () => {
  it.each<[string, string]>([
    ['Terug', 'nav.back'],
    ['vorige vraag', 'nav.back'],
    ['stop', 'nav.cancel'],
    ['Stop!', 'nav.cancel'],
    ['stoppen ', 'nav.cancel'],
    ['annuleren', 'nav.cancel'],
    ['help', 'help'],
    ['Hulp', 'help'],
    ['?', 'help'],
  ])('reads "%s" as %s', (input, command) => {
    expect(parseCommand(input)).toBe(command);
  });

  it.each(['terug naar de wijk', 'stoppen met roken', 'nee', '3'])('leaves "%s" to the step itself', (input) => {
    expect(parseCommand(input)).toBeUndefined();
  });
});

describe('normalize', () => {
  it('ignores case, accents, extra spaces and closing punctuation', () => {
    expect(normalize('  Financiën   en  ÉÉN kind!  ')).toBe('financien en een kind');
  });
});

describe('describeChildren', () => {
  it.each<[Child[], string]>([
    [ages(5), '5 jaar'],
    [ages(3, 7, 12), '3, 7 en 12 jaar'],
    [ages(3, 'expected'), '3 jaar, en een kind op komst'],
    [ages('expected', 'expected'), '2 kinderen op komst'],
  ])('describes %o as "%s"', (children, text) => {
    expect(describeChildren(children)).toBe(text);
  });
});

describe('listNl', () => {
  it.each<[string[], string]>([
    [[], ''],
    [['a'], 'a'],
    [['a', 'b'], 'a en b'],
    [['a', 'b', 'c'], 'a, b en c'],
  ])('joins %o as "%s"', (items, text) => {
    expect(listNl(items)).toBe(text);
  });
});
