import { describe, expect, it } from 'vitest';
import { gemeenteConfigPath, loadGemeenteConfig, type GemeenteConfig } from '../../data/gemeente.config.js';
import { formatIssues } from '../../data/zod-messages.js';
import { readableReason, routeFor, triageInputSchema, type Child, type TriageInput, type TriageResult } from '../../machines/triage.js';

const gemeente = (name: string) => loadGemeenteConfig(gemeenteConfigPath({ GEMEENTE: name }));
const standaard = gemeente('standaard');
const venray = gemeente('venray');
const voorbeeldstad = gemeente('voorbeeldstad-18');

/** A family with one child of 7, consent and nothing else going on: rule 7 (gezinscoach). */
function aanmelding(overrides: Partial<TriageInput> = {}): TriageInput {
  return {
    service: 'gezinscoach',
    consent: 'ja',
    safetyConcern: false,
    children: [{ age: 7 }],
    criteria: [],
    specialistCareNeeded: false,
    ...overrides,
  };
}

const triage = (overrides: Partial<TriageInput> = {}, config: GemeenteConfig = standaard) => routeFor(aanmelding(overrides), config);
const labelOf = (id: string, config: GemeenteConfig = standaard) => config.criteria.find((c) => c.id === id)?.label ?? `geen criterium ${id}`;

describe('the triage rules, first match wins', () => {
  it('routes a family with consent, a young child and no criteria to the gezinscoach', () => {
    const result = triage();
    expect(result).toMatchObject({ route: 'gezinscoach', urgent: false, criteria: [] });
    expect(result.reasons[0]).toMatch(/^Lichte ondersteuning: /);
  });

  it('gives reasons without rule numbers, and reads a reason stored with one (before issue 16) without it', () => {
    for (const input of [{}, { safetyConcern: true }, { consent: 'nee' as const }, { criteria: ['psychiatrie'] }, { specialistCareNeeded: true }]) {
      expect(triage(input).reasons.join(' ')).not.toMatch(/Regel \d/);
    }
    expect(readableReason('Regel 6, complexe vraag: er is één complexiteitscriterium van toepassing.')).toBe('Complexe vraag: er is één complexiteitscriterium van toepassing.');
    expect(readableReason('Criterium: Laag leervermogen.')).toBe('Criterium: Laag leervermogen.');
  });

  it('sends an acute safety concern to the jeugdconsulent, urgently, and names 112 and Veilig Thuis', () => {
    const result = triage({ safetyConcern: true });
    expect(result).toMatchObject({ route: 'jeugdconsulent', urgent: true });
    expect(result.reasons[0]).toMatch(/^Veiligheid eerst: /);
    expect(result.reasons[0]).toContain('112');
    expect(result.reasons[0]).toContain('Veilig Thuis (0800-2000)');
  });

  /** How the reason of each rule begins: a heading people read, never the rule's number. */
  const RULE_HEADINGS: Record<number, string> = {
    1: 'Veiligheid eerst',
    2: 'Geen toestemming',
    3: 'Aanvraag gezinsverzorger',
    4: 'Buiten de doelgroep',
    5: 'Gespecialiseerde jeugdhulp nodig',
    6: 'Complexe vraag',
    7: 'Lichte ondersteuning',
  };

  // Each case meets the deciding rule and the one after it; the earlier rule must win.
  it.each<[string, Partial<TriageInput>, TriageResult['route'], number]>([
    ['safety before consent', { safetyConcern: true, consent: 'nee' }, 'jeugdconsulent', 1],
    ['consent before the gezinsverzorger request', { consent: 'nee', service: 'gezinsverzorger' }, 'toestemming-nodig', 2],
    ['the gezinsverzorger request before the target group', { service: 'gezinsverzorger', children: [{ age: 30 }] }, 'gezinsverzorger', 3],
    ['the target group before specialist care', { children: [{ age: 30 }], specialistCareNeeded: true }, 'buiten-doelgroep', 4],
    ['specialist care before complexity', { specialistCareNeeded: true, criteria: ['psychiatrie'] }, 'jeugdconsulent', 5],
    ['complexity before the gezinscoach', { criteria: ['psychiatrie'] }, 'keukentafelgesprek', 6],
  ])('puts %s', (_name, overrides, route, rule) => {
    const result = triage(overrides);
    expect(result.route).toBe(route);
    expect(result.reasons[0]).toMatch(new RegExp(`^${RULE_HEADINGS[rule]}: `));
    expect(result.urgent).toBe(rule === 1);
  });

  it('lets safety win over every other rule at once', () => {
    const everything: Partial<TriageInput> = {
      safetyConcern: true,
      consent: 'nee',
      service: 'gezinsverzorger',
      children: [{ age: 40 }],
      specialistCareNeeded: true,
      criteria: ['chronisch'],
    };
    expect(triage(everything)).toMatchObject({ route: 'jeugdconsulent', urgent: true });
  });

  it.each<[string, Partial<TriageInput>]>([
    ['safety', { safetyConcern: true }],
    ['no consent', { consent: 'nee' }],
    ['the gezinsverzorger request', { service: 'gezinsverzorger' }],
    ['outside the target group', { children: [{ age: 40 }] }],
    ['specialist care', { specialistCareNeeded: true }],
    ['complexity', {}],
  ])('names every counted criterion by its label when %s decides', (_name, overrides) => {
    const result = triage({ ...overrides, criteria: ['interactie', 'psychiatrie'] });
    expect(result.criteria).toEqual(['psychiatrie', 'interactie']);
    expect(result.reasons).toContain(`Criterium: ${labelOf('psychiatrie')}.`);
    expect(result.reasons).toContain(`Criterium: ${labelOf('interactie')}.`);
  });
});

