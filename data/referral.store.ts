import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Low, Memory, type Adapter } from 'lowdb';
import { z } from 'zod';
import { AanmeldingSchema, type Aanmelding, type NewAanmelding } from './aanmelding.schema.js';
import { DurableJSONFile } from './durable-json-file.js';
import { KeyedMutex } from './keyed-mutex.js';

export interface ReferralStore {
  /**
   * Stores a new aanmelding with the next reference of its year (AM-2026-0001, ...) and returns it once it is
   * durable. Called again with the same intakeId it returns the first record instead of making a second.
   */
  create(draft: NewAanmelding, at: Date): Promise<{ aanmelding: Aanmelding; created: boolean }>;
  get(reference: string): Promise<Aanmelding | undefined>;
  list(): Promise<Aanmelding[]>;
  /**
   * Changes one aanmelding if it is still at `expectedVersion` (optimistic concurrency: of two coordinators
   * acting on the same card, exactly one wins). The change gets the next version and `at` as updatedAt.
   */
  update(reference: string, expectedVersion: number, change: (current: Aanmelding) => Aanmelding, at: Date): Promise<UpdateResult>;
  /**
   * Bookkeeping that is not a change of the case (where the card was posted, that a reminder went out): the
   * version stays, so the card in the channel (which carries that version) is still current.
   */
  annotate(reference: string, change: (current: Aanmelding) => Aanmelding): Promise<Aanmelding | undefined>;
  /**
   * Removes the family's identifying data from a closed case after the retention period (domain.md, privacy):
   * contact details, the referrer's explanation, the texts of questions and answers, and other free text of the
   * family. The referrer (a professional), the answers from fixed lists, the dates and the history stay, so counts
   * survive. Sets purgedAt and raises the version. Idempotent: a case that is already purged (or not closed) is
   * left as it is and `purged` is false, so of two callers exactly one sees `purged: true`.
   */
  purgeIdentifiers(
    reference: string,
    at: Date,
  ): Promise<{ purged: true; aanmelding: Aanmelding } | { purged: false; reason: 'not-found' | 'not-closed' | 'already-purged' }>;
}

export type UpdateResult =
  | { ok: true; aanmelding: Aanmelding }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'conflict'; current: Aanmelding };

const ReferralFileSchema = z.object({
  /** The last number handed out per year; numbers are never reused, even if a record is removed. */
  sequences: z.record(z.string().regex(/^\d{4}$/), z.number().int().min(0)),
  referrals: z.array(AanmeldingSchema),
});
type ReferralFile = z.infer<typeof ReferralFileSchema>;

export class LowdbReferralStore implements ReferralStore {
  private readonly mutex = new KeyedMutex();

  private constructor(private readonly db: Low<ReferralFile>) {}

  static async open(dir: string | undefined): Promise<LowdbReferralStore> {
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
    db.data = ReferralFileSchema.parse(db.data);
    return new LowdbReferralStore(db);
  }

  create(draft: NewAanmelding, at: Date): Promise<{ aanmelding: Aanmelding; created: boolean }> {
    return this.mutex.run('write', async () => {
      const existing = this.db.data.referrals.find((r) => r.intakeId === draft.intakeId);
      if (existing) return { aanmelding: existing, created: false };
      const year = String(at.getUTCFullYear());
      const number = (this.db.data.sequences[year] ?? 0) + 1;
      const record = AanmeldingSchema.parse({
        ...draft,
        reference: `AM-${year}-${String(number).padStart(4, '0')}`,
        createdAt: at.toISOString(),
        updatedAt: at.toISOString(),
        status: 'nieuw',
        version: 1,
        history: [{ at: at.toISOString(), action: 'aangemaakt', by: { aadObjectId: draft.referrer.identity.aadObjectId ?? draft.referrer.identity.id, name: draft.referrer.identity.name } }],
      });
      // Not durable means not created: a failed write leaves the store as it was.
      await this.commit((data) => ({ sequences: { ...data.sequences, [year]: number }, referrals: [...data.referrals, record] }));
      return { aanmelding: record, created: true };
    });
  }

  update(reference: string, expectedVersion: number, change: (current: Aanmelding) => Aanmelding, at: Date): Promise<UpdateResult> {
    return this.mutex.run('write', async () => {
      const index = this.db.data.referrals.findIndex((r) => r.reference === reference);
      const current = this.db.data.referrals[index];
      if (!current) return { ok: false, reason: 'not-found' };
      if (current.version !== expectedVersion) return { ok: false, reason: 'conflict', current };
      const next = AanmeldingSchema.parse({ ...change(current), reference, version: current.version + 1, updatedAt: at.toISOString() });
      await this.replace(index, next);
      return { ok: true, aanmelding: next };
    });
  }

  annotate(reference: string, change: (current: Aanmelding) => Aanmelding): Promise<Aanmelding | undefined> {
    return this.mutex.run('write', async () => {
      const index = this.db.data.referrals.findIndex((r) => r.reference === reference);
      const current = this.db.data.referrals[index];
      if (!current) return undefined;
      const next = AanmeldingSchema.parse({ ...change(current), reference, version: current.version, updatedAt: current.updatedAt });
      await this.replace(index, next);
      return next;
    });
  }

  async get(reference: string): Promise<Aanmelding | undefined> {
    return this.db.data.referrals.find((r) => r.reference === reference);
  }

  async list(): Promise<Aanmelding[]> {
    return [...this.db.data.referrals];
  }

  flush(): Promise<void> {
    return this.mutex.idle();
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

  purgeIdentifiers(
    reference: string,
    at: Date,
  ): Promise<{ purged: true; aanmelding: Aanmelding } | { purged: false; reason: 'not-found' | 'not-closed' | 'already-purged' }> {
    return this.mutex.run('write', async () => {
      const index = this.db.data.referrals.findIndex((r) => r.reference === reference);
      const current = this.db.data.referrals[index];
      if (!current) return { purged: false, reason: 'not-found' } as const;
      if (current.status !== 'afgesloten') return { purged: false, reason: 'not-closed' } as const;
      if (current.purgedAt !== undefined) return { purged: false, reason: 'already-purged' } as const;
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
      const next = AanmeldingSchema.parse({
        ...current,
        answers: { ...answers, ...nested },
        questions: current.questions.map((q) => ({ ...q, question: REMOVED, ...(q.answer !== undefined ? { answer: REMOVED } : {}) })),
        purgedAt: at.toISOString(),
        version: current.version + 1,
        updatedAt: at.toISOString(),
      });
      await this.replace(index, next);
      return { purged: true, aanmelding: next } as const;
    });
  }
}
