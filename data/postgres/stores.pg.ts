import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { AanmeldingSchema, type Aanmelding, type NewAanmelding } from '../aanmelding.schema.js';
import {
  AuditEntrySchema,
  chained,
  CHECKPOINT_EVERY,
  GENESIS,
  verifyChainAsync,
  type AuditCheckpoint,
  type AuditEntry,
  type AuditEvent,
  type AuditKeyring,
  type AuditLog,
  type VerifyResult,
} from '../audit-log.js';
import { ChannelLinkSchema, type ChannelLink, type ChannelLinkStore, type LinkableService } from '../channel-link.store.js';
import { ConversationRecordSchema, isIdleFlow, type ConversationRecord, type ConversationStateStore, type IdlePurge } from '../conversation-state.store.js';
import type { Follow, FollowOf } from '../follow.js';
import { OutboxJobSchema, type NewOutboxJob, type Outbox, type OutboxJob } from '../outbox.store.js';
import type { PacingLedger } from '../pacing.store.js';
import { PersonSchema, type PeopleStore, type Person } from '../people.store.js';
import {
  annotatedRecord,
  changedRecord,
  newRecord,
  purgeOf,
  referenceFor,
  type PurgeResult,
  type ReferralStore,
  type UpdateResult,
} from '../referral.store.js';
import { longestWindow, type Limits } from '../../machines/pacing.js';
import type { Assignment } from '../../machines/referral-case.js';
import { ROUTES_NEVER_POSTED } from '../../machines/retention.js';
import { IntensitySchema } from '../gemeente.config.js';
import { ProfessionalRoleSchema } from '../team.config.js';

const AssignmentSchema = z.strictObject({
  reference: z.string().min(1),
  aadObjectId: z.string().min(1),
  role: ProfessionalRoleSchema,
  hoursPerWeek: z.number().optional(),
  intensity: IntensitySchema.optional(),
});
import { inTransaction, isUniqueViolation, type Queryable } from './db.js';

/**
 * The stores on PostgreSQL, for a municipality's service with several instances. Every change is one transaction
 * together with its audit entries and outbox jobs. Records are kept as JSON documents (validated by zod on the way
 * in and out) beside the columns that the bot's queries use.
 */

/** Advisory lock keys (pg_advisory_xact_lock): one for the audit chain; pacing uses one per conversation. */
export const AUDIT_LOCK = 7513;

// ---------------------------------------------------------------------------------------------------------------
// Audit log

/** Appends inside the caller's transaction: the chain's tail is locked until that transaction ends. */
async function appendAudit(client: Queryable, keys: AuditKeyring, event: AuditEvent, at: Date): Promise<AuditEntry> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
  const { rows } = await client.query<{ entry: AuditEntry }>('SELECT entry FROM audit_log ORDER BY seq DESC LIMIT 1');
  const last = rows[0] ? { seq: rows[0].entry.seq, hash: rows[0].entry.hash } : { seq: 0, hash: GENESIS };
  const entry = chained(event, at, last, keys);
  await client.query('INSERT INTO audit_log (seq, at, reference, entry) VALUES ($1, $2, $3, $4)', [entry.seq, entry.at, entry.reference ?? null, entry]);
  if (entry.seq % CHECKPOINT_EVERY === 0) await insertCheckpoint(client, { seq: entry.seq, hash: entry.hash, at: entry.at });
  return entry;
}

/** A checkpoint of the chain's tail (inside the caller's transaction, which holds the chain's lock). */
export async function insertCheckpoint(client: Queryable, checkpoint: AuditCheckpoint): Promise<void> {
  await client.query('INSERT INTO audit_checkpoints (seq, hash, at) VALUES ($1, $2, $3) ON CONFLICT (seq) DO NOTHING', [checkpoint.seq, checkpoint.hash, checkpoint.at]);
}

/** The audit log and its checkpoints as stored (for verification, also by the CLI beside a running bot). */
export async function readPgAuditLog(client: Queryable): Promise<{ raw: unknown[]; checkpoints: AuditCheckpoint[] }> {
  const [log, checkpoints] = await Promise.all([client.query<{ entry: unknown }>('SELECT entry FROM audit_log ORDER BY seq'), readPgCheckpoints(client)]);
  return { raw: log.rows.map((row) => row.entry), checkpoints };
}

