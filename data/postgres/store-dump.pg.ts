import type pg from 'pg';
import { AanmeldingSchema } from '../aanmelding.schema.js';
import { AuditEntrySchema, GENESIS, type AuditEntry, type AuditKeyring } from '../audit-log.js';
import { ChannelLinkSchema } from '../channel-link.store.js';
import { ConversationRecordSchema, type ConversationRecord } from '../conversation-state.store.js';
import { PersonSchema } from '../people.store.js';
import {
  chainEvents,
  isEmpty,
  sequencesAfter,
  StoreNotEmptyError,
  type AppendBatch,
  type AppendResult,
  type AppendState,
  type BulkStore,
  type StoreContents,
  type StoreDump,
} from '../store-dump.js';
import { inTransaction, type Queryable } from './db.js';
import { AUDIT_LOCK, columns, insertCheckpoint, jobOf, type OutboxRow } from './stores.pg.js';

/**
 * Bulk export and import on PostgreSQL: an import or an append is one transaction of multi-row INSERTs (unnest of
 * one array per column, some thousands of rows a statement), so 100,000 aanmeldingen go in within seconds and a
 * failure leaves nothing behind.
 */

const ROWS_PER_STATEMENT = 2000;
const TABLES = 'referrals, reference_counters, audit_log, channel_links, people, conversations, outbox';

type Column = readonly [name: string, type: string];

const REFERRAL_COLUMNS: Column[] = [
  ['reference', 'text'],
  ['intake_id', 'text'],
  ['status', 'text'],
  ['version', 'integer'],
  ['referrer_id', 'text'],
  ['assignee_id', 'text'],
  ['closed_at', 'timestamptz'],
  ['purged_at', 'timestamptz'],
  ['created_at', 'timestamptz'],
  ['doc', 'jsonb'],
];
const AUDIT_COLUMNS: Column[] = [
  ['seq', 'bigint'],
  ['at', 'timestamptz'],
  ['reference', 'text'],
  ['entry', 'jsonb'],
];

/**
 * Inserts rows (one array of values per row, in the order of `cols`) with a few statements. Each batch goes as one
 * JSON value that the server takes apart (jsonb_array_elements): no parameter limit, and no escaping of every value
 * into an array literal on our side.
 */
async function insertMany(client: Queryable, table: string, cols: readonly Column[], rows: readonly unknown[][]): Promise<void> {
  const sql =
    `INSERT INTO ${table} (${cols.map(([name]) => name).join(', ')}) ` +
    `SELECT ${cols.map(([, type], i) => (type === 'jsonb' ? `r->${i}` : `(r->>${i})::${type}`)).join(', ')} FROM jsonb_array_elements($1::jsonb) AS r`;
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    await client.query(sql, [JSON.stringify(rows.slice(start, start + ROWS_PER_STATEMENT))]);
  }
}

const referralRows = (referrals: StoreDump['referrals']) => referrals.map((a) => columns(a));
const auditRows = (entries: readonly AuditEntry[]) => entries.map((e) => [e.seq, e.at, e.reference ?? null, e]);

async function contentsOf(client: Queryable): Promise<StoreContents> {
  const { rows } = await client.query<Omit<StoreContents, 'sequences'>>(
    `SELECT (SELECT count(*) FROM referrals)::int AS "referrals",
            (SELECT count(*) FROM audit_log)::int AS "auditEntries",
            (SELECT count(*) FROM channel_links)::int AS "channelLinks",
            (SELECT count(*) FROM people)::int AS "people",
            (SELECT count(*) FROM outbox WHERE status = 'pending')::int AS "pendingJobs",
            (SELECT count(*) FROM outbox WHERE status <> 'pending')::int AS "finishedJobs",
            (SELECT count(*) FROM conversations)::int AS "conversations"`,
  );
  const tail = await client.query<{ seq: string; hash: string }>(`SELECT seq, entry->>'hash' AS hash FROM audit_log ORDER BY seq DESC LIMIT 1`);
  return { ...rows[0]!, sequences: await sequencesOf(client), auditTail: tail.rows[0] ? { seq: Number(tail.rows[0].seq), hash: tail.rows[0].hash } : undefined };
}

async function sequencesOf(client: Queryable): Promise<Record<string, number>> {
  const { rows } = await client.query<{ year: number; last: number }>('SELECT year, last FROM reference_counters ORDER BY year');
  return Object.fromEntries(rows.map((row) => [String(row.year), row.last]));
}

