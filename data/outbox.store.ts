import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { JsonCollection } from './json-collection.js';

/**
 * Messages the bot still has to deliver (channel posts, card updates, 1:1 messages). Written before anything is
 * sent, so nothing is lost when Teams is slow or the bot stops; delivered after the turn has answered. A job is
 * claimed with a lease, so that with two instances each job is worked on by one at a time, and a job whose
 * worker died is picked up again when its lease runs out.
 */
export const OutboxJobSchema = z.strictObject({
  id: z.string().min(1),
  /** The same key twice is one job (an action retried by Teams does not send twice). */
  key: z.string().min(1),
  kind: z.enum(['post', 'update-card', 'message', 'notice']),
  payload: z.record(z.string(), z.unknown()),
  attempts: z.number().int().min(0),
  dueAt: z.iso.datetime(),
  leaseUntil: z.iso.datetime().optional(),
  lastError: z.string().max(500).optional(),
  status: z.enum(['pending', 'done', 'failed']),
  createdAt: z.iso.datetime(),
});
export type OutboxJob = z.infer<typeof OutboxJobSchema>;
export type NewOutboxJob = Pick<OutboxJob, 'key' | 'kind' | 'payload'>;

export interface Outbox {
  enqueue(job: NewOutboxJob, at: Date): Promise<boolean>;
  /** Due jobs, leased to the caller until at + leaseMs. */
  claim(at: Date, leaseMs: number, max: number): Promise<OutboxJob[]>;
  complete(id: string): Promise<void>;
  retry(id: string, dueAt: Date, error: string): Promise<void>;
  fail(id: string, error: string): Promise<void>;
  list(): Promise<OutboxJob[]>;
}

const FileSchema = z.object({ jobs: z.array(OutboxJobSchema) });
const KEEP_DONE = 500;

export class LowdbOutbox implements Outbox {
  private constructor(private readonly file: JsonCollection<z.infer<typeof FileSchema>>) {}

  static async open(dir: string | undefined) {
    return new LowdbOutbox(await JsonCollection.open(dir, 'outbox.json', FileSchema, { jobs: [] }));
  }

  enqueue(job: NewOutboxJob, at: Date): Promise<boolean> {
    return this.file.write((data) => {
      if (data.jobs.some((j) => j.key === job.key)) return { data, result: false };
      const created: OutboxJob = { ...job, id: randomUUID(), attempts: 0, dueAt: at.toISOString(), status: 'pending', createdAt: at.toISOString() };
      return { data: { jobs: [...data.jobs, created] }, result: true };
    });
  }

  claim(at: Date, leaseMs: number, max: number): Promise<OutboxJob[]> {
    const now = at.toISOString();
    return this.file.write((data) => {
      const claimed: OutboxJob[] = [];
      const jobs = data.jobs.map((job) => {
        const free = job.status === 'pending' && job.dueAt <= now && (!job.leaseUntil || job.leaseUntil <= now);
        if (!free || claimed.length >= max) return job;
        const leased = { ...job, leaseUntil: new Date(at.getTime() + leaseMs).toISOString(), attempts: job.attempts + 1 };
        claimed.push(leased);
        return leased;
      });
      return { data: claimed.length ? { jobs } : data, result: claimed };
    });
  }

  complete(id: string) {
    return this.set(id, { status: 'done', leaseUntil: undefined });
  }

  retry(id: string, dueAt: Date, error: string) {
    return this.set(id, { dueAt: dueAt.toISOString(), leaseUntil: undefined, lastError: error.slice(0, 500) });
  }

  fail(id: string, error: string) {
    return this.set(id, { status: 'failed', leaseUntil: undefined, lastError: error.slice(0, 500) });
  }

  async list() {
    return [...this.file.read().jobs];
  }

  /** Bulk import (data/store-dump.ts): the jobs in one write, after those that are there. */
  load(jobs: OutboxJob[]): Promise<void> {
    return this.file.write((data) => ({ data: { jobs: [...data.jobs, ...jobs.map((job) => OutboxJobSchema.parse(job))] }, result: undefined }));
  }

  flush() {
    return this.file.flush();
  }

  private set(id: string, change: Partial<OutboxJob>): Promise<void> {
    return this.file.write((data) => {
      const jobs = data.jobs.map((j) => (j.id === id ? { ...j, ...change } : j));
      // Keep finished jobs for a while (their keys stop duplicates), but not for ever.
      const done = jobs.filter((j) => j.status === 'done');
      const trimmed = done.length > KEEP_DONE ? jobs.filter((j) => j.status !== 'done' || done.indexOf(j) >= done.length - KEEP_DONE) : jobs;
      return { data: { jobs: trimmed }, result: undefined };
    });
  }
}