async function readPgCheckpoints(client: Queryable): Promise<AuditCheckpoint[]> {
  const { rows } = await client.query<{ seq: string; hash: string; at: Date }>('SELECT seq, hash, at FROM audit_checkpoints ORDER BY seq');
  return rows.map((row) => ({ seq: Number(row.seq), hash: row.hash, at: row.at.toISOString() }));
}

/** How many entries of the access log are read at a time when it is verified. */
const VERIFY_BATCH = 5_000;

/** The access log's entries in order, a batch at a time (in the caller's transaction): memory stays one batch. */
async function* auditEntriesInBatches(client: Queryable): AsyncGenerator<unknown> {
  let after = 0;
  for (;;) {
    const { rows } = await client.query<{ seq: string; entry: unknown }>('SELECT seq, entry FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [after, VERIFY_BATCH]);
    for (const row of rows) yield row.entry;
    if (rows.length < VERIFY_BATCH) return;
    after = Number(rows.at(-1)!.seq);
  }
}

export class PgAuditLog implements AuditLog {
  constructor(
    private readonly pool: pg.Pool,
    private readonly keys: AuditKeyring,
  ) {}

  append(event: AuditEvent, at: Date): Promise<AuditEntry> {
    return inTransaction(this.pool, (client) => appendAudit(client, this.keys, event, at));
  }

  async entries(): Promise<AuditEntry[]> {
    const { rows } = await this.pool.query<{ entry: unknown }>('SELECT entry FROM audit_log ORDER BY seq');
    return rows.map((row) => AuditEntrySchema.parse(row.entry));
  }

  async verify(): Promise<VerifyResult> {
    const client = await this.pool.connect();
    try {
      // One snapshot of both tables: a bot appending meanwhile does not make them disagree.
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const result = await verifyChainAsync(auditEntriesInBatches(client), this.keys, await readPgCheckpoints(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  checkpoint(at: Date): Promise<AuditCheckpoint | undefined> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK]);
      const { rows } = await client.query<{ seq: string; hash: string; checkpointed: string | null }>(
        `SELECT seq, entry->>'hash' AS hash, (SELECT max(seq) FROM audit_checkpoints) AS checkpointed FROM audit_log ORDER BY seq DESC LIMIT 1`,
      );
      const tail = rows[0];
      if (!tail || (tail.checkpointed !== null && Number(tail.checkpointed) >= Number(tail.seq))) return undefined;
      const checkpoint = { seq: Number(tail.seq), hash: tail.hash, at: at.toISOString() };
      await insertCheckpoint(client, checkpoint);
      return checkpoint;
    });
  }

  async checkpoints(): Promise<AuditCheckpoint[]> {
    return readPgCheckpoints(this.pool);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Outbox

async function enqueueJob(client: Queryable, job: NewOutboxJob, at: Date): Promise<boolean> {
  const { rowCount } = await client.query(
    `INSERT INTO outbox (id, key, kind, payload, attempts, due_at, status, created_at)
     VALUES ($1, $2, $3, $4, 0, $5, 'pending', $5) ON CONFLICT (key) DO NOTHING`,
    [randomUUID(), job.key, job.kind, job.payload, at.toISOString()],
  );
  return rowCount === 1;
}

async function applyFollow(client: Queryable, keys: AuditKeyring, follow: Follow, at: Date): Promise<void> {
  for (const job of follow.jobs ?? []) await enqueueJob(client, job, at);
  // The audit chain last: its lock is then held for the shortest time.
  for (const event of follow.audit ?? []) await appendAudit(client, keys, event, at);
}

export interface OutboxRow {
  id: string;
  seq: string;
  key: string;
  kind: string;
  payload: unknown;
  attempts: number;
  due_at: Date;
  lease_until: Date | null;
  last_error: string | null;
  status: string;
  created_at: Date;
}

export function jobOf(row: OutboxRow): OutboxJob {
  return OutboxJobSchema.parse({
    id: row.id,
    key: row.key,
    kind: row.kind,
    payload: row.payload,
    attempts: row.attempts,
    dueAt: row.due_at.toISOString(),
    ...(row.lease_until ? { leaseUntil: row.lease_until.toISOString() } : {}),
    ...(row.last_error !== null ? { lastError: row.last_error } : {}),
    status: row.status,
    createdAt: row.created_at.toISOString(),
  });
}

/** How long finished jobs are kept (their keys stop duplicates of a retried action). */
const KEEP_FINISHED_DAYS = 30;

export class PgOutbox implements Outbox {
  private lastPrune = 0;

  constructor(private readonly pool: pg.Pool) {}

  enqueue(job: NewOutboxJob, at: Date): Promise<boolean> {
    return enqueueJob(this.pool, job, at);
  }

  /** Due jobs no other instance holds, leased to this one: FOR UPDATE SKIP LOCKED never waits for another claim. */
  async claim(at: Date, leaseMs: number, max: number): Promise<OutboxJob[]> {
    const { rows } = await this.pool.query<OutboxRow>(
      `UPDATE outbox SET lease_until = $2, attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM outbox
         WHERE status = 'pending' AND due_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
         ORDER BY due_at, seq LIMIT $3
         FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [at.toISOString(), new Date(at.getTime() + leaseMs).toISOString(), max],
    );
    if (at.getTime() - this.lastPrune > 60 * 60_000) {
      this.lastPrune = at.getTime();
      await this.pool.query(`DELETE FROM outbox WHERE status <> 'pending' AND finished_at < $1`, [new Date(at.getTime() - KEEP_FINISHED_DAYS * 86_400_000).toISOString()]);
    }
    return rows.sort((a, b) => a.due_at.getTime() - b.due_at.getTime() || Number(a.seq) - Number(b.seq)).map(jobOf);
  }

  async complete(id: string): Promise<void> {
    await this.pool.query(`UPDATE outbox SET status = 'done', lease_until = NULL, finished_at = now() WHERE id = $1`, [id]);
  }

  async retry(id: string, dueAt: Date, error: string): Promise<void> {
    await this.pool.query('UPDATE outbox SET due_at = $2, lease_until = NULL, last_error = $3 WHERE id = $1', [id, dueAt.toISOString(), error.slice(0, 500)]);
  }

  async fail(id: string, error: string): Promise<void> {
    await this.pool.query(`UPDATE outbox SET status = 'failed', lease_until = NULL, last_error = $2, finished_at = now() WHERE id = $1`, [id, error.slice(0, 500)]);
  }

  async list(): Promise<OutboxJob[]> {
    const { rows } = await this.pool.query<OutboxRow>('SELECT * FROM outbox ORDER BY seq');
    return rows.map(jobOf);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Referrals

function parseRecord(doc: unknown): Aanmelding {
  return AanmeldingSchema.parse(doc);
}

/** The columns that the queries use, taken from the record. */
export function columns(a: Aanmelding) {
  return [
    a.reference,
    a.intakeId,
    a.status,
    a.version,
    a.referrer.identity.aadObjectId ?? a.referrer.identity.id,
    a.assignee?.aadObjectId ?? null,
    a.closure?.at ?? null,
    a.purgedAt ?? null,
    a.createdAt,
    a,
  ];
}

async function insertReferral(client: Queryable, a: Aanmelding): Promise<void> {
  await client.query(
    `INSERT INTO referrals (reference, intake_id, status, version, referrer_id, assignee_id, closed_at, purged_at, created_at, doc)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    columns(a),
  );
}

async function saveReferral(client: Queryable, a: Aanmelding): Promise<void> {
  await client.query(
    `UPDATE referrals SET intake_id = $2, status = $3, version = $4, referrer_id = $5, assignee_id = $6, closed_at = $7,
       purged_at = $8, created_at = $9, doc = $10 WHERE reference = $1`,
    columns(a),
  );
}

async function lockedReferral(client: Queryable, reference: string): Promise<Aanmelding | undefined> {
  const { rows } = await client.query<{ doc: unknown }>('SELECT doc FROM referrals WHERE reference = $1 FOR UPDATE', [reference]);
  return rows[0] ? parseRecord(rows[0].doc) : undefined;
}

export class PgReferralStore implements ReferralStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly keys: AuditKeyring,
  ) {}

  async create(draft: NewAanmelding, at: Date, follow?: FollowOf<Aanmelding>): Promise<{ aanmelding: Aanmelding; created: boolean }> {
    const existing = await this.byIntake(draft.intakeId);
    if (existing) return { aanmelding: existing, created: false };
    try {
      return await inTransaction(this.pool, async (client) => {
        const year = at.getUTCFullYear();
        // The counter row stays locked until commit; a rollback gives the number back: no gaps, no doubles.
        const { rows } = await client.query<{ last: number }>(
          `INSERT INTO reference_counters (year, last) VALUES ($1, 1)
           ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + 1 RETURNING last`,
          [year],
        );
        const record = newRecord(draft, referenceFor(year, rows[0]!.last), at);
        await insertReferral(client, record);
        if (follow) await applyFollow(client, this.keys, follow(record), at);
        return { aanmelding: record, created: true };
      });
    } catch (error) {
      // The same intake submitted at once on two instances (Teams retried to the other one): the first one stands.
      if (isUniqueViolation(error, 'referrals_intake_id_key')) {
        const first = await this.byIntake(draft.intakeId);
        if (first) return { aanmelding: first, created: false };
      }
      throw error;
    }
  }

  update(reference: string, expectedVersion: number, change: (current: Aanmelding) => Aanmelding, at: Date, follow?: FollowOf<Aanmelding>): Promise<UpdateResult> {
    return inTransaction(this.pool, async (client): Promise<UpdateResult> => {
      const current = await lockedReferral(client, reference);
      if (!current) return { ok: false, reason: 'not-found' };
      if (current.version !== expectedVersion) return { ok: false, reason: 'conflict', current };
      const next = changedRecord(current, change, at);
      await saveReferral(client, next);
      if (follow) await applyFollow(client, this.keys, follow(next), at);
      return { ok: true, aanmelding: next };
    });
  }

  annotate(reference: string, change: (current: Aanmelding) => Aanmelding, follow?: FollowOf<Aanmelding>, at: Date = new Date()): Promise<Aanmelding | undefined> {
    return inTransaction(this.pool, async (client) => {
      const current = await lockedReferral(client, reference);
      if (!current) return undefined;
      const next = annotatedRecord(current, change);
      await saveReferral(client, next);
      if (follow) await applyFollow(client, this.keys, follow(next), at);
      return next;
    });
  }

  purgeIdentifiers(reference: string, at: Date, follow?: FollowOf<Aanmelding>): Promise<PurgeResult> {
    return inTransaction(this.pool, async (client) => {
      const result = purgeOf(await lockedReferral(client, reference), at);
      if (result.purged) {
        await saveReferral(client, result.aanmelding);
        if (follow) await applyFollow(client, this.keys, follow(result.aanmelding), at);
      }
      return result;
    });
  }

  async get(reference: string): Promise<Aanmelding | undefined> {
    const { rows } = await this.pool.query<{ doc: unknown }>('SELECT doc FROM referrals WHERE reference = $1', [reference]);
    return rows[0] ? parseRecord(rows[0].doc) : undefined;
  }

  list(): Promise<Aanmelding[]> {
    return this.select('TRUE');
  }

  open(): Promise<Aanmelding[]> {
    return this.select(`status <> 'afgesloten'`);
  }

  /**
   * A few small columns of the open, assigned cases: no record is read or parsed whole. Hours: the case's own once
   * afgeschaald (hoursPerWeek), else what the casemanager asked. A keukentafelgesprek gives a
   * row for each of its two people (assignee_id and the document's coAssignee).
   */
  async assignments(): Promise<Assignment[]> {
    const { rows } = await this.pool.query<{ reference: string; id: string; role: string; hours: number | null; intensity: string | null }>(
      `SELECT reference, person->>'aadObjectId' AS id, person->>'role' AS role,
              COALESCE(doc->>'hoursPerWeek', doc->'answers'->'gezinsverzorger'->>'hoursPerWeek')::float8 AS hours, doc->'intensity'->>'level' AS intensity
       FROM referrals
       CROSS JOIN LATERAL (VALUES (1, doc->'assignee'), (2, doc->'coAssignee')) AS slot(n, person)
       WHERE status <> 'afgesloten' AND assignee_id IS NOT NULL AND person IS NOT NULL AND jsonb_typeof(person) = 'object'
       ORDER BY created_at, reference, n`,
    );
    return rows.map((row) =>
      AssignmentSchema.parse({
        reference: row.reference,
        aadObjectId: row.id,
        role: row.role,
        ...(row.hours !== null ? { hoursPerWeek: row.hours } : {}),
        ...(row.intensity !== null && row.intensity !== 'licht' ? { intensity: row.intensity } : {}),
      }),
    );
  }

  forPerson(aadObjectId: string): Promise<Aanmelding[]> {
    return this.select(`referrer_id = $1 OR assignee_id = $1 OR (doc ? 'coAssignee' AND doc->'coAssignee'->>'aadObjectId' = $1)`, [aadObjectId]);
  }

  closedUnpurged(closedBefore: Date): Promise<Aanmelding[]> {
    return this.select(`status = 'afgesloten' AND purged_at IS NULL AND closed_at <= $1`, [closedBefore.toISOString()]);
  }

  neverPostedUnpurged(createdBefore: Date): Promise<Aanmelding[]> {
    return this.select(`status <> 'afgesloten' AND purged_at IS NULL AND created_at <= $1 AND doc->'triage'->>'route' = ANY($2)`, [
      createdBefore.toISOString(),
      [...ROUTES_NEVER_POSTED],
    ]);
  }

  private async byIntake(intakeId: string): Promise<Aanmelding | undefined> {
    const { rows } = await this.pool.query<{ doc: unknown }>('SELECT doc FROM referrals WHERE intake_id = $1', [intakeId]);
    return rows[0] ? parseRecord(rows[0].doc) : undefined;
  }

  private async select(where: string, values: unknown[] = []): Promise<Aanmelding[]> {
    const { rows } = await this.pool.query<{ doc: unknown }>(`SELECT doc FROM referrals WHERE ${where} ORDER BY created_at, reference`, values);
    return rows.map((row) => parseRecord(row.doc));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Channel links, people, conversation state

export class PgChannelLinkStore implements ChannelLinkStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly keys: AuditKeyring,
  ) {}

  async get(service: LinkableService): Promise<ChannelLink | undefined> {
    const { rows } = await this.pool.query<{ doc: unknown }>('SELECT doc FROM channel_links WHERE service = $1', [service]);
    return rows[0] ? ChannelLinkSchema.parse(rows[0].doc) : undefined;
  }

  async all(): Promise<ChannelLink[]> {
    const { rows } = await this.pool.query<{ doc: unknown }>('SELECT doc FROM channel_links ORDER BY service');
    return rows.map((row) => ChannelLinkSchema.parse(row.doc));
  }

  link(link: ChannelLink, follow?: Follow): Promise<void> {
    const checked = ChannelLinkSchema.parse(link);
    return inTransaction(this.pool, async (client) => {
      await client.query('INSERT INTO channel_links (service, doc) VALUES ($1, $2) ON CONFLICT (service) DO UPDATE SET doc = EXCLUDED.doc', [checked.service, checked]);
      if (follow) await applyFollow(client, this.keys, follow, new Date(checked.linkedAt));
    });
  }

  unlink(service: LinkableService, channelId: string, follow?: Follow, at = new Date()): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const { rowCount } = await client.query(`DELETE FROM channel_links WHERE service = $1 AND doc->>'channelId' = $2`, [service, channelId]);
      if (!rowCount) return false;
      if (follow) await applyFollow(client, this.keys, follow, at);
      return true;
    });
  }

  async rename(channelId: string, channelName: string): Promise<ChannelLink[]> {
    const { rows } = await this.pool.query<{ doc: unknown }>(
      `UPDATE channel_links SET doc = doc || jsonb_build_object('channelName', $2::text)
       WHERE doc->>'channelId' = $1 AND doc->>'channelName' IS DISTINCT FROM $2 RETURNING doc`,
      [channelId, channelName],
    );
    return rows.map((row) => ChannelLinkSchema.parse(row.doc));
  }
}

