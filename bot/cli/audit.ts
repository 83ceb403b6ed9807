/**
 * Checks the access log (NEN 7513) of the configured store: DATABASE_URL, or else DATA_DIR (default .data).
 *
 *   npm run --silent audit -- verify
 *   node dist/bot/cli/audit.js verify        (the compiled command, on a server without tsx)
 *
 * Recomputes the keyed chain with AUDIT_KEY (and AUDIT_KEYS_OLD; in local mode the key in DATA_DIR/audit.key) and
 * holds it against the checkpoints. Writes nothing and takes no lock: it may run beside the bot.
 * Exit 0: one Dutch line that says the log is in order. Exit 1: the log is not in order; one line naming the first
 * bad entry. Exit 2: unusable arguments or settings, or the store could not be read.
 */
import path from 'node:path';
import { verifyStoredAuditLog, type AuditReport } from '../../data/audit-verify.js';
import { LEGACY_KEY_ID } from '../../data/audit-log.js';
import { AuditKeyError } from '../../data/audit-key.js';
import { loadSettings, SettingsError } from '../settings.js';

const USAGE = 'gebruik: npm run --silent audit -- verify';

function summary(report: AuditReport): string {
  const { result, where } = report;
  if (!result.ok) return `Toegangslog NIET in orde (${where}): regel ${result.seq}: ${result.problem}.`;
  const keys = Object.entries(report.perKey)
    .map(([id, n]) => `${id === LEGACY_KEY_ID ? 'zonder sleutel (oude versie)' : id}: ${n}`)
    .join(', ');
  const checkpoints = report.lastCheckpoint
    ? `${report.checkpoints === 1 ? '1 controlepunt klopt' : `${report.checkpoints} controlepunten kloppen`} (laatste bij regel ${report.lastCheckpoint.seq})`
    : 'nog geen controlepunt';
  return `Toegangslog in orde (${where}): ${result.count} regel${result.count === 1 ? '' : 's'}, keten intact, ${checkpoints}${keys ? `; regels per sleutel: ${keys}` : ''}.`;
}

async function audit(argv: string[]): Promise<number> {
  if (argv.length !== 1 || argv[0] !== 'verify') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let report: AuditReport;
  try {
    const settings = loadSettings();
    report = await verifyStoredAuditLog({
      dataDir: path.resolve(settings.DATA_DIR),
      databaseUrl: settings.DATABASE_URL,
      auditKey: settings.AUDIT_KEY,
      auditKeysOld: settings.AUDIT_KEYS_OLD,
    });
  } catch (error) {
    const known = error instanceof SettingsError || error instanceof AuditKeyError;
    process.stderr.write(`${known ? (error as Error).message : `Het toegangslog kon niet gelezen worden: ${error instanceof Error ? error.message : String(error)}`}\n`);
    return 2;
  }
  process.stdout.write(`${summary(report)}\n`);
  return report.result.ok ? 0 : 1;
}

audit(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`interne fout: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
