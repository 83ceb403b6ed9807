import { createHash } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Low, Memory, type Adapter } from 'lowdb';
import { z } from 'zod';
import type { AuditEvent, AuditLog } from './audit-log.js';
import { DurableJSONFile } from './durable-json-file.js';
import { KeyedMutex } from './keyed-mutex.js';

/** What the bot remembers of one person in one conversation between turns. */
export const ConversationRecordSchema = z.object({
  updatedAt: z.iso.datetime(),
  /** The flow in progress: which machine, which version of it, and its persisted XState snapshot. */
  flow: z.object({ id: z.string().min(1), version: z.number().int(), snapshot: z.unknown() }).optional(),
  /** How the previous flow ended, so that a late click on one of its cards gets a sensible answer. */
  last: z
    .object({ flowId: z.string(), instanceId: z.string(), outcome: z.enum(['verstuurd', 'gestopt', 'opgeschoond']), reference: z.string().optional() })
    .optional(),
  /**
   * Set when an unfinished intake was purged for being idle (INTAKE_IDLE_DAYS): the person hears it once, the next
   * time they write.
   */
  purged: z.object({ idleDays: z.number().int().min(1) }).optional(),
  /**
   * The message (activity id) with the flow's open question card: once answered it is replaced in place by a one-line
   * record of the answer, so the chat shows the answers and the one open question (issue 16).
   */
  questionActivityId: z.string().min(1).optional(),
  /** Recent activity ids: Teams retries a message it thinks was lost, and a retry must not count twice. */
  seenActivityIds: z.array(z.string()).default([]),
});
export type ConversationRecord = z.infer<typeof ConversationRecordSchema>;

/** What becomes of an idle intake: the record that replaces it (without the answers) and its audit entries. */
export interface IdlePurge {
  record: ConversationRecord;
  audit: AuditEvent[];
}

export interface ConversationStateStore {
  /** undefined when there is nothing (or nothing valid) stored for this key. */
  get(key: string): Promise<ConversationRecord | undefined>;
  put(key: string, record: ConversationRecord): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Every unfinished flow (a record with `flow`) whose last activity (`updatedAt`) is before `idleSince` is replaced
   * by what `purge` makes of it, with the audit entries `purge` returns. A record that changed meanwhile (its person
   * came back) is left alone. Returns how many were purged.
   */
  purgeIdle(idleSince: Date, purge: (record: ConversationRecord) => IdlePurge, at: Date): Promise<number>;
}

/** Whether a record holds an unfinished flow that has been idle since before `idleSince`. */
export function isIdleFlow(record: ConversationRecord, idleSince: Date): boolean {
  return record.flow !== undefined && Date.parse(record.updatedAt) < idleSince.getTime();
}

type Slot = ConversationRecord | null;

/** A conversation's file: a hash of its key. */
const CONVERSATION_FILE = /^[0-9a-f]{40}\.json$/;

/**
 * One small lowdb file per conversation and user: a turn rewrites only its own file, so the cost of a turn
 * does not grow with the number of conversations or aanmeldingen.
 */
export class LowdbConversationStateStore implements ConversationStateStore {
  private readonly memory = new Map<string, Memory<Slot>>();
  /** One write at a time per file: a purge never overwrites a turn that came in meanwhile. */
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly dir: string | undefined,
    private readonly audit: AuditLog,
    private readonly onInvalid: (key: string, problem: string) => void = () => {},
  ) {}

  static async open(dir: string | undefined, audit: AuditLog, onInvalid?: (key: string, problem: string) => void) {
    if (dir) await mkdir(dir, { recursive: true, mode: 0o700 });
    return new LowdbConversationStateStore(dir, audit, onInvalid);
  }

  async get(key: string): Promise<ConversationRecord | undefined> {
    return this.read(this.adapter(key), key);
  }

  put(key: string, record: ConversationRecord): Promise<void> {
    return this.mutex.run(this.slotOf(key), () => new Low<Slot>(this.adapter(key), ConversationRecordSchema.parse(record)).write());
  }

  delete(key: string): Promise<void> {
    return this.mutex.run(this.slotOf(key), async () => {
      if (this.dir) await rm(this.fileFor(key), { force: true });
      else this.memory.delete(key);
    });
  }

  async purgeIdle(idleSince: Date, purge: (record: ConversationRecord) => IdlePurge, at: Date): Promise<number> {
    // In a folder only the hashed keys are known (the file names): the slots are visited by file.
    const slots: { slot: string; adapter: () => Adapter<Slot> }[] = this.dir
      ? (await this.files()).map((name) => ({ slot: name, adapter: () => new DurableJSONFile<Slot>(path.join(this.dir!, name), { sync: false }) }))
      : [...this.memory.entries()].map(([key, memory]) => ({ slot: key, adapter: () => memory }));
    let purged = 0;
    for (const { slot, adapter } of slots) {
      const audit = await this.mutex.run(slot, async () => {
        const record = await this.read(adapter(), slot);
        if (!record || !isIdleFlow(record, idleSince)) return undefined;
        const replaced = purge(record);
        await new Low<Slot>(adapter(), ConversationRecordSchema.parse(replaced.record)).write();
        return replaced.audit;
      });
      if (!audit) continue;
      // Written right after the change, as the other lowdb stores do with their follow-ups.
      for (const event of audit) await this.audit.append(event, at);
      purged++;
    }
    return purged;
  }

  private async read(adapter: Adapter<Slot>, key: string): Promise<ConversationRecord | undefined> {
    const db = new Low<Slot>(adapter, null);
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

  private async files(): Promise<string[]> {
    try {
      return (await readdir(this.dir!)).filter((name) => CONVERSATION_FILE.test(name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  private slotOf(key: string): string {
    return this.dir ? path.basename(this.fileFor(key)) : key;
  }

  /**
   * The state to carry over in a bulk export (data/store-dump.ts). In a folder only a hash of each key is kept (the
   * file name), so that state cannot be moved and is only counted; in memory the keys are known.
   */
  async exportable(): Promise<{ conversations: { key: string; record: ConversationRecord }[]; leftOut: number }> {
    if (this.dir) return { conversations: [], leftOut: (await this.files()).length };
    const conversations: { key: string; record: ConversationRecord }[] = [];
    for (const key of this.memory.keys()) {
      const record = await this.get(key);
      if (record) conversations.push({ key, record });
    }
    return { conversations, leftOut: 0 };
  }

  private adapter(key: string): Adapter<Slot> {
    if (this.dir) return new DurableJSONFile<Slot>(this.fileFor(key), { sync: false });
    let slot = this.memory.get(key);
    if (!slot) this.memory.set(key, (slot = new Memory<Slot>()));
    return slot;
  }

  private fileFor(key: string): string {
    // Hashed: conversation ids hold characters a file name cannot, and the name need not be readable.
    return path.join(this.dir!, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
  }
}
