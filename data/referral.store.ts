import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { AanmeldingSchema, type Aanmelding, type NewAanmelding } from './aanmelding.schema.js';
import type { AuditLog } from './audit-log.js';
import { DataDirError } from './data-dir.js';
import type { Follow, FollowOf } from './follow.js';
import { KeyedMutex } from './keyed-mutex.js';
import type { Outbox } from './outbox.store.js';
import { assignmentsOf, type Assignment } from '../machines/referral-case.js';
import { isNeverPosted } from '../machines/retention.js';
import { byAge, indexEntryOf, personsOf, REFERRALS_DIR, ReferralFolder, sequencesCovering, writeAll, type IndexEntry, type Sequences } from './referral-files.js';

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
  // The short acute form's one line is free text about the family too; the referrer's own number is not the family's.
  const spoed = answers.spoed ? { spoed: { ...answers.spoed, situation: REMOVED } } : {};
  const aanmelding = AanmeldingSchema.parse({
    ...current,
    answers: { ...answers, ...nested, ...spoed },
    // The trajectory's goal, agreed with the family, goes as well; when and by whom it was set stays.
    ...(current.goal ? { goal: { ...current.goal, text: REMOVED } } : {}),
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

/**
 * A decided change (computed from a record read before the lock) laid onto the record as it is now: the bookkeeping
 * that annotate() writes without raising the version (where the card was posted, escalation, the idle notice, the
 * reminder sent) may have landed in between, and a version check cannot see it. Without this, a press on a card
 * just posted could write the case back without its post, and the card would never be updated again.
 */
export function onto(current: Aanmelding, next: Aanmelding): Aanmelding {
  const evaluation =
    next.evaluation && current.evaluation?.dueOn === next.evaluation.dueOn && current.evaluation.remindedFor !== undefined
      ? { ...next.evaluation, remindedFor: current.evaluation.remindedFor }
      : next.evaluation;
  return {
    ...next,
    ...(current.post ? { post: current.post } : {}),
    ...(current.escalation && !next.escalation ? { escalation: current.escalation } : {}),
    ...(evaluation ? { evaluation } : {}),
  };
}

/** Bookkeeping on a record: the version and updatedAt stay. */
export function annotatedRecord(current: Aanmelding, change: (current: Aanmelding) => Aanmelding): Aanmelding {
  return AanmeldingSchema.parse({ ...change(current), reference: current.reference, version: current.version, updatedAt: current.updatedAt });
}

/** Where the records themselves are kept: one file each on disk, or a map in memory (tests, local trials). */
interface RecordShelf {
  read(reference: string): Promise<Aanmelding | undefined>;
  write(record: Aanmelding): Promise<void>;
  writeMany(records: readonly Aanmelding[]): Promise<void>;
}

class MemoryShelf implements RecordShelf {
  private readonly records = new Map<string, Aanmelding>();
  async read(reference: string) {
    return this.records.get(reference);
  }
  async write(record: Aanmelding) {
    this.records.set(record.reference, record);
  }
  async writeMany(records: readonly Aanmelding[]) {
    for (const record of records) this.records.set(record.reference, record);
  }
}

class FolderShelf implements RecordShelf {
  constructor(readonly folder: ReferralFolder) {}
  read(reference: string) {
    return this.folder.read(reference);
  }
  write(record: Aanmelding) {
    return this.folder.write(record);
  }
  writeMany(records: readonly Aanmelding[]) {
    return writeAll(this.folder, records);
  }
}

/**
 * The aanmeldingen of one process (lowdb layout, data/referral-files.ts): one file per aanmelding, so a change writes
 * one small file whatever the store holds. In memory: an index of every aanmelding (what the queries need, no family
 * data) and the open cases whole (the team's work in hand, which does not grow with the history); a closed record is
 * read from its file, and validated, only when asked for. Follow-ups (audit, outbox) are written right after the change
 * they belong to; the channel-post sweep at start-up makes up for a post a crash lost in between.
 */
export class LowdbReferralStore implements ReferralStore {
  private readonly mutex = new KeyedMutex();
  private readonly entries = new Map<string, IndexEntry>();
  private readonly intakes = new Map<string, string>();
  private readonly openCases = new Map<string, Aanmelding>();
  /** The place of each aanmelding in the order it was stored: "oldest first" is that order. */
  private readonly rank = new Map<string, number>();
  /** Set by close(): a change after it makes the written index stale, so it is removed first. */
  private indexWritten = false;

  private constructor(
    private readonly shelf: RecordShelf,
    private sequencesByYear: Sequences,
    private readonly audit: AuditLog,
    private readonly outbox: Outbox,
  ) {}

  /**
   * Opens the folder `dir/referrals` (after converting the `referrals.json` of earlier versions, see
   * migrateLegacyFile), or a store in memory without `dir`. With the index of a clean close, start-up reads the open
   * cases only; after a crash it rebuilds the index from every record.
   */
  static async open(dir: string | undefined, audit: AuditLog, outbox: Outbox): Promise<LowdbReferralStore> {
    if (!dir) return new LowdbReferralStore(new MemoryShelf(), {}, audit, outbox);
    const folder = new ReferralFolder(path.join(dir, REFERRALS_DIR));
    await mkdir(folder.dir, { recursive: true, mode: 0o700 });
    // Listed beside reading the index: the folder's listing (100,000 names) takes as long as parsing the index.
    const [onDisk, indexed] = await Promise.all([folder.references(), folder.takeIndex()]);
    const files = new Set(onDisk);
    const stored = await folder.readSequences();
    const store = new LowdbReferralStore(new FolderShelf(folder), sequencesCovering(stored ?? {}, onDisk), audit, outbox);
    // The counters mark the folder as in use (data/data-dir.ts): from now on a missing folder is noticed.
    if (!stored) await folder.writeSequences(store.sequencesByYear);
    if (indexed) {
      for (const entry of indexed) {
        // A record the index knows but whose file is gone was lost: better no start than a case silently missing.
        if (!files.has(entry.reference)) {
          throw new DataDirError(`${folder.file(entry.reference)} ontbreekt, terwijl de index deze aanmelding noemt: de bot start niet zonder. Zet het bestand terug uit een back-up.`);
        }
        files.delete(entry.reference);
        store.index(entry);
        if (!entry.closed) store.openCases.set(entry.reference, await store.load(entry.reference));
      }
    }
    // Records the index does not know (none after a clean close; every one after a crash).
    const unknown: Aanmelding[] = [];
    for (const reference of files) unknown.push((await folder.read(reference))!);
    for (const record of unknown.sort(byAge)) store.remember(record);
    return store;
  }

  async create(draft: NewAanmelding, at: Date, follow?: FollowOf<Aanmelding>): Promise<{ aanmelding: Aanmelding; created: boolean }> {
    return this.write<{ aanmelding: Aanmelding; created: boolean }>(CREATE, at, async () => {
      const existing = this.intakes.get(draft.intakeId);
      if (existing) return { result: { aanmelding: await this.load(existing), created: false } };
      const year = String(at.getUTCFullYear());
      const number = (this.sequencesByYear[year] ?? 0) + 1;
      const record = newRecord(draft, referenceFor(year, number), at);
      const then = follow?.(record);
      // Not durable means not created: a failed write leaves the store as it was, and the number free.
      await this.shelf.write(record);
      this.sequencesByYear = { ...this.sequencesByYear, [year]: number };
      this.remember(record);
      return { result: { aanmelding: record, created: true }, then };
    });
  }

  async update(reference: string, expectedVersion: number, change: (current: Aanmelding) => Aanmelding, at: Date, follow?: FollowOf<Aanmelding>): Promise<UpdateResult> {
    return this.write<UpdateResult>(reference, at, async () => {
      const current = await this.find(reference);
      if (!current) return { result: { ok: false, reason: 'not-found' } };
      if (current.version !== expectedVersion) return { result: { ok: false, reason: 'conflict', current } };
      const next = changedRecord(current, change, at);
      const then = follow?.(next);
      await this.replace(next);
      return { result: { ok: true, aanmelding: next }, then };
    });
  }

  async annotate(reference: string, change: (current: Aanmelding) => Aanmelding, follow?: FollowOf<Aanmelding>, at: Date = new Date()): Promise<Aanmelding | undefined> {
    return this.write<Aanmelding | undefined>(reference, at, async () => {
      const current = await this.find(reference);
      if (!current) return { result: undefined };
      const next = annotatedRecord(current, change);
      const then = follow?.(next);
      await this.replace(next);
      return { result: next, then };
    });
  }

  async purgeIdentifiers(reference: string, at: Date, follow?: FollowOf<Aanmelding>): Promise<PurgeResult> {
    return this.write<PurgeResult>(reference, at, async () => {
      const result = purgeOf(await this.find(reference), at);
      if (!result.purged) return { result };
      const then = follow?.(result.aanmelding);
      await this.replace(result.aanmelding);
      return { result, then };
    });
  }

  /**
   * One change inside the lock of its aanmelding (or of the numbering, for a new one); its follow-ups (computed from
   * the new record before it is written, so a broken follow-up stores nothing) are written right after, outside it.
   */
  private async write<R>(key: string, at: Date, change: () => Promise<{ result: R; then?: Follow | undefined }>): Promise<R> {
    const { result, then } = await this.mutex.run(key, async () => {
      await this.dropWrittenIndex();
      return change();
    });
    if (then) await this.apply(then, at);
    return result;
  }

  async get(reference: string): Promise<Aanmelding | undefined> {
    return this.find(reference);
  }

  async list(): Promise<Aanmelding[]> {
    return this.loadAll([...this.entries.keys()]);
  }

  async open(): Promise<Aanmelding[]> {
    return [...this.openCases.values()].sort((a, b) => this.rank.get(a.reference)! - this.rank.get(b.reference)!);
  }

  async assignments(): Promise<Assignment[]> {
    return assignmentsOf([...this.openCases.values()]);
  }

  async forPerson(aadObjectId: string): Promise<Aanmelding[]> {
    const references = [...this.entries.values()].filter((e) => e.persons.includes(aadObjectId)).map((e) => e.reference);
    return (await this.loadAll(references)).filter((a) => personsOf(a).includes(aadObjectId));
  }

  async closedUnpurged(closedBefore: Date): Promise<Aanmelding[]> {
    const limit = closedBefore.toISOString();
    const references = [...this.entries.values()].filter((e) => e.closed && !e.purged && e.closedAt !== undefined && e.closedAt <= limit).map((e) => e.reference);
    return (await this.loadAll(references)).filter((a) => a.status === 'afgesloten' && a.purgedAt === undefined && a.closure !== undefined && a.closure.at <= limit);
  }

  async neverPostedUnpurged(createdBefore: Date): Promise<Aanmelding[]> {
    const limit = createdBefore.toISOString();
    return (await this.open()).filter((a) => a.purgedAt === undefined && isNeverPosted(a) && a.createdAt <= limit);
  }

  flush(): Promise<void> {
    return this.mutex.idle();
  }

  /**
   * Waits for the changes under way and writes the index and the counters, so the next start reads the open cases
   * only. Without it (a crash) the next start rebuilds the index from the records: slower, never wrong.
   */
  async close(): Promise<void> {
    await this.mutex.idle();
    const shelf = this.shelf;
    if (!(shelf instanceof FolderShelf)) return;
    await this.mutex.run(CREATE, async () => {
      await shelf.folder.writeSequences(this.sequencesByYear);
      await shelf.folder.writeIndex([...this.entries.values()]);
      this.indexWritten = true;
    });
  }

  /** How many aanmeldingen are stored. */
  count(): number {
    return this.entries.size;
  }

  /** The last number handed out per year, as stored (for a bulk export, data/store-dump.ts). */
  sequences(): Record<string, number> {
    return { ...this.sequencesByYear };
  }

  /**
   * Bulk import and seeding (data/store-dump.ts): many new records, written inside the lock of the numbering.
   * `make` gets the counters and whether an intake is stored already, and returns the records to add, the new counters
   * and its result. Not one transaction: a failure halfway leaves the records written so far (they are whole).
   */
  bulkAppend<R>(make: (current: { sequences: Sequences; hasIntake: (intakeId: string) => boolean }) => { referrals: readonly Aanmelding[]; sequences: Sequences; result: R }): Promise<R> {
    return this.mutex.run(CREATE, async () => {
      await this.dropWrittenIndex();
      const { referrals, sequences, result } = make({ sequences: { ...this.sequencesByYear }, hasIntake: (intakeId) => this.intakes.has(intakeId) });
      const checked = referrals.map((r) => AanmeldingSchema.parse(r));
      await this.shelf.writeMany(checked);
      if (this.shelf instanceof FolderShelf) await this.shelf.folder.writeSequences(sequences);
      this.sequencesByYear = { ...sequences };
      for (const record of checked) this.remember(record);
      return result;
    });
  }

  /** An aanmelding, from memory when it is open, else from its file. */
  private async find(reference: string): Promise<Aanmelding | undefined> {
    if (!this.entries.has(reference)) return undefined;
    return this.load(reference);
  }

  private async load(reference: string): Promise<Aanmelding> {
    const record = this.openCases.get(reference) ?? (await this.shelf.read(reference));
    if (!record) throw new Error(`aanmelding ${reference} is indexed but has no record`);
    return record;
  }

  private async loadAll(references: readonly string[]): Promise<Aanmelding[]> {
    const records: Aanmelding[] = [];
    for (const reference of references) records.push(await this.load(reference));
    return records;
  }

  private index(entry: IndexEntry): void {
    if (!this.rank.has(entry.reference)) this.rank.set(entry.reference, this.rank.size);
    this.entries.set(entry.reference, entry);
    this.intakes.set(entry.intakeId, entry.reference);
  }

  /** Keeps what memory holds of a record that is now on disk (or, in memory, stored). */
  private remember(record: Aanmelding): void {
    this.index(indexEntryOf(record));
    if (record.status === 'afgesloten') this.openCases.delete(record.reference);
    else this.openCases.set(record.reference, record);
  }

  private async replace(next: Aanmelding): Promise<void> {
    await this.shelf.write(next);
    this.remember(next);
  }

  private async dropWrittenIndex(): Promise<void> {
    if (!this.indexWritten || !(this.shelf instanceof FolderShelf)) return;
    this.indexWritten = false;
    await this.shelf.folder.takeIndex();
  }

  private async apply(follow: Follow, at: Date): Promise<void> {
    for (const job of follow.jobs ?? []) await this.outbox.enqueue(job, at);
    for (const event of follow.audit ?? []) await this.audit.append(event, at);
  }
}

/** The lock key of the numbering (new aanmeldingen); a change of one aanmelding locks its reference. */
const CREATE = '#create';
