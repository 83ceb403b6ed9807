import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Low, Memory, type Adapter } from 'lowdb';
import { z } from 'zod';
import { AanmeldingSchema, type Aanmelding, type NewAanmelding } from './aanmelding.schema.js';
import type { AuditLog } from './audit-log.js';
import { DurableJSONFile } from './durable-json-file.js';
import type { Follow, FollowOf } from './follow.js';
import { KeyedMutex } from './keyed-mutex.js';
import type { Outbox } from './outbox.store.js';
import { assignmentsOf, isAssignedTo, type Assignment } from '../machines/referral-case.js';
import { isNeverPosted } from '../machines/retention.js';

export interface ReferralStore {
  /**
   * Stores a new aanmelding with the next reference of its year (AM-2026-0001, ...) and returns it once it is
   * durable. Called again with the same intakeId it returns the first record instead of making a second.
   */
  create(draft: NewAanmelding, at: Date, follow?: FollowOf<Aanmelding>): Promise<{ aanmelding: Aanmelding; created: boolean }>;
  get(reference: string): Promise<Aanmelding | undefined>;
  /** Every aanmelding, oldest first: for reports and copying a store, never on a path a person waits for. */
  list(): Promise<Aanmelding[]>;
  /** The cases that are not closed (the team's work in hand: caseloads, waiting list, reminders), oldest first. */
  open(): Promise<Aanmelding[]>;
  /** Who has which open case (caseloads on a card), without the rest of the records. */
  assignments(): Promise<Assignment[]>;
  /** The aanmeldingen a person sent or has been assigned (`status` in the personal chat), oldest first. */
  forPerson(aadObjectId: string): Promise<Aanmelding[]>;
  /** Closed cases not purged yet whose closure is at or before `closedBefore` (candidates for retention). */
  closedUnpurged(closedBefore: Date): Promise<Aanmelding[]>;
  /**
   * Aanmeldingen the team never sees (routes in ROUTES_NEVER_POSTED), not closed and not purged yet, created at or
   * before `createdBefore` (candidates for retention: nobody closes them, so their period runs from creation).
   */
  neverPostedUnpurged(createdBefore: Date): Promise<Aanmelding[]>;
  /**
   * Changes one aanmelding if it is still at `expectedVersion` (optimistic concurrency: of two coordinators
   * acting on the same card, exactly one wins). The change gets the next version and `at` as updatedAt.
   */
  update(
    reference: string,
    expectedVersion: number,
    change: (current: Aanmelding) => Aanmelding,
    at: Date,
    follow?: FollowOf<Aanmelding>,
  ): Promise<UpdateResult>;
  /**
   * Bookkeeping that is not a change of the case (where the card was posted, that a reminder went out): the
   * version stays, so the card in the channel (which carries that version) is still current.
   */
  annotate(reference: string, change: (current: Aanmelding) => Aanmelding, follow?: FollowOf<Aanmelding>, at?: Date): Promise<Aanmelding | undefined>;
  /**
   * Removes the family's identifying data from a closed case, or one the team never sees (machines/retention.ts),
   * after the retention period (domain.md, privacy):
   * contact details, the referrer's explanation, the texts of questions and answers, and other free text of the
   * family. The referrer (a professional), the answers from fixed lists, the dates and the history stay, so counts
   * survive. Sets purgedAt and raises the version. Idempotent: a case that is already purged (or not closed) is
   * left as it is and `purged` is false, so of two callers exactly one sees `purged: true`.
   */
  purgeIdentifiers(reference: string, at: Date, follow?: FollowOf<Aanmelding>): Promise<PurgeResult>;
}

export type PurgeResult = { purged: true; aanmelding: Aanmelding } | { purged: false; reason: 'not-found' | 'not-closed' | 'already-purged' };

export type UpdateResult =
  | { ok: true; aanmelding: Aanmelding }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'conflict'; current: Aanmelding };

const ReferralFileSchema = z.object({
  /** The last number handed out per year; numbers are never reused, even if a record is removed. */
  sequences: z.record(z.string().regex(/^\d{4}$/), z.number().int().min(0)),
  referrals: z.array(AanmeldingSchema),
});
export type ReferralFile = z.infer<typeof ReferralFileSchema>;

/** The next reference of a year: AM-2026-0001. */
export function referenceFor(year: number | string, number: number): string {
  return `AM-${year}-${String(number).padStart(4, '0')}`;
}

/** A new aanmelding as stored: its reference, status nieuw, version 1 and the first line of its history. */
export function newRecord(draft: NewAanmelding, reference: string, at: Date): Aanmelding {
  return AanmeldingSchema.parse({
    ...draft,
    reference,
    createdAt: at.toISOString(),
    updatedAt: at.toISOString(),
    status: 'nieuw',
    version: 1,
    history: [{ at: at.toISOString(), action: 'aangemaakt', by: { aadObjectId: draft.referrer.identity.aadObjectId ?? draft.referrer.identity.id, name: draft.referrer.identity.name } }],
  });
}

