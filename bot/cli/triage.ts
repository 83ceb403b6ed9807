/**
 * The headless triage of shared/triage-contract.md:
 *
 *   npm run --silent triage -- <aanmelding.json | -> [--config <gemeente.json>]
 *
 * The gemeente comes from --config, else GEMEENTE_CONFIG or GEMEENTE (see data/gemeente.config.ts).
 * Exit 0: one JSON object { route, urgent, criteria, reasons } on stdout.
 * Exit 2: something the caller supplied is unusable (the arguments, the aanmelding, or the gemeente
 *         configuration); one line per problem on stderr, nothing on stdout.
 * Exit 1: a bug; one line on stderr, never a stack trace.
 */
import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { ConfigError, loadGemeenteConfig, type GemeenteConfig } from '../../data/gemeente.config.js';
import { formatIssues } from '../../data/zod-messages.js';
import { routeFor, triageInputSchema } from '../../machines/triage.js';

const USAGE = 'gebruik: npm run --silent triage -- <aanmelding.json | -> [--config <gemeente.json>]';

type Outcome = { ok: true; output: string } | { ok: false; problems: string[] };

async function triage(argv: string[]): Promise<Outcome> {
  const args = parseArguments(argv);
  if (!args) return fail(USAGE);

  let config: GemeenteConfig;
  try {
    config = args.config === undefined ? loadGemeenteConfig() : loadGemeenteConfig(args.config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { ok: false, problems: error.problems.map((problem) => `configuratie ${error.file}: ${problem}`) };
  }

  const { file } = args;
  const source = file === '-' ? 'stdin' : file;
  let raw: unknown;
  try {
    raw = JSON.parse(file === '-' ? await text(process.stdin) : await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail(`${source}: bestand bestaat niet`);
    if (code !== undefined) return fail(`${source}: kan niet gelezen worden (${code})`);
    return fail(`${source}: geen geldige JSON`);
  }

  const input = triageInputSchema(config).safeParse(raw, { reportInput: true });
  if (!input.success) return { ok: false, problems: formatIssues(input.error) };
  const { route, urgent, criteria, reasons } = routeFor(input.data, config);
  return { ok: true, output: JSON.stringify({ route, urgent, criteria, reasons }, null, 2) };
}

function parseArguments(argv: string[]): { file: string; config: string | undefined } | undefined {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: { config: { type: 'string' } }, allowPositionals: true });
    const [file, ...rest] = positionals;
    return file !== undefined && rest.length === 0 ? { file, config: values.config } : undefined;
  } catch {
    return undefined; // an unknown option, or --config without a value
  }
}

function fail(problem: string): Outcome {
  return { ok: false, problems: [problem] };
}

// npm run starts a script in the package root; relative paths mean the directory the command was typed in.
if (process.env.npm_lifecycle_event === 'triage' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

triage(process.argv.slice(2)).then(
  (outcome) => {
    if (outcome.ok) {
      process.stdout.write(`${outcome.output}\n`);
    } else {
      process.stderr.write(`${outcome.problems.join('\n')}\n`);
      process.exitCode = 2;
    }
  },
  (error: unknown) => {
    process.stderr.write(`interne fout: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
