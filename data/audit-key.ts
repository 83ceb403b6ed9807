import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AuditKey, AuditKeyring } from './audit-log.js';

/**
 * The keys of the audit chain. AUDIT_KEY signs new entries; AUDIT_KEYS_OLD (comma-separated) holds the keys of
 * earlier entries after a rotation. A key's id is derived from the key itself ("k" and 12 hex characters of its
 * SHA-256), so an id and a secret can never be paired wrongly; every entry records the id of its key.
 * Without AUDIT_KEY (local mode only) the bot makes a key once and keeps it in DATA_DIR/audit.key (mode 0600).
 */

export const MIN_KEY_LENGTH = 32;
export const LOCAL_KEY_FILE = 'audit.key';

export class AuditKeyError extends Error {}

export function auditKeyOf(secret: string): AuditKey {
  const trimmed = secret.trim();
  if (trimmed.length < MIN_KEY_LENGTH) throw new AuditKeyError(`Een sleutel voor het toegangslog moet minstens ${MIN_KEY_LENGTH} tekens hebben.`);
  return { id: `k${createHash('sha256').update(trimmed).digest('hex').slice(0, 12)}`, secret: Buffer.from(trimmed, 'utf8') };
}

/** The keyring from AUDIT_KEY and AUDIT_KEYS_OLD; extra old keys (a local key file) come last. */
export function auditKeyring(current: string, old: string | undefined, extraOld: readonly AuditKey[] = []): AuditKeyring {
  const key = auditKeyOf(current);
  const olds = (old ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(auditKeyOf);
  const seen = new Set([key.id]);
  const unique = [...olds, ...extraOld].filter((k) => !seen.has(k.id) && seen.add(k.id));
  return { current: key, old: unique };
}

/** A fresh random key, for a store that lives only in memory (tests). */
export function ephemeralKeyring(): AuditKeyring {
  return { current: auditKeyOf(randomBytes(32).toString('base64url')), old: [] };
}

/** DATA_DIR/audit.key: read when it is there, made once (0600) when it is not. Two processes starting together get the same key. */
export async function localAuditKey(dataDir: string): Promise<AuditKey> {
  const file = path.join(dataDir, LOCAL_KEY_FILE);
  const existing = await readLocalAuditKey(dataDir);
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true });
  try {
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(`${randomBytes(32).toString('base64url')}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // Another process may be writing it this very moment.
  for (let attempt = 0; attempt < 40; attempt++) {
    const made = await readLocalAuditKey(dataDir);
    if (made) return made;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new AuditKeyError(`${file} is leeg of onleesbaar: verwijder het alleen als het toegangslog nog leeg is.`);
}

/** The key in DATA_DIR/audit.key, or undefined when there is none (yet). */
export async function readLocalAuditKey(dataDir: string): Promise<AuditKey | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dataDir, LOCAL_KEY_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // A file half written by a process that was killed while making it: the other one's read of it comes again.
  if (text.trim().length < MIN_KEY_LENGTH) return undefined;
  return auditKeyOf(text);
}

/**
 * Which keys a store uses: AUDIT_KEY (with AUDIT_KEYS_OLD) when set, else the local key in DATA_DIR. A local key
 * that is there is kept among the old keys after AUDIT_KEY is set, so entries written in local mode still verify.
 */
export async function resolveAuditKeys({ key, oldKeys, dataDir }: { key: string | undefined; oldKeys: string | undefined; dataDir: string | undefined }): Promise<AuditKeyring> {
  if (key) {
    const local = dataDir ? await readLocalAuditKey(dataDir) : undefined;
    return auditKeyring(key, oldKeys, local ? [local] : []);
  }
  if (!dataDir) return ephemeralKeyring();
  const local = await localAuditKey(dataDir);
  return auditKeyring(local.secret.toString('utf8'), oldKeys);
}
