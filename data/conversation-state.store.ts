import { createHash } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { AuditEvent, AuditLog } from './audit-log.js';
import { readCopies, readCopiesSync, removeCopiesSync, writeCopySync, type CopyState } from './two-copies.js';

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
   * The message with the flow's open question, kept on the record when it holds a flow (else nothing changes); the
   * record's updatedAt stays as it was.
   */
  markQuestion(key: string, activityId: string): Promise<void>;
  /**
   * Every unfinished flow (a record with `flow`) whose last activity (`updatedAt`) is before `idleSince` is replaced
   * by what `purge` makes of it, with the audit entries `purge` returns. A record that changed meanwhile (its person
   * came back) is left alone. Returns how many were purged.
   */
  purgeIdle(idleSince: Date, purge: (record: ConversationRecord) => IdlePurge, at: Date): Promise<number>;
  /** Waits until every change so far is in the store's files (lowdb writes them just after the turn). */
  flush(): Promise<void>;
}

/** Whether a record holds an unfinished flow that has been idle since before `idleSince`. */
export function isIdleFlow(record: ConversationRecord, idleSince: Date): boolean {
  return record.flow !== undefined && Date.parse(record.updatedAt) < idleSince.getTime();
}

/** A conversation's files: a hash of its key, in two copies (data/two-copies.ts). */
const CONVERSATION_FILE = /^([0-9a-f]{40})(\.1)?\.json$/;

/** Conversations whose state a folder store keeps in memory besides their files (the most recently used). */
const CACHED_CONVERSATIONS = 1000;
/**
 * How long a change waits before it goes to its file: a turn changes its conversation twice (the answer, then the id
 * of the question card it sent), and both go in one write.
 */
const WRITE_AFTER_MS = 100;

/**
 * One small file per conversation and user, in two copies written in turn (data/two-copies.ts): a turn rewrites only
 * its own, so the cost of a turn does not grow with the number of conversations or aanmeldingen. While an intake runs,
 * the older copy holds the state before the last turn (a write cut off by a crash leaves it); once nothing runs (sent,
 * stopped, purged), that copy is removed, and no answers stay behind on disk.
 *
 * The process that runs the bot holds DATA_DIR's lock, so it is the only writer of these files, and what it wrote
 * last is what they hold: the recently used records are read from memory, not from their files. A change is in
 * memory at once and in its file WRITE_AFTER_MS later (the changes to one conversation meanwhile are written as one),
 * so a turn does not wait for the disk. The state may be recomputed (the issue's term): when the process is killed in
 * that moment, the person's last answer is asked again (a click on the newer card is stale and re-asks the question).
 * Stopping (SIGTERM) and close() write everything first (flush).
 */