/**
 * Part of a statement that writes what a turn can do without: the state of a conversation in progress, the bookings
 * of sends, how to reach a person (each written again by the next turn). Its commit does not wait for the write-ahead
 * log to reach the disk (synchronous_commit off, for this transaction only): 0.15 ms less per write here, more on a
 * managed server whose disk is across the network. Should the database server itself fail, the last fraction of a
 * second of such writes may be gone (the person is asked the last question again); aanmeldingen, the access log and
 * the outbox commit as always, and a later synchronous commit makes every earlier one durable with it.
 */
const LAZILY = "lazily AS (SELECT set_config('synchronous_commit', 'off', true))";

/** How long this instance trusts that a person it wrote is still as it wrote them (see PgPeopleStore.remember). */
const REMEMBERED_FOR_MS = 5 * 60_000;
const REMEMBERED_PEOPLE = 10_000;

export class PgPeopleStore implements PeopleStore {
  /** What this instance wrote of each person lately, and when: the same again is no statement (one per turn). */
  private readonly written = new Map<string, { doc: string; at: number }>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: () => number = Date.now,
  ) {}

  async get(aadObjectId: string): Promise<Person | undefined> {
    const { rows } = await this.pool.query<{ doc: unknown }>('SELECT doc FROM people WHERE aad_object_id = $1', [aadObjectId]);
    return rows[0] ? PersonSchema.parse(rows[0].doc) : undefined;
  }

  /** One statement: what is new is merged in (a personal chat once known is kept), and nothing is written if nothing changed. */
  async remember(person: Person): Promise<void> {
    const checked = PersonSchema.parse(person);
    // Every turn remembers its sender, nearly always unchanged: what this instance wrote itself a moment ago is not
    // sent again. Another instance forgetting the personal chat meanwhile (the app removed, then added again within
    // minutes) leaves it unknown for at most REMEMBERED_FOR_MS; a dossier then starts the 1:1 chat anew, as after
    // any removal.
    const doc = JSON.stringify(checked);
    const now = this.clock();
    const last = this.written.get(checked.aadObjectId);
    if (last && last.doc === doc && now - last.at < REMEMBERED_FOR_MS) return;
    await this.pool.query(
      `WITH ${LAZILY} INSERT INTO people (aad_object_id, doc) SELECT $1::text, $2::jsonb FROM lazily
       ON CONFLICT (aad_object_id) DO UPDATE SET doc = people.doc || EXCLUDED.doc
       WHERE people.doc IS DISTINCT FROM people.doc || EXCLUDED.doc`,
      [checked.aadObjectId, doc],
    );
    // Most recently written last, so the oldest is the first to go.
    this.written.delete(checked.aadObjectId);
    this.written.set(checked.aadObjectId, { doc, at: now });
    if (this.written.size > REMEMBERED_PEOPLE) this.written.delete(this.written.keys().next().value!);
  }

  async forgetPersonal(aadObjectId: string): Promise<boolean> {
    this.written.delete(aadObjectId);
    const { rowCount } = await this.pool.query(`UPDATE people SET doc = doc - 'personal' WHERE aad_object_id = $1 AND doc ? 'personal'`, [aadObjectId]);
    return (rowCount ?? 0) > 0;
  }
}

