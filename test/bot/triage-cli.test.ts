import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// shared/triage-contract.md, run as a user would: each case is a child process.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'triage-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The example input of the contract, with changes; `undefined` removes a field. */
function aanmelding(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    service: 'gezinscoach',
    consent: 'ja',
    safetyConcern: false,
    children: [{ age: 7 }, { expected: true }],
    criteria: ['psychiatrie', 'cultuur-taal'],
    specialistCareNeeded: false,
    ...overrides,
  };
}

let files = 0;
function inputFile(content: unknown, name = `aanmelding-${++files}.json`): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {}): Promise<Run> {
  const { GEMEENTE: _gemeente, GEMEENTE_CONFIG: _config, ...env } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: { ...env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** The CLI without npm in front: the same file, half the start-up time. */
const triage = (args: string[], options?: Parameters<typeof run>[2]) => run(process.execPath, ['--import', 'tsx', 'bot/cli/triage.ts', ...args], options);

function expectOneResult({ code, stdout, stderr }: Run) {
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(stdout).toMatch(/^\{[^]*\}\n$/);
  const result = JSON.parse(stdout) as Record<string, unknown>;
  expect(Object.keys(result)).toEqual(['route', 'urgent', 'criteria', 'reasons']);
  return result;
}

function expectRefusal({ code, stdout, stderr }: Run, problem: RegExp) {
  expect(stdout).toBe('');
  expect(code).toBe(2);
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd()).toMatch(problem);
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe.concurrent('npm run --silent triage', () => {
  it('prints exactly one JSON object for the example of the contract', async () => {
    const result = expectOneResult(await run('npm', ['run', '--silent', 'triage', '--', inputFile(aanmelding())]));
    expect(result).toMatchObject({ route: 'keukentafelgesprek', urgent: false, criteria: ['psychiatrie', 'cultuur-taal'] });
    expect(result.reasons).toEqual([
      expect.stringMatching(/^Complexe vraag: /),
      'Criterium: Onderliggende psychiatrische problematiek.',
      'Criterium: Grote cultuur- en taalverschillen (in combinatie met andere punten).',
    ]);
  });

  it('reads a relative path from the directory the command was typed in', async () => {
    inputFile(aanmelding({ criteria: [] }), 'hier.json');
    const result = expectOneResult(await run('npm', ['--prefix', ROOT, 'run', '--silent', 'triage', '--', 'hier.json'], { cwd: dir }));
    expect(result.route).toBe('gezinscoach');
  });
});

describe.concurrent('the triage command', () => {
  it('reads standard input when the path is -, ignoring fields triage does not use', async () => {
    const full = aanmelding({ safetyConcern: true, household: 'alleenstaande-moeder', wijk: 'Oirlo', referrer: { role: 'huisarts' } });
    const result = expectOneResult(await triage(['-'], { stdin: JSON.stringify(full) }));
    expect(result).toMatchObject({ route: 'jeugdconsulent', urgent: true });
  });

  it('uses the gemeente of GEMEENTE', async () => {
    const result = expectOneResult(await triage([inputFile(aanmelding({ service: 'gezinsverzorger', criteria: [] }))], { env: { GEMEENTE: 'venray' } }));
    expect(result.route).toBe('gezinscoach');
    expect(result.reasons).toContain('Gemeente Venray biedt geen gezinsverzorger aan; de aanvraag is daarom beoordeeld als aanmelding voor gezinsondersteuning.');
  });

  it.each([
    ['before', (file: string, config: string) => ['--config', config, file]],
    ['after', (file: string, config: string) => [file, '--config', config]],
  ])('takes --config %s the path, over GEMEENTE', async (_where, args) => {
    const config = path.join(ROOT, 'data/gemeenten/voorbeeldstad-18.json');
    const file = inputFile(aanmelding({ children: [{ age: 20 }], criteria: ['schulden'] }));
    const result = expectOneResult(await triage(args(file, config), { env: { GEMEENTE: 'standaard' } }));
    expect(result).toMatchObject({ route: 'buiten-doelgroep', criteria: ['schulden'] });
  });

  it.each([
    ['a missing field', aanmelding({ consent: undefined }), /^consent: ontbreekt; kies uit "ja", "nee", "anoniem"$/],
    ['a wrong type', aanmelding({ safetyConcern: 'ja' }), /^safetyConcern: verwacht true of false, kreeg tekst$/],
    ['an unknown service', aanmelding({ service: 'kinderopvang' }), /^service: onbekende waarde "kinderopvang"; kies uit "gezinscoach", "gezinsverzorger"$/],
    ['an unknown criterion', aanmelding({ criteria: ['schulden'] }), /^criteria\.0: onbekende waarde "schulden"; kies uit "psychiatrie", /],
    ['a duplicate criterion', aanmelding({ criteria: ['psychiatrie', 'psychiatrie'] }), /^criteria\.1: "psychiatrie" staat er dubbel in$/],
    ['age 121', aanmelding({ children: [{ age: 121 }] }), /^children\.0\.age: mag hoogstens 120 zijn$/],
    ['age -1', aanmelding({ children: [{ age: -1 }] }), /^children\.0\.age: moet minstens 0 zijn$/],
    ['a non-integer age', aanmelding({ children: [{ age: 7.5 }] }), /^children\.0\.age: verwacht een geheel getal, kreeg een kommagetal$/],
    ['a child of neither shape', aanmelding({ children: [{ leeftijd: 7 }] }), /^children\.0: verwacht \{ "age": 0\.\.120 \} of \{ "expected": true \}$/],
    ['no children', aanmelding({ children: [] }), /^children: mag niet leeg zijn$/],
    ['a list instead of an object', [aanmelding()], /^\(geheel\): verwacht een object, kreeg een lijst$/],
    ['not JSON', '{ "service": "gezinscoach",', /^.*aanmelding-\d+\.json: geen geldige JSON$/],
  ])('refuses %s with one line naming the field, and exit status 2', async (_name, content, problem) => {
    const outcome = await triage([inputFile(content)]);
    expectRefusal(outcome, problem);
    expect(outcome.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('names every problem on a line of its own', async () => {
    const outcome = await triage([inputFile(aanmelding({ consent: 'misschien', children: [{ age: 130 }], specialistCareNeeded: undefined }))]);
    expectRefusal(outcome, /^consent: /m);
    expect(outcome.stderr.trimEnd().split('\n').map((line) => line.split(':')[0])).toEqual(['consent', 'children.0.age', 'specialistCareNeeded']);
  });

  it('refuses invalid standard input', async () => {
    expectRefusal(await triage(['-'], { stdin: 'consent: ja' }), /^stdin: geen geldige JSON$/);
  });

  it('refuses a file that does not exist', async () => {
    expectRefusal(await triage([path.join(dir, 'bestaat-niet.json')]), /bestaat-niet\.json: bestand bestaat niet$/);
  });

  it.each([
    ['no path', []],
    ['an unknown option', ['--gemeente', 'venray', 'a.json']],
    ['--config without a file', ['a.json', '--config']],
  ])('shows how to call it when given %s', async (_name, args) => {
    expectRefusal(await triage(args), /^gebruik: npm run --silent triage -- <aanmelding\.json \| -> \[--config <gemeente\.json>\]$/);
  });

  it('refuses a broken gemeente configuration, naming its field', async () => {
    const config = inputFile({ gemeente: 'Kapotstad' }, 'kapot.json');
    expectRefusal(await triage(['--config', config, inputFile(aanmelding())]), /^configuratie .*kapot\.json: ageLimit: ontbreekt$/m);
  });

  it('refuses a GEMEENTE without a configuration', async () => {
    expectRefusal(await triage([inputFile(aanmelding())], { env: { GEMEENTE: 'atlantis' } }), /^configuratie .*atlantis\.json: bestand bestaat niet$/);
  });
});