/** The checks and the new record of a purge (the same for every store); undefined reason means: purge this. */
export function purgeOf(current: Aanmelding | undefined, at: Date): PurgeResult {
  if (!current) return { purged: false, reason: 'not-found' };
  if (current.status !== 'afgesloten' && !isNeverPosted(current)) return { purged: false, reason: 'not-closed' };
  if (current.purgedAt !== undefined) return { purged: false, reason: 'already-purged' };
  const REMOVED = '[verwijderd]';
  const { contact: _contact, explanation: _explanation, ...answers } = current.answers;
  // Free text typed about the family in a nested answer (a gezinsverzorger's goal): the fixed choices stay.
  const nested = Object.fromEntries(
    Object.entries(answers).flatMap(([key, value]) =>
      value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { goal?: unknown }).goal === 'string'
        ? [[key, { ...value, goal: REMOVED }]]
        : [],
    ),
  );
  const aanmelding = AanmeldingSchema.parse({
    ...current,
    answers: { ...answers, ...nested },
    questions: current.questions.map((q) => ({ ...q, question: REMOVED, ...(q.answer !== undefined ? { answer: REMOVED } : {}) })),
    purgedAt: at.toISOString(),
    version: current.version + 1,
    updatedAt: at.toISOString(),
  });
  return { purged: true, aanmelding };
}

/** A changed record as stored: the reference stays, the version is raised, updatedAt is the change's time. */
export function changedRecord(current: Aanmelding, change: (current: Aanmelding) => Aanmelding, at: Date): Aanmelding {
  return AanmeldingSchema.parse({ ...change(current), reference: current.reference, version: current.version + 1, updatedAt: at.toISOString() });
}

/** Bookkeeping on a record: the version and updatedAt stay. */
export function annotatedRecord(current: Aanmelding, change: (current: Aanmelding) => Aanmelding): Aanmelding {
  return AanmeldingSchema.parse({ ...change(current), reference: current.reference, version: current.version, updatedAt: current.updatedAt });
}

/**
 * The aanmeldingen of one process in one JSON file (lowdb). Follow-ups (audit, outbox) are written right after the
 * change they belong to; the channel-post sweep at start-up makes up for a post a crash lost in between.
 */
export class LowdbReferralStore implements ReferralStore {
  private readonly mutex = new KeyedMutex();

  private constructor(
    private readonly db: Low<ReferralFile>,
    private readonly audit: AuditLog,
    private readonly outbox: Outbox,
  ) {}

  static async open(dir: string | undefined, audit: AuditLog, outbox: Outbox): Promise<LowdbReferralStore> {
    let adapter: Adapter<ReferralFile>;
    if (dir) {
      await mkdir(dir, { recursive: true });
      adapter = new DurableJSONFile<ReferralFile>(path.join(dir, 'referrals.json'));
    } else {
      adapter = new Memory<ReferralFile>();
    }
    const db = new Low<ReferralFile>(adapter, { sequences: {}, referrals: [] });
    await db.read();
    // A store that does not match the schema stops the bot: better no start than silently lost referrals.
    db.data = ReferralFileSchema.parse(db.data, { reportInput: true });
    return new LowdbReferralStore(db, audit, outbox);
  }

  async create(draft: NewAanmelding, at: Date, follow?: FollowOf<Aanmelding>): Promise<{ aanmelding: Aanmelding; created: boolean }> {
    return this.write<{ aanmelding: Aanmelding; created: boolean }>(at, async () => {
      const existing = this.db.data.referrals.find((r) => r.intakeId === draft.intakeId);
      if (existing) return { result: { aanmelding: existing, created: false } };
      const year = String(at.getUTCFullYear());
      const number = (this.db.data.sequences[year] ?? 0) + 1;
      const record = newRecord(draft, referenceFor(year, number), at);
      const then = follow?.(record);
      // Not durable means not created: a failed write leaves the store as it was.
      await this.commit((data) => ({ sequences: { ...data.sequences, [year]: number }, referrals: [...data.referrals, record] }));
      return { result: { aanmelding: record, created: true }, then };
    });
  }

  async update(reference: string, expectedVersion: number, change: (current: Aanmelding) => Aanmelding, at: Date, follow?: FollowOf<Aanmelding>): Promise<UpdateResult> {
    return this.write<UpdateResult>(at, async () => {
      const index = this.indexOf(reference);
      const current = this.db.data.referrals[index];
      if (!current) return { result: { ok: false, reason: 'not-found' } };
      if (current.version !== expectedVersion) return { result: { ok: false, reason: 'conflict', current } };
      const next = changedRecord(current, change, at);
      const then = follow?.(next);
      await this.replace(index, next);
      return { result: { ok: true, aanmelding: next }, then };
    });
  }

