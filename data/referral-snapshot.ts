import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AanmeldingSchema, type Aanmelding } from './aanmelding.schema.js';
import { ephemeralKeyring } from './audit-key.js';
import { createPool } from './postgres/db.js';
import { PgReferralStore } from './postgres/stores.pg.js';

/**
 * The stored aanmeldingen of a DATA_DIR, read without opening the store: for reports (npm run monitor) that
 * must never write, not even create the folder. A missing file is an empty store.
 */
const SnapshotSchema = z.object({ referrals: z.array(AanmeldingSchema) });

export async function readReferralSnapshot(dataDir: string): Promise<Aanmelding[]> {
  let raw: string;
  try {
    raw = await readFile(path.join(dataDir, 'referrals.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return SnapshotSchema.parse(JSON.parse(raw)).referrals;
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
