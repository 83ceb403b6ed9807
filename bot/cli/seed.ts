/**
 * Made-up aanmeldingen in the configured store, for trying the bot and for benchmarks:
 *
 *   npm run seed -- --count 10000 [--seed 7]
 *
 * Writes into PostgreSQL when DATABASE_URL is set, else into lowdb in DATA_DIR (default .data; it takes the folder's
 * lock like the bot, so stop the bot first). The families and referrers are obviously invented ("Testgezin
 * Voorbeeld 12", 06 00000012); wijken come from the gemeente configuration (GEMEENTE / GEMEENTE_CONFIG), assignees
 * from the team (TEAM_CONFIG). A store that already holds aanmeldingen is added to: the references continue after
 * the existing ones, and the counters then stand after the last seeded one, so the bot's next aanmelding gets the
 * next number. The same --count and --seed give the same aanmeldingen (the dates count back from the start of today,
 * UTC, so on one day the same store).
 * Exit 0: done (one Dutch line). Exit 2: unusable arguments, settings or store. Exit 1: a bug.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, gemeenteConfigPath, loadGemeenteConfig, type GemeenteConfig } from '../../data/gemeente.config.js';
import { DataDirLockedError } from '../../data/data-dir-lock.js';
import { storeContents } from '../../data/store-dump.js';
import { openStores, StoreConfigError, type Stores } from '../../data/stores.js';
import { loadTeamConfig, teamConfigPath, type TeamConfig } from '../../data/team.config.js';
import { seedAanmeldingen } from '../seed.js';
import { loadSettings, SettingsError, type Settings } from '../settings.js';

const USAGE = 'gebruik: npm run seed -- --count AANTAL [--seed GETAL]   (AANTAL van 1 tot en met 1000000)';
const MAX_COUNT = 1_000_000;

const problem = (message: string): number => {
  process.stderr.write(`${message}\n${USAGE}\n`);
  return 2;
};

async function seed(argv: string[]): Promise<number> {
  let values: { count?: string; seed?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { count: { type: 'string' }, seed: { type: 'string' } }, strict: true }));
  } catch (error) {
    return problem(`onbekend of onvolledig argument (${(error as Error).message})`);
  }
  if (values.count === undefined) return problem('het aantal (--count) ontbreekt');
  if (!/^\d+$/.test(values.count) || Number(values.count) < 1 || Number(values.count) > MAX_COUNT) {
    return problem(`--count moet een heel getal van 1 tot en met ${MAX_COUNT} zijn, niet "${values.count}"`);
  }
  if (values.seed !== undefined && (!/^\d+$/.test(values.seed) || Number(values.seed) > 0xffffffff)) {
    return problem(`--seed moet een heel getal van 0 tot en met ${0xffffffff} zijn, niet "${values.seed}"`);
  }
  const count = Number(values.count);

  let settings: Settings;
  let config: GemeenteConfig;
  let team: TeamConfig;
  try {
    settings = loadSettings();
    config = loadGemeenteConfig(gemeenteConfigPath());
    team = loadTeamConfig(teamConfigPath());
  } catch (error) {
    if (error instanceof SettingsError || error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  let stores: Stores;
  try {
    stores = await openStores({ dataDir: path.resolve(settings.DATA_DIR), databaseUrl: settings.DATABASE_URL, purpose: 'npm run seed', auditKey: settings.AUDIT_KEY, auditKeysOld: settings.AUDIT_KEYS_OLD });
  } catch (error) {
    if (!(error instanceof DataDirLockedError || error instanceof StoreConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  try {
    const before = (await storeContents(stores)).referrals;
    // Counted back from the start of today (UTC): the same --count and --seed give the same store all day.
    const now = new Date();
    now.setUTCHours(0, 0, 0, 0);
    const summary = await seedAanmeldingen(stores, count, {
      config,
      team,
      now,
      seed: values.seed === undefined ? 1 : Number(values.seed),
      retentionMonths: settings.RETENTION_MONTHS,
    });
    const seconds = (summary.durationMs / 1000).toLocaleString('nl-NL', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
    const where = `${stores.describe.kind} ${stores.describe.where}`;
    process.stdout.write(
      `${summary.count} verzonnen aanmeldingen (${summary.first} t/m ${summary.last}) in ${seconds} s toegevoegd aan ${where}` +
        `${before ? ` na de ${before} die er al waren` : ''}: ${summary.open} open, ${summary.purged} opgeschoond, ${summary.auditEntries} auditregels.\n`,
    );
    return 0;
  } finally {
    await stores.close();
  }
}

seed(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`interne fout: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