  async annotate(reference: string, change: (current: Aanmelding) => Aanmelding, follow?: FollowOf<Aanmelding>, at: Date = new Date()): Promise<Aanmelding | undefined> {
    return this.write<Aanmelding | undefined>(at, async () => {
      const index = this.indexOf(reference);
      const current = this.db.data.referrals[index];
      if (!current) return { result: undefined };
      const next = annotatedRecord(current, change);
      const then = follow?.(next);
      await this.replace(index, next);
      return { result: next, then };
    });
  }

  async purgeIdentifiers(reference: string, at: Date, follow?: FollowOf<Aanmelding>): Promise<PurgeResult> {
    return this.write<PurgeResult>(at, async () => {
      const index = this.indexOf(reference);
      const result = purgeOf(this.db.data.referrals[index], at);
      if (!result.purged) return { result };
      const then = follow?.(result.aanmelding);
      await this.replace(index, result.aanmelding);
      return { result, then };
    });
  }

  /**
   * One change inside the store's lock; its follow-ups (computed from the new record before it is written, so a
   * broken follow-up stores nothing) are written right after, outside the lock.
   */
  private async write<R>(at: Date, change: () => Promise<{ result: R; then?: Follow | undefined }>): Promise<R> {
    const { result, then } = await this.mutex.run('write', change);
    if (then) await this.apply(then, at);
    return result;
  }

  async get(reference: string): Promise<Aanmelding | undefined> {
    return this.db.data.referrals[this.indexOf(reference)];
  }

  async list(): Promise<Aanmelding[]> {
    return [...this.db.data.referrals];
  }

  async open(): Promise<Aanmelding[]> {
    return this.db.data.referrals.filter((a) => a.status !== 'afgesloten');
  }

  async assignments(): Promise<Assignment[]> {
    return assignmentsOf(this.db.data.referrals);
  }

  async forPerson(aadObjectId: string): Promise<Aanmelding[]> {
    return this.db.data.referrals.filter((a) => (a.referrer.identity.aadObjectId ?? a.referrer.identity.id) === aadObjectId || isAssignedTo(a, aadObjectId));
  }

  async closedUnpurged(closedBefore: Date): Promise<Aanmelding[]> {
    const limit = closedBefore.toISOString();
    return this.db.data.referrals.filter((a) => a.status === 'afgesloten' && a.purgedAt === undefined && a.closure !== undefined && a.closure.at <= limit);
  }

  async neverPostedUnpurged(createdBefore: Date): Promise<Aanmelding[]> {
    const limit = createdBefore.toISOString();
    return this.db.data.referrals.filter((a) => a.status !== 'afgesloten' && a.purgedAt === undefined && isNeverPosted(a) && a.createdAt <= limit);
  }

  flush(): Promise<void> {
    return this.mutex.idle();
  }

  /** The last number handed out per year, as stored (for a bulk export, data/store-dump.ts). */
  sequences(): Record<string, number> {
    return { ...this.db.data.sequences };
  }

  /**
   * Bulk import and seeding (data/store-dump.ts): one change of the whole file, written once, inside the store's
   * lock. `change` gets what is stored and returns the new counters and records.
   */
  bulkWrite<R>(change: (current: { sequences: Record<string, number>; referrals: readonly Aanmelding[] }) => { data: ReferralFile; result: R }): Promise<R> {
    return this.mutex.run('write', async () => {
      let result: R | undefined;
      await this.commit((data) => {
        const next = change(data);
        result = next.result;
        return next.data;
      });
      return result as R;
    });
  }

  private indexOf(reference: string): number {
    return this.db.data.referrals.findIndex((r) => r.reference === reference);
  }

  private async apply(follow: Follow, at: Date): Promise<void> {
    for (const job of follow.jobs ?? []) await this.outbox.enqueue(job, at);
    for (const event of follow.audit ?? []) await this.audit.append(event, at);
  }

  /** Writes a change of the whole file; when the write fails, the data in memory is put back. Call inside the mutex. */
  private async commit(change: (data: ReferralFile) => ReferralFile): Promise<void> {
    const before = this.db.data;
    this.db.data = change(before);
    try {
      await this.db.write();
    } catch (error) {
      this.db.data = before;
      throw error;
    }
  }

  private replace(index: number, next: Aanmelding): Promise<void> {
    return this.commit((data) => {
      const referrals = [...data.referrals];
      referrals[index] = next;
      return { ...data, referrals };
    });
  }
}
