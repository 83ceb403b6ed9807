import path from 'node:path';
import { AuditKeyError, resolveAuditKeys } from './audit-key.js';
import { JsonlAuditLog, type AuditKeyring, type AuditLog } from './audit-log.js';
import { LowdbChannelLinkStore, type ChannelLinkStore } from './channel-link.store.js';
import { LowdbConversationStateStore, type ConversationStateStore } from './conversation-state.store.js';
import { CONVERSATIONS_DIR, DataDirError, openingFile, prepareDataDir, type DataDirReport } from './data-dir.js';
import { lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { LowdbOutbox, type Outbox } from './outbox.store.js';
import { MemoryPacingLedger, type PacingLedger } from './pacing.store.js';
import { LowdbPeopleStore, type PeopleStore } from './people.store.js';
import { createPool, migrate, redacted } from './postgres/db.js';
import {
  PgAuditLog,
  PgChannelLinkStore,
  PgConversationStateStore,
  PgOutbox,
  PgPacingLedger,
  PgTurnStart,
  PgPeopleStore,
  PgReferralStore,
} from './postgres/stores.pg.js';
import { PgBulkStore } from './postgres/store-dump.pg.js';
import { LEGACY_REFERRALS_FILE, migrateLegacyFile } from './referral-files.js';
import { LowdbReferralStore, type ReferralStore } from './referral.store.js';
import type { BulkStore } from './store-dump.js';
import { LowdbBulkStore } from './store-dump.lowdb.js';

/** The stores the bot works with. Nothing outside data/ knows which implementation runs. */
export interface Stores {
  conversations: ConversationStateStore;
  referrals: ReferralStore;
  audit: AuditLog;
  channels: ChannelLinkStore;
  people: PeopleStore;
  outbox: Outbox;
  /** Where sends per Teams conversation are booked (shared by every instance on PostgreSQL). */
  pacing: PacingLedger;
  /** Export and import of everything at once (data/store-dump.ts: copying a store, seeding). */
  bulk: BulkStore;
  /** For log lines and health: which store runs and where (never a password). */
  describe: { kind: 'lowdb' | 'geheugen' | 'postgresql'; where: string };
  /** Waits for every write in progress. */
  flush(): Promise<void>;
  /** Flushes, then lets go of files, locks and connections. */
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Folder for the lowdb files; undefined (and no databaseUrl) keeps everything in memory (tests). */
  dataDir: string | undefined;
  /** postgres://… : PostgreSQL instead of lowdb, for several instances. */
  databaseUrl?: string | undefined;
  onInvalidState?: (key: string, problem: string) => void;
  /** lowdb: a conversation's state could not be written to its file (it stays in memory and is tried again). */
  onStateWriteFailed?: (error: unknown) => void;
  /**
   * Who opens a lowdb folder, for the message a second writer gets ("de bot", "npm run purge"). lowdb is one
   * process's store: opening it takes the folder's lock.
   */
  purpose?: string;
  /** Brings the PostgreSQL schema up to date first (default true). */
  migrate?: boolean;
  /** Told when the lowdb folder's lock was lost (its lock file removed or not refreshed for too long). */
  onLockCompromised?: (error: Error) => void;
  /**
   * The audit chain's key (AUDIT_KEY) and earlier keys (AUDIT_KEYS_OLD, comma-separated). Without a key: the local
   * key in dataDir/audit.key (made once), also for PostgreSQL in local mode; in memory a key of this process only.
   */
  auditKey?: string | undefined;
  auditKeysOld?: string | undefined;
  /** Told what opening the lowdb folder tidied: temporary files removed, permissions narrowed (counts, no names). */
  onPrepared?: (report: DataDirReport) => void;
}

/** The keyring for these options; PostgreSQL without AUDIT_KEY needs a folder for the local key. */
async function keysFor({ auditKey, auditKeysOld, dataDir, databaseUrl }: StoreOptions): Promise<AuditKeyring> {
  if (!auditKey && !dataDir && databaseUrl) throw new StoreConfigError('AUDIT_KEY ontbreekt: zonder gegevensmap heeft PostgreSQL een sleutel voor het toegangslog nodig.');
  try {
    return await resolveAuditKeys({ key: auditKey, oldKeys: auditKeysOld, dataDir });
  } catch (error) {
    if (error instanceof AuditKeyError) throw new StoreConfigError(error.message);
    throw error;
  }
}

export class StoreConfigError extends Error {}

export async function openStores(options: StoreOptions): Promise<Stores> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openLowdb(options);
}