/** What reserve_send_slots takes: the conversation, the moment, the windows' counts and lengths, how many sends. */
type BookingValues = [conversationId: string, now: string, counts: number[], windowsMs: number[], count: number];

/**
 * The two statements a turn in a personal chat makes before it can answer, as one (issue 17): the booking of its sends
 * (PgPacingLedger.reserveSeveral, which TeamsLimitsMiddleware asks for as the turn begins) and the read of its
 * conversation's state (PgConversationStateStore.get, asked a moment later in the same tick). A booking waits for a
 * read until the end of the tick it was asked in (setImmediate), then goes alone; a read never waits. Paired, they
 * are one round trip and one transaction instead of two: less work for the server and for this process, and the
 * answer waits for one statement, not two side by side. When the pair fails, the read is tried again alone (the
 * booking's failure is its own: every send then books for itself).
 */
export class PgTurnStart {
  private readonly waiting: { values: BookingValues; resolve: (slots: Date[]) => void; reject: (error: unknown) => void }[] = [];

  constructor(private readonly pool: pg.Pool) {}

  book(values: BookingValues): Promise<Date[]> {
    return new Promise((resolve, reject) => {
      const booking = { values, resolve, reject };
      this.waiting.push(booking);
      setImmediate(() => {
        const index = this.waiting.indexOf(booking);
        if (index < 0) return;
        this.waiting.splice(index, 1);
        this.pool
          .query<{ slots: Date[] }>({ name: 'pacing-reserve-several', text: `WITH ${LAZILY} SELECT reserve_send_slots($1, $2, $3, $4, $5) AS slots FROM lazily`, values })
          .then(({ rows }) => resolve(rows[0]!.slots), reject);
      });
    });
  }