describe('the cultuur-taal combination rule (seed 004, Bijlage 3)', () => {
  it('routes cultuur-taal alone to gezinscoach', () => {
    const result = triage({ criteria: ['cultuur-taal'] });
    expect(result).toMatchObject({ route: 'gezinscoach', criteria: [] });
    expect(result.reasons).toContain('Grote cultuur- en taalverschillen tellen alleen mee in combinatie met een ander criterium.');
  });

  it('counts cultuur-taal together with another criterion, both of them', () => {
    const result = triage({ criteria: ['cultuur-taal', 'leervermogen'] });
    expect(result.route).toBe('keukentafelgesprek');
    expect(result.criteria).toEqual(['leervermogen', 'cultuur-taal']);
    expect(result.reasons[0]).toContain('er zijn 2 complexiteitscriteria');
  });

  it('lists counted criteria in the order of the configuration, not of the input', () => {
    const result = triage({ criteria: ['jong-kind-onduidelijk', 'cultuur-taal', 'psychiatrie'] });
    expect(result.criteria).toEqual(['psychiatrie', 'cultuur-taal', 'jong-kind-onduidelijk']);
    expect(result.reasons.slice(1)).toEqual(['psychiatrie', 'cultuur-taal', 'jong-kind-onduidelijk'].map((id) => `Criterium: ${labelOf(id)}.`));
  });
});

describe('the target group (youth up to and including 23, or a child on the way)', () => {
  it.each<[string, Child[]]>([
    ['a child of 23', [{ age: 23 }]],
    ['a newborn (age 0)', [{ age: 0 }]],
    ['only an expected child', [{ expected: true }]],
    ['an adult child of 30 beside a child of 5', [{ age: 30 }, { age: 5 }]],
    ['an adult child beside an expected one', [{ age: 30 }, { expected: true }]],
  ])('counts a family with %s as in the target group', (_name, children) => {
    expect(triage({ children }).route).toBe('gezinscoach');
  });

  it('puts a family whose youngest is 24 outside the target group and points to the wijkteam', () => {
    const result = triage({ children: [{ age: 24 }, { age: 30 }] });
    expect(result).toMatchObject({ route: 'buiten-doelgroep', urgent: false });
    expect(result.reasons[0]).toContain('geen kind is 23 jaar of jonger');
    expect(result.reasons[0]).toContain(standaard.buitenDoelgroepVerwijzing);
  });
});

describe('consent', () => {
  it('asks for consent first when parents or youth refused, and offers an anonymous consultation', () => {
    const result = triage({ consent: 'nee' });
    expect(result.route).toBe('toestemming-nodig');
    expect(result.reasons[0]).toContain('anoniem overleg');
  });

  it.each<[string, Partial<TriageInput>]>([
    ['light support', {}],
    ['a gezinsverzorger request', { service: 'gezinsverzorger' }],
    ['an adult family', { children: [{ age: 40 }] }],
    ['specialist care', { specialistCareNeeded: true }],
    ['a complex case', { criteria: ['chronisch', 'cultuur-taal'] }],
    ['cultuur-taal alone', { criteria: ['cultuur-taal'] }],
  ])('runs the same rules for anoniem as for ja: %s', (_name, overrides) => {
    const anoniem = triage({ ...overrides, consent: 'anoniem' });
    expect(anoniem.route).not.toBe('toestemming-nodig');
    expect(anoniem).toEqual(triage({ ...overrides, consent: 'ja' }));
  });
});