async function openLowdb(options: StoreOptions): Promise<Stores> {
  const { dataDir, onInvalidState, onStateWriteFailed, purpose = 'de bot', onLockCompromised, onPrepared } = options;
  let lock: DataDirLock | undefined;
  if (dataDir) lock = await lockDataDir(dataDir, purpose, onLockCompromised);
  try {
    // Always prepared (also for the commands, which pass no onPrepared): the missing-store rule must hold for them too.
    if (dataDir) {
      const report = await prepareDataDir(dataDir);
      onPrepared?.(report);
    }
    const keys = await keysFor(options);
    // A file that cannot be read stops the start with one line naming it (data/data-dir.ts).
    const file = <T>(name: string, openIt: () => Promise<T>) => (dataDir ? openingFile(path.join(dataDir, name), openIt) : openIt());
    const audit = await file('audit.jsonl', () => JsonlAuditLog.open(dataDir, keys));
    const conversations = await LowdbConversationStateStore.open(dataDir && path.join(dataDir, CONVERSATIONS_DIR), audit, onInvalidState, onStateWriteFailed);
    const outbox = await file('outbox.json', () => LowdbOutbox.open(dataDir));
    // An earlier version's single file becomes the folder of the aanmeldingen first (once).
    if (dataDir) await file(LEGACY_REFERRALS_FILE, () => migrateLegacyFile(dataDir));
    const referrals = await LowdbReferralStore.open(dataDir, audit, outbox);
    const channels = await file('channels.json', () => LowdbChannelLinkStore.open(dataDir, audit, outbox));
    const people = await file('people.json', () => LowdbPeopleStore.open(dataDir));
    const flush = async () => {
      await Promise.all([referrals.flush(), audit.flush(), channels.flush(), people.flush(), outbox.flush(), conversations.flush()]);
    };
    return {
      conversations,
      referrals,
      audit,
      channels,
      people,
      outbox,
      pacing: new MemoryPacingLedger(),
      bulk: new LowdbBulkStore({ referrals, audit, channels, people, outbox, conversations }),
      describe: dataDir ? { kind: 'lowdb', where: dataDir } : { kind: 'geheugen', where: '(geheugen)' },
      flush,
      async close() {
        await flush();
        await referrals.close();
        await audit.checkpoint(new Date());
        await lock?.release();
      },
    };
  } catch (error) {
    await lock?.release();
    // A missing or broken store file is the operator's to fix, said in one line like any other store setting.
    if (error instanceof DataDirError) throw new StoreConfigError(error.message);
    throw error;
  }
}

async function openPostgres(databaseUrl: string, options: StoreOptions): Promise<Stores> {
  const { onInvalidState, migrate: migrateFirst = true } = options;
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) throw new StoreConfigError('DATABASE_URL moet beginnen met postgres:// of postgresql://');
  const keys = await keysFor(options);
  if (migrateFirst) {
    try {
      await migrate(databaseUrl);
    } catch (error) {
      throw new StoreConfigError(`PostgreSQL op ${redacted(databaseUrl)} is niet bruikbaar: ${(error as Error).message}`);
    }
  }
  const pool = createPool(databaseUrl);
  const audit = new PgAuditLog(pool, keys);
  // A turn's read of its conversation and the booking of its sends go to the database as one statement.
  const turnStart = new PgTurnStart(pool);
  return {
    conversations: new PgConversationStateStore(pool, keys, onInvalidState, turnStart),
    referrals: new PgReferralStore(pool, keys),
    audit,
    channels: new PgChannelLinkStore(pool, keys),
    people: new PgPeopleStore(pool),
    outbox: new PgOutbox(pool),
    pacing: new PgPacingLedger(pool, turnStart),
    bulk: new PgBulkStore(pool, keys),
    describe: { kind: 'postgresql', where: redacted(databaseUrl) },
    // Every change is committed before its promise resolves: nothing to wait for.
    async flush() {},
    async close() {
      await audit.checkpoint(new Date()).catch(() => undefined);
      await pool.end();
    },
  };
}
