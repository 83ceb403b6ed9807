import { createHash } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Low, Memory, type Adapter } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { z } from 'zod';

/** What the bot remembers of one person in one conversation between turns. */
export const ConversationRecordSchema = z.object({
  updatedAt: z.iso.datetime(),
  /** The flow in progress: which machine, which version of it, and its persisted XState snapshot. */
  flow: z.object({ id: z.string().min(1), version: z.number().int(), snapshot: z.unknown() }).optional(),
  /** How the previous flow ended, so that a late click on one of its cards gets a sensible answer. */
  last: z
    .object({ flowId: z.string(), instanceId: z.string(), outcome: z.enum(['verstuurd', 'gestopt']), reference: z.string().optional() })
    .optional(),
  /** Recent activity ids: Teams retries a message it thinks was lost, and a retry must not count twice. */
  seenActivityIds: z.array(z.string()).default([]),
});
export type ConversationRecord = z.infer<typeof ConversationRecordSchema>;

export interface ConversationStateStore {
  /** undefined when there is nothing (or nothing valid) stored for this key. */
  get(key: string): Promise<ConversationRecord | undefined>;
  put(key: string, record: ConversationRecord): Promise<void>;
  delete(key: string): Promise<void>;
}

type Slot = ConversationRecord | null;

/**
 * One small lowdb file per conversation and user: a turn rewrites only its own file, so the cost of a turn
 * does not grow with the number of conversations or aanmeldingen.
 */
export class LowdbConversationStateStore implements ConversationStateStore {
  private readonly memory = new Map<string, Memory<Slot>>();

  constructor(
    private readonly dir: string | undefined,
    private readonly onInvalid: (key: string, problem: string) => void = () => {},
  ) {}

  static async open(dir: string | undefined, onInvalid?: (key: string, problem: string) => void) {
    if (dir) await mkdir(dir, { recursive: true });
    return new LowdbConversationStateStore(dir, onInvalid);
  }

  async get(key: string): Promise<ConversationRecord | undefined> {
    const db = new Low<Slot>(this.adapter(key), null);
    try {
      await db.read();
    } catch {
      this.onInvalid(key, 'onleesbaar bestand');
      return undefined;
    }
    if (db.data === null) return undefined;
    const parsed = ConversationRecordSchema.safeParse(db.data);
    if (!parsed.success) {
      this.onInvalid(key, parsed.error.issues.map((i) => i.path.join('.')).join(', '));
      return undefined;
    }
    return parsed.data;
  }

  async put(key: string, record: ConversationRecord): Promise<void> {
    const db = new Low<Slot>(this.adapter(key), ConversationRecordSchema.parse(record));
    await db.write();
  }

  async delete(key: string): Promise<void> {
    if (this.dir) await rm(this.fileFor(key), { force: true });
    else this.memory.delete(key);
  }

  /**
   * The state to carry over in a bulk export (data/store-dump.ts). In a folder only a hash of each key is kept (the
   * file name), so that state cannot be moved and is only counted; in memory the keys are known.
   */
  async exportable(): Promise<{ conversations: { key: string; record: ConversationRecord }[]; leftOut: number }> {
    if (this.dir) {
      try {
        return { conversations: [], leftOut: (await readdir(this.dir)).filter((name) => /^[0-9a-f]{40}\.json$/.test(name)).length };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { conversations: [], leftOut: 0 };
        throw error;
      }
    }
    const conversations: { key: string; record: ConversationRecord }[] = [];
    for (const key of this.memory.keys()) {
      const record = await this.get(key);
      if (record) conversations.push({ key, record });
    }
    return { conversations, leftOut: 0 };
  }

  private adapter(key: string): Adapter<Slot> {
    if (this.dir) return new JSONFile<Slot>(this.fileFor(key));
    let slot = this.memory.get(key);
    if (!slot) this.memory.set(key, (slot = new Memory<Slot>()));
    return slot;
  }

  private fileFor(key: string): string {
    // Hashed: conversation ids hold characters a file name cannot, and the name need not be readable.
    return path.join(this.dir!, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
  }
}
