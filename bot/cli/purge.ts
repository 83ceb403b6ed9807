/**
 * Retention by hand (the bot also does this itself every 6 hours):
 *
 *   npm run purge -- [--dry-run]
 *
 * Removes the family's identifying data from closed cases whose closure is more than RETENTION_MONTHS (default 24)
 * ago, and from aanmeldingen the team never sees (outside the target group, no consent) sent that long ago, in the store at DATA_DIR (default .data), and writes an 'aanmelding.opgeschoond' audit entry per case.
 * With --dry-run it only lists what it would purge. On lowdb the bot must be stopped first (the folder is one
 * process's, and this command is refused while the bot holds it); on PostgreSQL it can run beside the bot.
 * Exit 0: done (one line per case on stdout). Exit 2: unusable arguments or settings. Exit 1: a bug.
 */
import { userInfo } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DataDirLockedError } from '../../data/data-dir-lock.js';
import { openStores, StoreConfigError, type Stores } from '../../data/stores.js';
import { purgeExpired } from '../retention.js';
import { loadSettings, SettingsError, type Settings } from '../settings.js';

const USAGE = 'gebruik: npm run purge -- [--dry-run]';

async function purge(argv: string[]): Promise<number> {
  let dryRun: boolean;
  try {
    dryRun = parseArgs({ args: argv, options: { 'dry-run': { type: 'boolean', default: false } }, strict: true }).values['dry-run'];
  } catch (error) {
    process.stderr.write(`onbekend argument (${(error as Error).message})\n${USAGE}\n`);
    return 2;
  }
  let settings: Settings;
  try {
    settings = loadSettings();
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  let stores: Stores;
  try {
    stores = await openStores({ dataDir: path.resolve(settings.DATA_DIR), databaseUrl: settings.DATABASE_URL, purpose: 'npm run purge', auditKey: settings.AUDIT_KEY, auditKeysOld: settings.AUDIT_KEYS_OLD });
  } catch (error) {
    if (!(error instanceof DataDirLockedError || error instanceof StoreConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  const months = settings.RETENTION_MONTHS;
  const run = await purgeExpired({
    referrals: stores.referrals,
    months,
    now: new Date(),
    actor: { id: `cli:${userInfo().username}`, name: 'npm run purge' },
    source: 'npm run purge',
    dryRun,
  });
  await stores.close();
  const lines = run.due.map((item) =>
    dryRun
      ? `zou opschonen: ${item.reference} (${'closedAt' in item ? `afgesloten ${item.closedAt.slice(0, 10)}` : `${item.route}, aangemeld ${item.createdAt.slice(0, 10)}`})`
      : run.purged.includes(item.reference)
        ? `opgeschoond: ${item.reference}`
        : `overgeslagen: ${item.reference} (al opgeschoond)`,
  );
  const summary = dryRun
    ? `${run.due.length} aanmelding(en) langer dan ${months} maanden afgesloten of nooit bij het team; er is niets veranderd (--dry-run).`
    : `${run.purged.length} aanmelding(en) opgeschoond (bewaartermijn ${months} maanden).`;
  process.stdout.write(`${[...lines, summary].join('\n')}\n`);
  return 0;
}

purge(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`interne fout: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
