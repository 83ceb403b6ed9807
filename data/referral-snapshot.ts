import type { Aanmelding } from './aanmelding.schema.js';
import { ephemeralKeyring } from './audit-key.js';
import { createPool } from './postgres/db.js';
import { readAllReferrals } from './referral-files.js';
import { PgReferralStore } from './postgres/stores.pg.js';

/**
 * The stored aanmeldingen of a DATA_DIR, read without opening the store: for reports (npm run monitor) that
 * must never write, not even create the folder. Nothing stored is an empty store.
 */
export function readReferralSnapshot(dataDir: string): Promise<Aanmelding[]> {
  return readAllReferrals(dataDir);
}

/**
 * The stored aanmeldingen for a report, from whichever store is configured, without writing: the lowdb folder's
 * file (no lock needed: the bot may run beside it), or PostgreSQL (no migrations run).
 */
export async function readReferralsForReport({ dataDir, databaseUrl }: { dataDir: string; databaseUrl?: string | undefined }): Promise<Aanmelding[]> {
  if (!databaseUrl) return readReferralSnapshot(dataDir);
  const pool = createPool(databaseUrl, 2);
  try {
    // Read only: the store never appends to the audit chain here, so no key of the chain is needed.
    return await new PgReferralStore(pool, ephemeralKeyring()).list();
  } finally {
    await pool.end();
  }
}
