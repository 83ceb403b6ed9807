import { open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Adapter } from 'lowdb';

/** Temporary names are unique within the process, also across adapters of the same file. */
let counter = 0;

/**
 * A lowdb adapter that only returns from write() once the data is on disk: it writes a temporary file,
 * fsyncs it, renames it over the old one and fsyncs the folder. lowdb's own JSONFile renames without
 * fsync, which is fine for conversation state but not for an aanmelding we have confirmed to a referrer.
 * Files are created 0600 (only the bot's user reads a family's data). Conversation state, written every turn, has
 * its own cheaper write (data/two-copies.ts).
 */
export class DurableJSONFile<T> implements Adapter<T> {
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
    return this.writeText(JSON.stringify(data));
  }

  /** write(), for a caller that has the JSON text already. */
  async writeText(text: string): Promise<void> {
    const temporary = `${this.file}.${process.pid}.${++counter}.tmp`;
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(text);
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