export class LowdbConversationStateStore implements ConversationStateStore {
  /**
   * Each conversation's record as JSON text (a fresh object for every reader, nothing shared), by slot, the most
   * recently used last; null: known to have none. Without a folder this is the store itself.
   */
  private readonly cache = new Map<string, string | null>();
  /**
   * Changes not yet in their files, by slot (text null: the files go). `alone`: the change holds no flow (an intake
   * sent, stopped or purged), so its earlier copy goes too, and none of the answers stay on disk.
   */
  private readonly pending = new Map<string, { text: string | null; alone: boolean }>();
  /** Where each slot's copies stand on disk (data/two-copies.ts), for the slots in memory. */
  private readonly copies = new Map<string, CopyState>();
  /** The slots of recently seen keys (a hash each: a turn asks three times). */
  private readonly slots = new Map<string, string>();
  /** The timer of each slot with a pending change: its write is due WRITE_AFTER_MS after the first. */
  private readonly due = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly dir: string | undefined,
    private readonly audit: AuditLog,
    private readonly onInvalid: (key: string, problem: string) => void = () => {},
    private readonly onWriteFailed: (error: unknown) => void = () => {},
  ) {}

  static async open(dir: string | undefined, audit: AuditLog, onInvalid?: (key: string, problem: string) => void, onWriteFailed?: (error: unknown) => void) {
    if (dir) await mkdir(dir, { recursive: true, mode: 0o700 });
    return new LowdbConversationStateStore(dir, audit, onInvalid, onWriteFailed);
  }

  async get(key: string): Promise<ConversationRecord | undefined> {
    const slot = this.slotOf(key);
    await this.load(slot, key);
    return this.recordIn(slot);
  }

  async put(key: string, record: ConversationRecord): Promise<void> {
    const checked = ConversationRecordSchema.parse(record);
    this.set(this.slotOf(key), JSON.stringify(checked), !checked.flow);
  }

  async delete(key: string): Promise<void> {
    this.set(this.slotOf(key), null, true);
  }

  async markQuestion(key: string, activityId: string): Promise<void> {
    const slot = this.slotOf(key);
    await this.load(slot, key);
    // Read and changed in one go: nothing else runs in between.
    const record = this.recordIn(slot);
    if (record?.flow) this.set(slot, JSON.stringify({ ...record, questionActivityId: activityId }), false);
  }

  async purgeIdle(idleSince: Date, purge: (record: ConversationRecord) => IdlePurge, at: Date): Promise<number> {
    // In a folder only the hashed keys are known (the file names), and the newest state may not be in its file yet.
    const slots = new Set(this.dir ? [...(await this.stored()), ...this.cache.keys()] : this.cache.keys());
    let purged = 0;
    for (const slot of slots) {
      await this.load(slot, slot);
      // Read, decided and replaced in one go: a turn that came in meanwhile is seen here and left alone.
      const record = this.recordIn(slot);
      if (!record || !isIdleFlow(record, idleSince)) continue;
      const replaced = purge(record);
      const checked = ConversationRecordSchema.parse(replaced.record);
      this.set(slot, JSON.stringify(checked), !checked.flow);
      // Written right after the change, as the other lowdb stores do with their follow-ups.
      for (const event of replaced.audit) await this.audit.append(event, at);
      purged++;
    }
    return purged;
  }

  async flush(): Promise<void> {
    let failed: unknown;
    for (const slot of [...this.pending.keys()]) failed ??= this.write(slot);
    if (failed !== undefined) throw failed;
  }

  /** The record held for a slot, as a fresh object (load() first). */
  private recordIn(slot: string): ConversationRecord | undefined {
    const text = this.cache.get(slot);
    return text ? (JSON.parse(text) as ConversationRecord) : undefined;
  }

  /** Brings a slot's record into memory from its file, when it is not there already. */
  private async load(slot: string, key: string): Promise<void> {
    if (this.cache.has(slot)) {
      const text = this.cache.get(slot)!;
      // Most recently used last.
      this.cache.delete(slot);
      this.cache.set(slot, text);
      return;
    }
    if (!this.dir) return;
    let text: string | null;
    let state: CopyState;
    let strayCopy: boolean;
    try {
      const read = await readCopies(this.baseOf(slot));
      state = read.state;
      strayCopy = read.other;
      // A copy cut off by a crash is expected: the other holds the state before. Neither whole is a problem.
      if (read.text === null && read.broken) throw new Error('no whole copy');
      const parsed = read.text === null ? undefined : ConversationRecordSchema.safeParse(JSON.parse(read.text));
      if (parsed && !parsed.success) {
        this.onInvalid(key, parsed.error.issues.map((i) => i.path.join('.')).join(', '));
        return;
      }
      text = parsed ? JSON.stringify(parsed.data) : null;
    } catch {
      this.onInvalid(key, 'onleesbaar bestand');
      return;
    }
    // A change made while the files were read is newer than the files.
    if (this.cache.has(slot)) return;
    this.cache.set(slot, text);
    this.copies.set(slot, state);
    // No intake runs, yet an earlier copy is still there (the process stopped before it was removed): it goes now.
    if (text !== null && strayCopy && !(JSON.parse(text) as ConversationRecord).flow) this.set(slot, text, true);
    this.evict();
  }

  private set(slot: string, text: string | null, alone: boolean): void {
    this.cache.delete(slot);
    if (!this.dir) {
      if (text !== null) this.cache.set(slot, text);
      return;
    }
    this.cache.set(slot, text);
    // A change that holds no flow, followed within the same wait by one that does: its earlier copy still goes.
    this.pending.set(slot, { text, alone: alone || (this.pending.get(slot)?.alone ?? false) });
    if (!this.due.has(slot)) this.due.set(slot, setTimeout(() => this.write(slot), WRITE_AFTER_MS).unref());
    this.evict();
  }

  /**
   * Writes a slot's pending change over its older copy, at once and without leaving the thread (synchronous calls: a
   * third of the CPU of the thread pool's round trips, paid once per turn). A failure keeps the change pending, for
   * the next change or flush to try again; it is returned, not thrown (a timer has no one to throw to).
   */
  private write(slot: string): unknown {
    clearTimeout(this.due.get(slot));
    this.due.delete(slot);
    const change = this.pending.get(slot);
    if (!change) return undefined;
    this.pending.delete(slot);
    const base = this.baseOf(slot);
    try {
      if (change.text === null) {
        removeCopiesSync(base);
        this.copies.set(slot, { sequence: 0, newest: 1 });
      } else {
        // Not known when the slot left memory between its read and this write: its files say.
        const state = this.copies.get(slot) ?? readCopiesSync(base).state;
        this.copies.set(slot, writeCopySync(base, state, change.text, change.alone));
      }
    } catch (error) {
      this.pending.set(slot, change);
      this.onWriteFailed(error);
      return error;
    }
    // Written: it may leave memory now, if memory is over its bound.
    this.evict();
    return undefined;
  }

  /** Keeps at most CACHED_CONVERSATIONS in memory: the least recently used go first, never one still to be written. */
  private evict(): void {
    if (this.cache.size <= CACHED_CONVERSATIONS) return;
    for (const slot of this.cache.keys()) {
      if (this.cache.size <= CACHED_CONVERSATIONS) return;
      if (this.pending.has(slot)) continue;
      this.cache.delete(slot);
      this.copies.delete(slot);
    }
  }

  /** The slots that have files. */
  private async stored(): Promise<string[]> {
    try {
      const slots = (await readdir(this.dir!)).map((name) => CONVERSATION_FILE.exec(name)?.[1]).filter((slot) => slot !== undefined);
      return [...new Set(slots)];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** A conversation's slot: in a folder the hash that names its file, in memory the key itself. */
  private slotOf(key: string): string {
    if (!this.dir) return key;
    let slot = this.slots.get(key);
    if (slot === undefined) {
      // Hashed: conversation ids hold characters a file name cannot, and the name need not be readable.
      slot = createHash('sha256').update(key).digest('hex').slice(0, 40);
      if (this.slots.size >= CACHED_CONVERSATIONS) this.slots.clear();
      this.slots.set(key, slot);
    }
    return slot;
  }

  /** A slot's files without their endings (data/two-copies.ts). */
  private baseOf(slot: string): string {
    return path.join(this.dir!, slot);
  }

  /**
   * The state to carry over in a bulk export (data/store-dump.ts). In a folder only a hash of each key is kept (the
   * file name), so that state cannot be moved and is only counted; in memory the keys are known.
   */
  async exportable(): Promise<{ conversations: { key: string; record: ConversationRecord }[]; leftOut: number }> {
    if (this.dir) {
      await this.flush();
      return { conversations: [], leftOut: (await this.stored()).length };
    }
    const conversations: { key: string; record: ConversationRecord }[] = [];
    for (const key of this.cache.keys()) {
      const record = this.recordIn(key);
      if (record) conversations.push({ key, record });
    }
    return { conversations, leftOut: 0 };
  }
}
