/**
 * Moves a municipality from lowdb to PostgreSQL:
 *
 *   npm run store:copy -- --from .data --to postgres://gebruiker@host:5432/aanmeldbot
 *
 * Copies everything of the lowdb folder (aanmeldingen with their references, versions and history, the reference
 * counters, the audit log verbatim, channel links, people and the messages still to deliver) into the database,
 * after bringing its schema up to date. The database must be empty; the folder's lock is held while copying, so
 * it is refused while the bot (or anything else) works on that folder: stop the bot first. Afterwards it compares
 * both sides (counts, counters, the audit chain on the target, the records themselves) and prints a Dutch report
 * with counts only: never family data, never the database password.
 * Conversation state (an intake in progress) is not copied: lowdb keeps only a hash of a conversation's key.
 * Exit 0: copied and everything matches. Exit 1: something differs (named), or the copy failed. Exit 2: unusable
 * arguments, folder or database, a folder in use, or a database that is not empty.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DataDirLockedError } from '../../data/data-dir-lock.js';
import { redacted } from '../../data/postgres/db.js';
import { loadSettings, SettingsError } from '../settings.js';
import { copyStore, describeContents, StoreNotEmptyError, type CopyReport } from '../../data/store-dump.js';
import { lowdbSourceProblem } from '../../data/store-dump.lowdb.js';
import { openStores, StoreConfigError, type Stores } from '../../data/stores.js';

const USAGE = 'gebruik: npm run store:copy -- --from GEGEVENSMAP --to postgres://gebruiker@host:5432/database';
const PURPOSE = 'npm run store:copy';

const refuse = (message: string, usage = false): number => {
  process.stderr.write(`${message}\n${usage ? `${USAGE}\n` : ''}`);
  return 2;
};

const seconds = (ms: number) => (ms / 1000).toLocaleString('nl-NL', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

async function storeCopy(argv: string[]): Promise<number> {
  let values: { from?: string; to?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { from: { type: 'string' }, to: { type: 'string' } }, strict: true }));
  } catch (error) {
    return refuse(`onbekend of onvolledig argument (${(error as Error).message})`, true);
  }
  if (!values.from) return refuse('de lowdb-gegevensmap (--from) ontbreekt', true);
  if (!values.to) return refuse('de PostgreSQL-database (--to) ontbreekt', true);
  if (!/^postgres(ql)?:\/\//.test(values.to)) return refuse('--to moet beginnen met postgres:// of postgresql://', true);
  const from = path.resolve(values.from);
  const to = values.to;
  const notLowdb = lowdbSourceProblem(from);
  if (notLowdb) return refuse(notLowdb);

  // Both sides sign and check the audit chain with the same keys: AUDIT_KEY, or else the folder's own key.
  let keys: { auditKey: string | undefined; auditKeysOld: string | undefined };
  try {
    const settings = loadSettings();
    keys = { auditKey: settings.AUDIT_KEY, auditKeysOld: settings.AUDIT_KEYS_OLD };
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    return refuse(error.message);
  }
  let source: Stores;
  try {
    source = await openStores({ dataDir: from, purpose: PURPOSE, ...keys });
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    return refuse(`Kopiëren kan niet terwijl een ander proces de gegevensmap gebruikt. ${error.message}`);
  }
  let target: Stores;
  try {
    target = await openStores({ dataDir: from, databaseUrl: to, purpose: PURPOSE, ...keys });
  } catch (error) {
    await source.close();
    if (!(error instanceof StoreConfigError)) throw error;
    return refuse(error.message);
  }

  try {
    let report: CopyReport;
    try {
      report = await copyStore(source, target);
    } catch (error) {
      if (error instanceof StoreNotEmptyError) {
        return refuse(
          `De database ${redacted(to)} is niet leeg (${describeContents(error.contents)}). ` +
            'store:copy schrijft alleen in een lege database: kies een nieuwe database, of maak deze eerst leeg als je zeker weet dat die gegevens weg mogen. Er is niets geschreven.',
        );
      }
      process.stderr.write(`Kopiëren mislukt; in de database is niets geschreven (het kopiëren is één transactie): ${(error as Error).message}\n`);
      return 1;
    }
    const lines = [`Gekopieerd van ${source.describe.kind} ${source.describe.where} naar ${target.describe.kind} ${target.describe.where} in ${seconds(report.durationMs)} s:`];
    const width = Math.max(...report.checks.map((c) => c.label.length));
    for (const check of report.checks) lines.push(`  ${check.label.padEnd(width)}  ${check.detail} (${check.ok ? 'klopt' : 'KLOPT NIET'})`);
    const leftOut: string[] = [];
    if (report.leftOut.conversations) {
      leftOut.push(
        `${report.leftOut.conversations} gespreksstatus(sen) van lopende gesprekken (lowdb bewaart de sleutel van een gesprek niet; wie midden in een aanmelding zat, begint opnieuw)`,
      );
    }
    if (report.leftOut.finishedJobs) leftOut.push(`${report.leftOut.finishedJobs} al afgehandelde bericht(en) uit de outbox`);
    if (leftOut.length) lines.push(`Niet meegenomen: ${leftOut.join('; ')}.`);
    if (report.ok) {
      lines.push(`Alles klopt. Start de bot voortaan met DATABASE_URL=${redacted(to)}; de map ${from} blijft zoals hij was.`);
      process.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    }
    process.stdout.write(`${lines.join('\n')}\n`);
    const differences = report.checks.filter((c) => !c.ok).map((c) => `${c.label} (${c.detail})`);
    process.stderr.write(`De kopie klopt niet: ${differences.join('; ')}. Gebruik de database nog niet; de map ${from} is niet veranderd.\n`);
    return 1;
  } finally {
    await Promise.all([source.close(), target.close()]);
  }
}

storeCopy(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    // A driver's message can hold the connection string: never its password.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`interne fout: ${message.replace(/(postgres(?:ql)?:\/\/[^:@/\s]*:)[^@\s]*@/g, '$1***@')}\n`);
    process.exitCode = 1;
  },
);
