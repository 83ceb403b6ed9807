/**
 * The monitoring counts of domain.md ("tellen en vertellen") for a period:
 *
 *   npm run --silent monitor -- --from 2026-01-01 --to 2026-12-31 [--format json|csv]
 *
 * Reads the referrals of the configured store (DATABASE_URL, or else DATA_DIR, default .data) without writing anything, and the team as the bot does
 * (TEAM_CONFIG). Exit 0: the counts on stdout (JSON, or CSV `dimensie;sleutel;waarde` for Dutch Excel).
 * Exit 2: unusable arguments or configuration; a Dutch line on stderr, nothing on stdout. Exit 1: a bug.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadGemeenteConfig, type GemeenteConfig } from '../../data/gemeente.config.js';
import { redacted } from '../../data/postgres/db.js';
import { readReferralsForReport } from '../../data/referral-snapshot.js';
import { loadTeamConfig, type TeamConfig } from '../../data/team.config.js';
import { monitoringCsv } from '../../machines/monitoring-csv.js';
import { monitoringCounts, parsePeriod } from '../../machines/monitoring.js';
import { loadSettings, SettingsError } from '../settings.js';

const USAGE = 'gebruik: npm run --silent monitor -- --from JJJJ-MM-DD --to JJJJ-MM-DD [--format json|csv]';
const FORMATS = ['json', 'csv'] as const;

type Outcome = { ok: true; output: string } | { ok: false; problems: string[] };

async function monitor(argv: string[]): Promise<Outcome> {
  let values: { from?: string; to?: string; format?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string' } }, strict: true }));
  } catch (error) {
    return { ok: false, problems: [`onbekend of onvolledig argument (${(error as Error).message})`, USAGE] };
  }
  const period = parsePeriod(values.from, values.to);
  if (!period.ok) return { ok: false, problems: [period.problem, USAGE] };
  const format = values.format ?? 'json';
  if (!(FORMATS as readonly string[]).includes(format)) return { ok: false, problems: [`onbekend formaat "${format}": kies json of csv`, USAGE] };

  let team: TeamConfig;
  let config: GemeenteConfig;
  let dataDir: string;
  let databaseUrl: string | undefined;
  try {
    const settings = loadSettings();
    dataDir = path.resolve(settings.DATA_DIR);
    databaseUrl = settings.DATABASE_URL;
    team = loadTeamConfig();
    config = loadGemeenteConfig();
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, problems: error.problems.map((p) => `configuratie ${error.file}: ${p}`) };
    if (error instanceof SettingsError) return { ok: false, problems: [error.message] };
    throw error;
  }
  let aanmeldingen;
  try {
    aanmeldingen = await readReferralsForReport({ dataDir, databaseUrl });
  } catch {
    const where = databaseUrl ? `de database ${redacted(databaseUrl)}` : dataDir;
    return { ok: false, problems: [`de aanmeldingen in ${where} konden niet gelezen worden (geen geldige opslag, of niet bereikbaar)`] };
  }
  const report = monitoringCounts({ aanmeldingen, team, period: period.period, now: new Date(), ageGroups: config });
  return { ok: true, output: format === 'csv' ? monitoringCsv(report) : `${JSON.stringify(report, null, 2)}\n` };
}

monitor(process.argv.slice(2)).then(
  (outcome) => {
    if (outcome.ok) process.stdout.write(outcome.output);
    else {
      process.stderr.write(`${outcome.problems.join('\n')}\n`);
      process.exitCode = 2;
    }
  },
  (error: unknown) => {
    process.stderr.write(`interne fout: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
