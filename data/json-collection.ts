import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Low, Memory } from 'lowdb';
import type { z } from 'zod';
import { DurableJSONFile } from './durable-json-file.js';

/**
 * A small lowdb file validated on the way in. A change is applied in memory at once, in the order of the calls, and its
 * promise resolves once a write that holds it is on disk. Changes that come while a write is under way go to disk
 * together in the next write (group commit): 50 people writing to the bot for the first time at once make a few
 * writes of people.json, not 50 one after another. The base of the small stores.
 */
export class JsonCollection<T> {
  /** What the file holds: the state a failed write falls back to. */
  private durable: T;
  /** Changes applied in memory and not yet written: each waits for the write that holds it. */
  private waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;

  private constructor(private readonly db: Low<T>) {
    this.durable = db.data;
  }

  static async open<S extends z.ZodType>(dir: string | undefined, file: string, schema: S, empty: z.infer<S>): Promise<JsonCollection<z.infer<S>>> {
    if (dir) await mkdir(dir, { recursive: true });
    const db = new Low<z.infer<S>>(dir ? new DurableJSONFile(path.join(dir, file)) : new Memory(), empty);
    await db.read();
    db.data = schema.parse(db.data, { reportInput: true });
    return new JsonCollection(db);
  }

  read(): T {
    return this.db.data;
  }

  /**
   * Applies a change and resolves with its result once it is written. When the write fails, every change not yet
   * written is undone (the data is what the file holds) and each of their promises rejects.
   */
  async write<R>(change: (data: T) => { data: T; result: R }): Promise<R> {
    const before = this.db.data;
    const { data, result } = change(before);
    if (data === before) return result;
    this.db.data = data;
    await new Promise<void>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.writing ??= this.writeWaiting();
    });
    return result;
  }

  private async writeWaiting(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0);
        // lowdb serialises the data when the write begins: what is written is exactly `data`.
        const data = this.db.data;
        try {
          await this.db.write();
        } catch (error) {
          this.db.data = this.durable;
          // Changes made during the failed write sat on top of it: they are undone with it.
          for (const waiter of [...batch, ...this.waiting.splice(0)]) waiter.reject(error);
          continue;
        }
        this.durable = data;
        for (const waiter of batch) waiter.resolve();
      }
    } finally {
      this.writing = undefined;
    }
  }

  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }
}