  /** A conversation's stored document (undefined: none), with a booking that waits, if there is one. */
  async read(key: string): Promise<unknown> {
    const booking = this.waiting.shift();
    if (booking) {
      try {
        const { rows } = await this.pool.query<{ doc: unknown; slots: Date[] }>({
          name: 'turn-start',
          text: `WITH ${LAZILY} SELECT (SELECT doc FROM conversations WHERE key = $1) AS doc, reserve_send_slots($2, $3, $4, $5, $6) AS slots FROM lazily`,
          values: [key, ...booking.values],
        });
        booking.resolve(rows[0]!.slots);
        return rows[0]!.doc ?? undefined;
      } catch (error) {
        booking.reject(error);
      }
    }
    const { rows } = await this.pool.query<{ doc: unknown }>({ name: 'conversation-get', text: 'SELECT doc FROM conversations WHERE key = $1', values: [key] });
    return rows[0]?.doc;
  }
}

/**
 * The statements every turn makes (here and in PgPacingLedger) are named: each connection of the pool has PostgreSQL
 * parse and plan them once, not on every turn (about 0.04 ms of the server's time each on the development machine).
 */
export class PgConversationStateStore implements ConversationStateStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly keys: AuditKeyring,
    private readonly onInvalid: (key: string, problem: string) => void = () => {},
    /** Shared with the PgPacingLedger of the same instance: a turn's read then goes with its booking. */
    private readonly turnStart: PgTurnStart = new PgTurnStart(pool),
  ) {}

  async get(key: string): Promise<ConversationRecord | undefined> {
    const doc = await this.turnStart.read(key);
    if (doc === undefined || doc === null) return undefined;
    const parsed = ConversationRecordSchema.safeParse(doc);
    if (!parsed.success) {
      this.onInvalid(key, parsed.error.issues.map((i) => i.path.join('.')).join(', '));
      return undefined;
    }
    return parsed.data;
  }

  async put(key: string, record: ConversationRecord): Promise<void> {
    const checked = ConversationRecordSchema.parse(record);
    await this.pool.query({
      name: 'conversation-put',
      text: `WITH ${LAZILY} INSERT INTO conversations (key, updated_at, doc) SELECT $1::text, $2::timestamptz, $3::jsonb FROM lazily
             ON CONFLICT (key) DO UPDATE SET updated_at = EXCLUDED.updated_at, doc = EXCLUDED.doc`,
      values: [key, checked.updatedAt, checked],
    });
  }

  async delete(key: string): Promise<void> {
    await this.pool.query('DELETE FROM conversations WHERE key = $1', [key]);
  }

  async markQuestion(key: string, activityId: string): Promise<void> {
    // One statement, so no turn of another instance comes between the read and the write.
    await this.pool.query({
      name: 'conversation-mark-question',
      text: `WITH ${LAZILY} UPDATE conversations SET doc = jsonb_set(doc, '{questionActivityId}', to_jsonb($2::text)) FROM lazily WHERE key = $1 AND doc ? 'flow'`,
      values: [key, activityId],
    });
  }

  /** Every change is committed before its promise resolves. */
  async flush(): Promise<void> {}

  async purgeIdle(idleSince: Date, purge: (record: ConversationRecord) => IdlePurge, at: Date): Promise<number> {
    // The partial index conversations_idle holds just the unfinished flows, however many finished ones are kept.
    const { rows: candidates } = await this.pool.query<{ key: string }>("SELECT key FROM conversations WHERE doc ? 'flow' AND updated_at < $1", [idleSince]);
    let purged = 0;
    for (const { key } of candidates) {
      // One transaction per intake: the row stays locked until its audit entry is in, and a turn that came in
      // meanwhile (another instance) is seen here and left alone.
      const done = await inTransaction(this.pool, async (client) => {
        const { rows } = await client.query<{ doc: unknown }>('SELECT doc FROM conversations WHERE key = $1 FOR UPDATE', [key]);
        const parsed = ConversationRecordSchema.safeParse(rows[0]?.doc);
        if (!parsed.success || !isIdleFlow(parsed.data, idleSince)) return false;
        const replaced = purge(parsed.data);
        const record = ConversationRecordSchema.parse(replaced.record);
        await client.query('UPDATE conversations SET updated_at = $2, doc = $3 WHERE key = $1', [key, record.updatedAt, record]);
        for (const event of replaced.audit) await appendAudit(client, this.keys, event, at);
        return true;
      });
      if (done) purged++;
    }
    return purged;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Pacing across instances

/**
 * Books a send in one conversation for all instances: the conversation's bookings are read and extended under a
 * transaction-scoped advisory lock on that conversation, so two instances never take the same room.
 */
export class PgPacingLedger implements PacingLedger {
  private lastPrune = 0;

  constructor(
    private readonly pool: pg.Pool,
    /** Shared with the PgConversationStateStore of the same instance (see PgTurnStart). */
    private readonly turnStart: PgTurnStart = new PgTurnStart(pool),
  ) {}

  async reserve(conversationId: string, now: number, limits: Limits): Promise<number> {
    const longest = longestWindow(limits);
    // One round trip: the database function reserve_send_slot (migration 1796400000000) takes the conversation's lock,
    // finds the earliest room by the rule of nextSlot (machines/pacing.ts) and books it, in one statement.
    const { rows } = await this.pool.query<{ at: Date }>(`WITH ${LAZILY} SELECT reserve_send_slot($1, $2, $3, $4) AS at FROM lazily`, [
      conversationId,
      new Date(now).toISOString(),
      limits.map(([count]) => count),
      limits.map(([, windowMs]) => windowMs),
    ]);
    const at = rows[0]!.at.getTime();
    await this.prune(now, longest);
    return at;
  }

  async reserveSeveral(conversationId: string, now: number, limits: Limits, count: number): Promise<number[]> {
    // One round trip for all: reserve_send_slots (migrations 1796500000000, 1796600000000) books them one after the
    // other; mostly in the same statement as the turn's read of its conversation (PgTurnStart).
    const slots = await this.turnStart.book([conversationId, new Date(now).toISOString(), limits.map(([count]) => count), limits.map(([, windowMs]) => windowMs), count]);
    await this.prune(now, longestWindow(limits));
    return slots.map((at) => at.getTime());
  }

  async release(conversationId: string, slots: number[]): Promise<void> {
    // As many rows as were booked at each moment: rows of one conversation at one moment are alike.
    await this.pool.query(
      `WITH ${LAZILY}, given AS (SELECT at, count(*) AS n FROM unnest($2::timestamptz[]) AS at GROUP BY at),
            numbered AS (SELECT ctid, at, row_number() OVER (PARTITION BY at) AS k FROM send_slots WHERE conversation_id = $1 AND at = ANY ($2::timestamptz[]))
       DELETE FROM send_slots USING lazily WHERE ctid IN (SELECT numbered.ctid FROM numbered JOIN given USING (at) WHERE numbered.k <= given.n)`,
      [conversationId, slots.map((at) => new Date(at).toISOString())],
    );
  }

  /** Bookings older than any window can see are removed now and then. */
  private async prune(now: number, longest: number): Promise<void> {
    if (now - this.lastPrune <= 60_000) return;
    this.lastPrune = now;
    await this.pool.query('DELETE FROM send_slots WHERE at < $1', [new Date(now - 2 * longest).toISOString()]);
  }
}
