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
   * Records where the bot posted the card. Not a change of the case: the version stays, so the card that was
   * just posted (which carries that version) is current.
   */
  recordPost(reference: string, post: NonNullable<Aanmelding['post']>): Promise<Aanmelding | undefined>;
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
      const before = this.db.data;
      this.db.data = { sequences: { ...before.sequences, [year]: number }, referrals: [...before.referrals, record] };
      try {
        await this.db.write();
      } catch (error) {
        this.db.data = before; // not durable, so not created
        throw error;
      }
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
      const before = this.db.data;
      const referrals = [...before.referrals];
      referrals[index] = next;
      this.db.data = { ...before, referrals };
      try {
        await this.db.write();
      } catch (error) {
        this.db.data = before;
        throw error;
      }
      return { ok: true, aanmelding: next };
    });
  }

  recordPost(reference: string, post: NonNullable<Aanmelding['post']>): Promise<Aanmelding | undefined> {
    return this.mutex.run('write', async () => {
      const index = this.db.data.referrals.findIndex((r) => r.reference === reference);
      const current = this.db.data.referrals[index];
      if (!current) return undefined;
      const next = AanmeldingSchema.parse({ ...current, post });
      const before = this.db.data;
      const referrals = [...before.referrals];
      referrals[index] = next;
      this.db.data = { ...before, referrals };
      try {
        await this.db.write();
      } catch (error) {
        this.db.data = before;
        throw error;
      }
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
}
