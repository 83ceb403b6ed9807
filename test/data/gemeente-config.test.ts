import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REFERRER_ROLES } from '../../data/aanmelding.schema.js';
import { ConfigError, gemeenteConfigPath, GV_REQUESTER_ROLES, loadGemeenteConfig, parseGemeenteConfig } from '../../data/gemeente.config.js';

const standaardFile = gemeenteConfigPath({ GEMEENTE: 'standaard' });
const load = (name: string) => loadGemeenteConfig(gemeenteConfigPath({ GEMEENTE: name }));

/** The raw standaard.json, changed by `change`: a fresh copy every time. */
function gemeenteJson(change: (config: Record<string, any>) => void = () => {}): Record<string, any> {
  const config = JSON.parse(readFileSync(standaardFile, 'utf8')) as Record<string, any>;
  change(config);
  return config;
}

function configError(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but the configuration loaded');
}

const dir = mkdtempSync(path.join(tmpdir(), 'gemeente-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the configurations in data/gemeenten', () => {
  it.each(['standaard', 'groningen', 'venray', 'voorbeeldstad-18'])('loads %s.json', (name) => {
    expect(() => load(name)).not.toThrow();
  });

  it('has Groningen offer a gezinsverzorger in the wijken of seed 000', () => {
    const groningen = load('groningen');
    expect(groningen.services).toContain('gezinsverzorger');
    expect(groningen.wijken).toEqual(expect.arrayContaining(['Beijum', 'Selwerd', 'Corpus den Hoorn', 'Hoogkerk', 'Vinkhuizen']));
    expect(groningen.criteria).toEqual(load('standaard').criteria);
  });

  it('has Venray offer no gezinsverzorger', () => {
    const venray = load('venray');
    expect(venray.gemeente).toBe('Venray');
    expect(venray.services).not.toContain('gezinsverzorger');
  });

  it('has Voorbeeldstad use an age limit of 18, a criterion of its own and no keukentafelgesprek', () => {
    const voorbeeldstad = load('voorbeeldstad-18');
    expect(voorbeeldstad.ageLimit).toBe(18);
    expect(voorbeeldstad.criteria.map((c) => c.id)).toContain('schulden');
    expect(voorbeeldstad.services).not.toContain('keukentafelgesprek');
  });

  it('marks only cultuur-taal as counting in combination', () => {
    expect(load('standaard').criteria.filter((c) => c.onlyInCombination).map((c) => c.id)).toEqual(['cultuur-taal']);
  });
});

describe('choosing the configuration', () => {
  it('uses standaard without GEMEENTE or GEMEENTE_CONFIG', () => {
    expect(gemeenteConfigPath({})).toBe(standaardFile);
  });

  it('lets GEMEENTE_CONFIG win over GEMEENTE', () => {
    expect(gemeenteConfigPath({ GEMEENTE: 'venray', GEMEENTE_CONFIG: '/elders/eigen.json' })).toBe(path.resolve('/elders/eigen.json'));
    expect(path.basename(gemeenteConfigPath({ GEMEENTE: 'venray' }))).toBe('venray.json');
  });

  it('refuses a GEMEENTE that is not a plain name', () => {
    expect(configError(() => gemeenteConfigPath({ GEMEENTE: '../geheim' })).problems).toEqual([
      'GEMEENTE: alleen kleine letters, cijfers en streepjes',
    ]);
  });
});

describe('the response term of an anonymous consultation', () => {
  it('is 2 working days when a configuration does not name it, and what it names otherwise', () => {
    expect(parseGemeenteConfig(gemeenteJson((c) => delete c.reactieTermijnWerkdagen)).reactieTermijnWerkdagen).toBe(2);
    expect(parseGemeenteConfig(gemeenteJson((c) => (c.reactieTermijnWerkdagen = 3))).reactieTermijnWerkdagen).toBe(3);
  });
});

describe('the age bands of a gemeente', () => {
  it('are 0, 4 and 12 (seed 004) when a configuration does not name them, and Groningen\'s own (seed 000: 0–6, 6–12, 12–18, 18+)', () => {
    expect(load('venray').leeftijdsgroepen).toEqual([0, 4, 12]);
    expect(load('groningen').leeftijdsgroepen).toEqual([0, 6, 12, 18]);
  });

  it.each([
    [[4, 12], 'leeftijdsgroepen.0: de eerste groep begint bij 0'],
    [[0, 12, 4], 'leeftijdsgroepen.2: elke groep begint na de vorige (oplopend)'],
    [[0, 4, 30], 'leeftijdsgroepen.2: mag hoogstens 27 zijn'],
    [[0, 4, 25], 'leeftijdsgroepen.2: een groep begint hoogstens bij ageLimit (23)'],
  ])('refuses %j', (bands, problem) => {
    expect(configError(() => parseGemeenteConfig(gemeenteJson((c) => (c.leeftijdsgroepen = bands)))).problems).toContain(problem);
  });
});

describe('a broken configuration is refused with the field that is wrong', () => {
  it.each([
    ['a missing field', (c: Record<string, any>) => delete c.ageLimit, 'ageLimit: ontbreekt'],
    ['a wrong type', (c: Record<string, any>) => (c.ageLimit = '23'), 'ageLimit: verwacht een getal, kreeg tekst'],
    ['an age limit out of range', (c: Record<string, any>) => (c.ageLimit = 30), 'ageLimit: mag hoogstens 27 zijn'],
    ['an unknown service', (c: Record<string, any>) => c.services.push('kinderopvang'), 'services.4: onbekende waarde "kinderopvang"'],
    ['a missing gezinscoach', (c: Record<string, any>) => c.services.shift(), 'services: "gezinscoach" ontbreekt'],
    ['a duplicate criterion id', (c: Record<string, any>) => (c.criteria[2].id = 'psychiatrie'), 'criteria.2.id: "psychiatrie" staat er dubbel in'],
    ['a criterion without a label', (c: Record<string, any>) => delete c.criteria[0].label, 'criteria.0.label: ontbreekt'],
    ['a missing route text', (c: Record<string, any>) => delete c.routes['buiten-doelgroep'], 'routes.buiten-doelgroep: ontbreekt'],
    ['an unknown field', (c: Record<string, any>) => (c.leeftijdsgrens = 23), '(geheel): onbekend veld "leeftijdsgrens"'],
    ['a response term of no working days', (c: Record<string, any>) => (c.reactieTermijnWerkdagen = 0), 'reactieTermijnWerkdagen: '],
    [
      'only criteria that count in combination',
      (c: Record<string, any>) => c.criteria.forEach((criterion: Record<string, unknown>) => (criterion.onlyInCombination = true)),
      'criteria: minstens één criterium moet zelfstandig meetellen',
    ],
  ])('names the field for %s', (_name, change, problem) => {
    const error = configError(() => parseGemeenteConfig(gemeenteJson(change), 'test.json'));
    expect(error.problems).toEqual([expect.stringContaining(problem)]);
    expect(error.message).toContain(problem);
    expect(error.message).toContain('test.json');
  });

  it('names the file and the field when it loads a broken file', () => {
    const file = path.join(dir, 'kapot.json');
    writeFileSync(file, JSON.stringify(gemeenteJson((c) => (c.services = ['jeugdconsulent', 'keukentafelgesprek']))));
    const error = configError(() => loadGemeenteConfig(file));
    expect(error.file).toBe(file);
    expect(error.problems).toEqual(['services: "gezinscoach" ontbreekt; die route is altijd nodig']);
  });

  it('refuses a file that is not JSON', () => {
    const file = path.join(dir, 'geen-json.json');
    writeFileSync(file, '{ "gemeente": "Venray",');
    const error = configError(() => loadGemeenteConfig(file));
    expect(error.problems).toEqual(['geen geldige JSON']);
    expect(error.message).toContain(file);
  });

  it('refuses a file that does not exist', () => {
    const file = path.join(dir, 'bestaat-niet.json');
    const error = configError(() => loadGemeenteConfig(file));
    expect(error.problems).toEqual(['bestand bestaat niet']);
    expect(error.message).toContain(file);
  });

  it('refuses a GEMEENTE without a file', () => {
    expect(configError(() => load('atlantis')).problems).toEqual(['bestand bestaat niet']);
  });
});

describe('SPOED escalation and working hours in the gemeente configuration', () => {
  it('defaults to 30 minutes and ma–vr 08:30–17:00 for a file that says nothing about them', () => {
    const config = parseGemeenteConfig(gemeenteJson());
    expect(config.spoedEscalatieNaMinuten).toBe(30);
    expect(config.werktijden).toEqual({ dagen: ['ma', 'di', 'wo', 'do', 'vr'], van: '08:30', tot: '17:00' });
    expect(config.buitenWerktijdenTelefoon).toBeUndefined();
  });

  it.each([
    [{ van: '17:00', tot: '08:30' }, 'werktijden.tot: "van" moet vóór "tot" liggen'],
    [{ van: '8:30', tot: '17:00' }, 'werktijden.van: gebruik uu:mm'],
    [{ dagen: [] }, 'werktijden.dagen'],
  ])('refuses working hours %j, naming the field', (change, problem) => {
    const error = configError(() => parseGemeenteConfig(gemeenteJson((c) => (c.werktijden = { dagen: ['ma'], van: '08:30', tot: '17:00', ...change })), 'test.json'));
    expect(error.problems).toEqual([expect.stringContaining(problem)]);
  });
});

describe('each gemeente as its seeds describe it', () => {
  const groningen = loadGemeenteConfig(gemeenteConfigPath({ GEMEENTE: 'groningen' }));
  const venray = loadGemeenteConfig(gemeenteConfigPath({ GEMEENTE: 'venray' }));

  it('lets only the WIJ casemanager request a gezinsverzorger in Groningen (seed 000), and a huisarts not', () => {
    expect(groningen.services).toContain('gezinsverzorger');
    expect(groningen.gezinsverzorgerAanvragers).toEqual(['casemanager']);
  });

  it('offers no gezinsverzorger in Venray, and counts the sturingsmatrix’ age groups there (seed 004)', () => {
    expect(venray.services).not.toContain('gezinsverzorger');
    expect(venray.leeftijdsgroepen).toEqual([0, 4, 12]);
    expect(groningen.leeftijdsgroepen).toEqual([0, 6, 12, 18]);
  });

  it('keeps a configuration without gezinsverzorgerAanvragers working: the casemanager, as the seeds say', () => {
    expect(loadGemeenteConfig(gemeenteConfigPath({ GEMEENTE: 'standaard' })).gezinsverzorgerAanvragers).toEqual(['casemanager']);
  });

  it('knows the same roles as the intake', () => {
    expect([...GV_REQUESTER_ROLES]).toEqual([...REFERRER_ROLES]);
  });
});