describe('configuration changes the outcome, not the code', () => {
  it('falls through with a note when a gezinsverzorger is requested where none is offered (Venray)', () => {
    const result = triage({ service: 'gezinsverzorger' }, venray);
    expect(result.route).toBe('gezinscoach');
    expect(result.reasons[0]).toMatch(/^Lichte ondersteuning: /);
    expect(result.reasons).toContain(
      'Gemeente Venray biedt geen gezinsverzorger aan; de aanvraag is daarom beoordeeld als aanmelding voor gezinsondersteuning.',
    );
  });

  it('applies the later rules to a gezinsverzorger request Venray cannot serve', () => {
    expect(triage({ service: 'gezinsverzorger', criteria: ['chronisch'] }, venray).route).toBe('keukentafelgesprek');
    expect(triage({ service: 'gezinsverzorger', children: [{ age: 40 }] }, venray).route).toBe('buiten-doelgroep');
  });

  it('uses the age limit of the gemeente: 20 is too old in Voorbeeldstad (18) but not by default (23)', () => {
    expect(triage({ children: [{ age: 20 }] }, standaard).route).toBe('gezinscoach');
    const result = triage({ children: [{ age: 20 }] }, voorbeeldstad);
    expect(result.route).toBe('buiten-doelgroep');
    expect(result.reasons[0]).toContain('geen kind is 18 jaar of jonger');
  });

  it('counts 18 in and 19 out in Voorbeeldstad', () => {
    expect(triage({ children: [{ age: 18 }] }, voorbeeldstad).route).toBe('gezinscoach');
    expect(triage({ children: [{ age: 19 }] }, voorbeeldstad).route).toBe('buiten-doelgroep');
  });

  it('sends a complex case to the jeugdconsulent where the gemeente has no keukentafelgesprek', () => {
    expect(triage({ criteria: ['psychiatrie'] }, standaard).route).toBe('keukentafelgesprek');
    const result = triage({ criteria: ['psychiatrie'] }, voorbeeldstad);
    expect(result).toMatchObject({ route: 'jeugdconsulent', urgent: false, criteria: ['psychiatrie'] });
    expect(result.reasons[0]).toMatch(/^Complexe vraag: .*werkt zonder keukentafelgesprek/);
  });

  it('counts a criterion only the gemeente has (schulden in Voorbeeldstad)', () => {
    const result = triage({ criteria: ['schulden'] }, voorbeeldstad);
    expect(result.criteria).toEqual(['schulden']);
    expect(result.reasons).toContain('Criterium: Problematische schulden.');
  });
});

describe('the input schema of the triage contract', () => {
  const input = (overrides: Record<string, unknown> = {}) => ({ ...aanmelding(), ...overrides });

  it('accepts the criteria of the gemeente and rejects those of another', () => {
    expect(triageInputSchema(voorbeeldstad).safeParse(input({ criteria: ['schulden'] })).success).toBe(true);
    const rejected = triageInputSchema(standaard).safeParse(input({ criteria: ['schulden'] }));
    expect(rejected.error?.issues.map((issue) => issue.path)).toEqual([['criteria', 0]]);
  });

  it('rejects a criterion ticked twice, at the second one', () => {
    const rejected = triageInputSchema(standaard).safeParse(input({ criteria: ['psychiatrie', 'chronisch', 'psychiatrie'] }));
    expect(rejected.error?.issues.map((issue) => issue.path)).toEqual([['criteria', 2]]);
  });

  it.each([0, 120])('accepts age %i', (age) => {
    expect(triageInputSchema(standaard).safeParse(input({ children: [{ age }] })).success).toBe(true);
  });

  it.each([-1, 121, 7.5])('rejects age %d, naming children.0.age', (age) => {
    const rejected = triageInputSchema(standaard).safeParse(input({ children: [{ age }] }), { reportInput: true });
    expect(rejected.error && formatIssues(rejected.error)).toEqual([expect.stringMatching(/^children\.0\.age: /)]);
  });

  it('names the age of the right child when it is given as text', () => {
    const rejected = triageInputSchema(standaard).safeParse(input({ children: [{ expected: true }, { age: '7' }] }), { reportInput: true });
    expect(rejected.error && formatIssues(rejected.error)).toEqual(['children.1.age: verwacht een getal, kreeg tekst']);
  });

  it('describes both shapes of a child when neither fits', () => {
    const rejected = triageInputSchema(standaard).safeParse(input({ children: [{ age: 3 }, { born: true }] }), { reportInput: true });
    expect(rejected.error && formatIssues(rejected.error)).toEqual(['children.1: verwacht { "age": 0..120 } of { "expected": true }']);
  });

  it('accepts a full aanmelding with fields triage does not use', () => {
    const parsed = triageInputSchema(standaard).safeParse(input({ household: 'samengesteld-gezin', wijk: 'Oirlo' }));
    expect(parsed.success).toBe(true);
  });
});
