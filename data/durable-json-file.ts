import { open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';

/**
 * A lowdb adapter that only returns from write() once the data is on disk: it writes a temporary file,
 * fsyncs it, renames it over the old one and fsyncs the folder. lowdb's own JSONFile renames without
 * fsync, which is fine for conversation state but not for an aanmelding we have confirmed to a referrer.
 */
export class DurableJSONFile<T> implements Adapter<T> {
  private counter = 0;

  constructor(private readonly file: string) {}

  async read(): Promise<T | null> {
    try {
      return JSON.parse(await readFile(this.file, 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async write(data: T): Promise<void> {
    const temporary = `${this.file}.${process.pid}.${++this.counter}.tmp`;
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(JSON.stringify(data));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.file);
    const folder = await open(path.dirname(this.file), 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }
}
