import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Low, Memory } from 'lowdb';
import type { z } from 'zod';
import { DurableJSONFile } from './durable-json-file.js';
import { KeyedMutex } from './keyed-mutex.js';

/** A small lowdb file validated on the way in, with writes one at a time: the base of the small stores. */
export class JsonCollection<T> {
  private readonly mutex = new KeyedMutex();

  private constructor(private readonly db: Low<T>) {}

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

  /** Applies a change and writes it; on a failed write the change is undone. */
  write<R>(change: (data: T) => { data: T; result: R }): Promise<R> {
    return this.mutex.run('write', async () => {
      const before = this.db.data;
      const { data, result } = change(before);
      if (data === before) return result;
      this.db.data = data;
      try {
        await this.db.write();
      } catch (error) {
        this.db.data = before;
        throw error;
      }
      return result;
    });
  }

  flush(): Promise<void> {
    return this.mutex.idle();
  }
}
