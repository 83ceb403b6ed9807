/**
 * Brings the PostgreSQL schema up to date (the bot also does this at start):
 *
 *   npm run db:migrate
 *
 * Reads DATABASE_URL. Several instances or runs at once wait for each other. Exit 0: up to date (the migrations
 * applied are listed). Exit 2: no or an unusable DATABASE_URL, or the database cannot be reached.
 */
import { migrate, redacted } from '../../data/postgres/db.js';
import { loadSettings, SettingsError } from '../settings.js';

async function main(): Promise<number> {
  let databaseUrl: string | undefined;
  try {
    databaseUrl = loadSettings().DATABASE_URL;
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  if (!databaseUrl) {
    process.stderr.write('DATABASE_URL ontbreekt: zet het op de PostgreSQL-database (postgres://gebruiker@host:5432/database). Zonder DATABASE_URL gebruikt de bot lowdb en is er niets te migreren.\n');
    return 2;
  }
  let applied: string[];
  try {
    applied = await migrate(databaseUrl);
  } catch (error) {
    process.stderr.write(`PostgreSQL op ${redacted(databaseUrl)} is niet bruikbaar: ${(error as Error).message}\n`);
    return 2;
  }
  const lines = applied.map((name) => `toegepast: ${name}`);
  lines.push(applied.length ? `${applied.length} migratie(s) toegepast op ${redacted(databaseUrl)}.` : `Het schema van ${redacted(databaseUrl)} is al bij.`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`interne fout: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