export class PgBulkStore implements BulkStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly keys: AuditKeyring,
  ) {}

  contents(): Promise<StoreContents> {
    return contentsOf(this.pool);
  }

  /** One snapshot of every table (REPEATABLE READ): a bot writing meanwhile does not make the parts disagree. */
  async export({ audit: withAudit = true }: { audit?: boolean } = {}): Promise<StoreDump> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const sequences = await sequencesOf(client);
      const referrals = (await client.query<{ doc: unknown }>('SELECT doc FROM referrals ORDER BY created_at, reference')).rows.map((row) => AanmeldingSchema.parse(row.doc));
      const audit = withAudit
        ? (await client.query<{ entry: unknown }>('SELECT entry FROM audit_log ORDER BY seq')).rows.map((row) => AuditEntrySchema.parse(row.entry))
        : [];
      const channels = (await client.query<{ doc: unknown }>('SELECT doc FROM channel_links ORDER BY service')).rows.map((row) => ChannelLinkSchema.parse(row.doc));
      const people = (await client.query<{ doc: unknown }>('SELECT doc FROM people ORDER BY aad_object_id')).rows.map((row) => PersonSchema.parse(row.doc));
      const outbox = (await client.query<OutboxRow>(`SELECT * FROM outbox WHERE status = 'pending' ORDER BY seq`)).rows.map(jobOf);
      const { finished } = (await client.query<{ finished: number }>(`SELECT count(*)::int AS finished FROM outbox WHERE status <> 'pending'`)).rows[0]!;
      const conversations: { key: string; record: ConversationRecord }[] = [];
      let unreadable = 0;
      for (const row of (await client.query<{ key: string; doc: unknown }>('SELECT key, doc FROM conversations ORDER BY key')).rows) {
        const parsed = ConversationRecordSchema.safeParse(row.doc);
        if (parsed.success) conversations.push({ key: row.key, record: parsed.data });
        else unreadable++;
      }
      await client.query('COMMIT');
      return { sequences, referrals, audit, channels, people, outbox, conversations, leftOut: { conversations: unreadable, finishedJobs: finished } };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async import(dump: StoreDump): Promise<void> {
    await this.importInTransaction(dump);
    await this.analyze();
  }

  /**
   * Fresh statistics after a bulk write: without them the planner may take 100,000 rows for millions and scan the
   * whole table for the open cases, instead of using their small index (300 ms instead of 0.5 ms per card action).
   */
  private async analyze(): Promise<void> {
    await this.pool.query(`ANALYZE ${TABLES}`);
  }

  private importInTransaction(dump: StoreDump): Promise<void> {
    return inTransaction(this.pool, async (client) => {
      // Nobody writes while we look and fill: a bot starting on this database waits until the import is committed.
      await client.query(`LOCK TABLE ${TABLES} IN EXCLUSIVE MODE`);
      const contents = await contentsOf(client);
      if (!isEmpty(contents)) throw new StoreNotEmptyError(contents);
      await insertMany(client, 'referrals', REFERRAL_COLUMNS, referralRows(dump.referrals));
      const years = Object.entries(dump.sequences);
      await insertMany(
        client,
        'reference_counters',
        [
          ['year', 'integer'],
          ['last', 'integer'],
        ],
        years.map(([year, last]) => [Number(year), last]),
      );
      await insertMany(client, 'audit_log', AUDIT_COLUMNS, auditRows(dump.audit));
      const tail = dump.audit.at(-1);
      if (tail) await insertCheckpoint(client, { seq: tail.seq, hash: tail.hash, at: new Date().toISOString() });
      await insertMany(
        client,
        'channel_links',
        [
          ['service', 'text'],
          ['doc', 'jsonb'],
        ],
        dump.channels.map((link) => [link.service, link]),
      );
      await insertMany(
        client,
        'people',
        [
          ['aad_object_id', 'text'],
          ['doc', 'jsonb'],
        ],
        dump.people.map((person) => [person.aadObjectId, person]),
      );
      // In the dump's order: the outbox's seq (the order of queueing) follows it.
      await insertMany(
        client,
        'outbox',
        [
          ['id', 'uuid'],
          ['key', 'text'],
          ['kind', 'text'],
          ['payload', 'jsonb'],
          ['attempts', 'integer'],
          ['due_at', 'timestamptz'],
          ['lease_until', 'timestamptz'],
          ['last_error', 'text'],
          ['status', 'text'],
          ['created_at', 'timestamptz'],
        ],
        dump.outbox.map((job) => [job.id, job.key, job.kind, job.payload, job.attempts, job.dueAt, job.leaseUntil ?? null, job.lastError ?? null, job.status, job.createdAt]),
      );
      await insertMany(
        client,
        'conversations',
        [
          ['key', 'text'],
          ['updated_at', 'timestamptz'],
          ['doc', 'jsonb'],
        ],
        dump.conversations.map(({ key, record }) => [key, record.updatedAt, record]),
      );
    });
  }

  async append(make: (state: AppendState) => AppendBatch): Promise<AppendResult> {
    const result = await this.appendInTransaction(make);
    await this.analyze();
    return result;
  }

  private appendInTransaction(make: (state: AppendState) => AppendBatch): Promise<AppendResult> {
    return inTransaction(this.pool, async (client) => {
      // The same order of locks as a bot's create(): the counters, then the audit chain's tail.
      await client.query('LOCK TABLE reference_counters IN EXCLUSIVE MODE');
      await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
      const existing = await sequencesOf(client);
      const batch = make({ sequences: { ...existing } });
      const sequences = sequencesAfter(existing, batch.referrals);
      await insertMany(client, 'referrals', REFERRAL_COLUMNS, referralRows(batch.referrals));
      const changed = Object.entries(sequences).filter(([year, last]) => existing[year] !== last);
      if (changed.length) {
        await client.query(
          `INSERT INTO reference_counters (year, last) SELECT * FROM unnest($1::integer[], $2::integer[])
           ON CONFLICT (year) DO UPDATE SET last = EXCLUDED.last`,
          [changed.map(([year]) => Number(year)), changed.map(([, last]) => last)],
        );
      }
      const { rows } = await client.query<{ entry: AuditEntry }>('SELECT entry FROM audit_log ORDER BY seq DESC LIMIT 1');
      const tail = rows[0] ? { seq: Number(rows[0].entry.seq), hash: rows[0].entry.hash } : { seq: 0, hash: GENESIS };
      const entries = chainEvents(batch.audit, tail, this.keys);
      await insertMany(client, 'audit_log', AUDIT_COLUMNS, auditRows(entries));
      const last = entries.at(-1);
      if (last) await insertCheckpoint(client, { seq: last.seq, hash: last.hash, at: new Date().toISOString() });
      return { referrals: batch.referrals.length, auditEntries: entries.length, sequences };
    });
  }
}
