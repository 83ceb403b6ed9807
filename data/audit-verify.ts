import path from 'node:path';
import { auditKeyring, ephemeralKeyring, readLocalAuditKey } from './audit-key.js';
import { LEGACY_KEY_ID, readJsonlAuditLog, verifyChain, type AuditCheckpoint, type AuditKeyring, type VerifyResult } from './audit-log.js';
import { createPool, redacted } from './postgres/db.js';
import { readPgAuditLog } from './postgres/stores.pg.js';

/**
 * Verifies the access log of the configured store without opening it: nothing is written, no lock is taken (a bot
 * may run beside it), no key is made. For `npm run audit -- verify`.
 */

export interface AuditReport {
  result: VerifyResult;
  /** Where the log is, for the summary (never a password). */
  where: string;
  checkpoints: number;
  lastCheckpoint: AuditCheckpoint | undefined;
  /** How many entries each key signed (LEGACY_KEY_ID: unkeyed entries of the earlier version). */
  perKey: Record<string, number>;
}

export interface StoredLogOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  auditKey?: string | undefined;
  auditKeysOld?: string | undefined;
}

export async function verifyStoredAuditLog({ dataDir, databaseUrl, auditKey, auditKeysOld }: StoredLogOptions): Promise<AuditReport> {
  const local = await readLocalAuditKey(dataDir);
  let keys: AuditKeyring;
  if (auditKey) keys = auditKeyring(auditKey, auditKeysOld, local ? [local] : []);
  else if (local) keys = auditKeyring(local.secret.toString('utf8'), auditKeysOld);
  // No key at all: unkeyed entries still verify, keyed ones are named as signed by an unknown key.
  else keys = auditKeyring(ephemeralKeyring().current.secret.toString('utf8'), auditKeysOld);

  const { raw, checkpoints } = databaseUrl ? await readPostgres(databaseUrl) : await readJsonlAuditLog(dataDir);
  const perKey: Record<string, number> = {};
  for (const item of raw) {
    const keyId = (item as { keyId?: unknown } | undefined)?.keyId;
    const id = typeof keyId === 'string' ? keyId : LEGACY_KEY_ID;
    perKey[id] = (perKey[id] ?? 0) + 1;
  }
  const sorted = [...checkpoints].sort((a, b) => a.seq - b.seq);
  return {
    result: verifyChain(raw, keys, checkpoints),
    where: databaseUrl ? `PostgreSQL ${redacted(databaseUrl)}` : `lowdb in ${path.resolve(dataDir)}`,
    checkpoints: checkpoints.length,
    lastCheckpoint: sorted.at(-1),
    perKey,
  };
}

async function readPostgres(databaseUrl: string) {
  const pool = createPool(databaseUrl, 1);
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const read = await readPgAuditLog(client);
    await client.query('COMMIT');
    return read;
  } finally {
    client.release();
    await pool.end();
  }
}
