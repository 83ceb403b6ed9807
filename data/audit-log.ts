import { createHash, createHmac } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, stat, truncate } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { KeyedMutex } from './keyed-mutex.js';

/**
 * Append-only, tamper-evident audit log after NEN 7513 (domain.md, privacy rules): every event on a case with
 * date and time, the case reference, the user, on whose behalf, and where it came from. Each entry carries the
 * HMAC-SHA256 (with a secret key, AUDIT_KEY) of itself and the hash of the one before, so a changed, removed or
 * inserted line shows, and nobody without the key can write a chain that verifies. Checkpoints (sequence and hash),
 * kept apart from the log, show a cut tail or an emptied log. It holds no family identifiers beyond the reference.
 * One JSON line per entry: appending never rewrites what is already there.
 */
export const AUDIT_EVENTS = [
  'aanmelding.aangemaakt',
  'aanmelding.geplaatst', // posted to the team channel (without identifiers)
  'aanmelding.opgepakt',
  'aanmelding.toegewezen',
  'aanmelding.wachtlijst',
  'aanmelding.vraag',
  'aanmelding.antwoord',
  'aanmelding.afgesloten',
  'aanmelding.aangevuld', // a short acute aanmelding completed by its referrer (the rest of the intake)
  'aanmelding.intensiteit', // the intensity of a running case set or changed (licht, waakvlam, complex-intensief), with any norm it goes over
  'aanmelding.akkoord', // the gedragswetenschapper agreed to waakvlam or complex-intensief
  'aanmelding.evaluatie', // an evaluation moment of a trajectory: planned, moved or its outcome (afschalen: fewer hours or waakvlam)
  'aanmelding.doel', // the trajectory's goal recorded or changed (its text is in the record, never in the log)
  'aanmelding.maatwerk', // a maatwerkvoorziening recorded as running beside the gezinscoach, from a date
  'dossier.verstuurd', // the full dossier sent 1:1 (a view of the client record)
  'kanaal.gekoppeld',
  'kanaal.ontkoppeld', // a linked channel is gone (deleted, its team archived or deleted, the bot removed, Teams refuses posts)
  'aanmelding.opgeschoond', // identifying data removed after the retention period
  'kaartactie.geweigerd', // a card action (refresh or a button) by someone who may not see that card
  'overzicht.geopend', // the coordinator overview (tab) read
  'overzicht.geexporteerd', // the overview's counts exported as CSV
  'tenant.geweigerd', // a request from a tenant the bot does not serve
  'auditlog.hersteld', // a torn last line (a crash mid-write) removed at start
  'intake.opgeschoond', // an unfinished intake's answers removed after INTAKE_IDLE_DAYS without activity
  'spoed.geescaleerd', // a SPOED aanmelding nobody picked up in time: the coordinators warned 1:1 (level 1 or 2)
  'aanmelding.stilstand', // an open case unchanged for stilstandMaanden, reported 1:1 to the coordinators to close
  'aanmelding.his-samenvatting', // the plain-text summary for the patient record (HIS) given 1:1 to the referrer
  'huisarts.geinformeerd', // the family's huisarts told (with the family's permission) that someone is involved or that it ended: a message to the practice's contact, or a letter given to the assignee
] as const;

export const AuditEventSchema = z.strictObject({
  event: z.enum(AUDIT_EVENTS),
  reference: z.string().optional(),
  actor: z.strictObject({ id: z.string().min(1), name: z.string() }),
  onBehalfOf: z.strictObject({ id: z.string().min(1), name: z.string() }).optional(),
  /** Where it came from, e.g. the Teams conversation id. */
  source: z.string().optional(),
  /** A short note without personal data (e.g. the route). */
  detail: z.string().max(200).optional(),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;

export const AuditEntrySchema = AuditEventSchema.extend({
  seq: z.number().int().min(1),
  at: z.iso.datetime(),
  prevHash: z.string(),
  /** Which key made `hash` (audit-key.ts); absent in entries of the earlier, unkeyed version (LEGACY_KEY_ID). */
  keyId: z.string().min(1).optional(),
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** A checkpoint: the chain's tail at some moment, kept apart from the log (a separate file or table). */
export const AuditCheckpointSchema = z.strictObject({ seq: z.number().int().min(1), hash: z.string(), at: z.iso.datetime() });
export type AuditCheckpoint = z.infer<typeof AuditCheckpointSchema>;

/** One secret of the keyed chain; `id` is recorded in every entry it signs. */
export interface AuditKey {
  id: string;
  secret: Buffer;
}

/** The key that signs new entries, and the earlier keys whose entries must still verify (rotation). */
export interface AuditKeyring {
  current: AuditKey;
  old: readonly AuditKey[];
}

/** The key id of entries written before the chain was keyed: plain SHA-256, which anyone can recompute. */
export const LEGACY_KEY_ID = 'sha256';

/** A checkpoint every this many entries (and at shutdown, and after each verification). */
export const CHECKPOINT_EVERY = 100;

export interface AuditLog {
  append(event: AuditEvent, at: Date): Promise<AuditEntry>;
  entries(): Promise<AuditEntry[]>;
  /** Recomputes the chain and compares it with the checkpoints; names the first entry that was changed, removed or inserted. */
  verify(): Promise<VerifyResult>;
  /** Records the chain's tail as a checkpoint when it is newer than the last one; returns it, or undefined. */
  checkpoint(at: Date): Promise<AuditCheckpoint | undefined>;
  checkpoints(): Promise<AuditCheckpoint[]>;
}

export const GENESIS = '0'.repeat(64);

export type VerifyResult = { ok: true; count: number } | { ok: false; seq: number; problem: string };

/** The next entry of the chain after `last`, signed with the keyring's current key. */
export function chained(event: AuditEvent, at: Date, last: { seq: number; hash: string }, keys: AuditKeyring): AuditEntry {
  const body = { ...AuditEventSchema.parse(event), seq: last.seq + 1, at: at.toISOString(), prevHash: last.hash, keyId: keys.current.id };
  return { ...body, hash: hashOf(body, keys.current.secret) };
}

/**
 * Recomputes the chain over stored entries (raw, as read) and holds it against the checkpoints; names the first
 * entry that was changed, removed or inserted. Unkeyed entries of the earlier version verify as a first segment;
 * an unkeyed entry after a keyed one is refused (anyone could have written it).
 */
export function verifyChain(raw: readonly unknown[], keys: AuditKeyring, checkpoints: readonly AuditCheckpoint[] = []): VerifyResult {
  const check = chainCheck(keys, checkpoints);
  for (const item of raw) {
    const failed = check.next(item);
    if (failed) return failed;
  }
  return check.finish();
}

/**
 * How long the check of a long log works before it lets the bot's requests go first: a turn waits at most this long
 * at each of its steps while the log is checked (about 5 s for 500,000 entries).
 */
const VERIFY_SLICE_MS = 1;

/**
 * The same over entries read piece by piece (a file streamed, a table in batches), yielding to the event loop now and
 * then: a long log is checked in little memory, and does not hold up the bot's requests. Strings are parsed as lines.
 */
export async function verifyChainAsync(raw: Iterable<unknown> | AsyncIterable<unknown>, keys: AuditKeyring, checkpoints: readonly AuditCheckpoint[] = []): Promise<VerifyResult> {
  const check = chainCheck(keys, checkpoints);
  let slice = performance.now();
  for await (const item of raw) {
    if (performance.now() - slice > VERIFY_SLICE_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      slice = performance.now();
    }
    const failed = check.next(typeof item === 'string' ? parseLine(item) : item);
    if (failed) return failed;
  }
  return check.finish();
}

/**
 * The chain's check, one entry at a time. It keeps the hashes of the checkpoints' entries only: its memory does not
 * grow with the log.
 */
function chainCheck(keys: AuditKeyring, checkpoints: readonly AuditCheckpoint[]) {
  const secrets = new Map([keys.current, ...keys.old].map((key) => [key.id, key.secret]));
  const sorted = [...checkpoints].sort((a, b) => a.seq - b.seq);
  const checkpointed = new Set(sorted.map((c) => c.seq));
  const atCheckpoints = new Map<number, string>();
  let count = 0;
  let previous = { seq: 0, hash: GENESIS };
  let keyed = false;
  return {
    next(item: unknown): VerifyResult | undefined {
      const parsed = AuditEntrySchema.safeParse(item);
      if (!parsed.success) return { ok: false, seq: count + 1, problem: 'regel is geen geldige audit-regel' };
      const entry = parsed.data;
      const { hash, ...body } = entry;
      if (entry.seq !== previous.seq + 1) return { ok: false, seq: entry.seq, problem: `volgnummer ${previous.seq + 1} ontbreekt` };
      if (entry.prevHash !== previous.hash) return { ok: false, seq: entry.seq, problem: 'keten verbroken (vorige regel gewijzigd of verwijderd)' };
      const keyId = entry.keyId ?? LEGACY_KEY_ID;
      let expected: string;
      if (keyId === LEGACY_KEY_ID) {
        if (keyed) return { ok: false, seq: entry.seq, problem: 'regel zonder sleutel na regels met sleutel' };
        expected = hashOf(body);
      } else {
        const secret = secrets.get(keyId);
        if (!secret) return { ok: false, seq: entry.seq, problem: `sleutel ${keyId} is niet bekend (zet hem in AUDIT_KEYS_OLD)` };
        keyed = true;
        expected = hashOf(body, secret);
      }
      if (expected !== hash) return { ok: false, seq: entry.seq, problem: 'regel gewijzigd' };
      count++;
      if (checkpointed.has(entry.seq)) atCheckpoints.set(entry.seq, hash);
      previous = { seq: entry.seq, hash };
      return undefined;
    },
    finish(): VerifyResult {
      const highest = sorted.at(-1);
      if (highest && highest.seq > count) {
        const first = count + 1;
        const missing = first === highest.seq ? `regel ${first} ontbreekt` : `regels ${first} tot en met ${highest.seq} ontbreken`;
        return { ok: false, seq: first, problem: `${missing} (controlepunt van ${highest.at}: log afgekapt of geleegd)` };
      }
      for (const checkpoint of sorted) {
        if (atCheckpoints.get(checkpoint.seq) !== checkpoint.hash) return { ok: false, seq: checkpoint.seq, problem: `wijkt af van het controlepunt van ${checkpoint.at}` };
      }
      return { ok: true, count };
    },
  };
}

/** Whether a new checkpoint is due after the chain went from `before` to `after` entries. */
export function checkpointDue(before: number, after: number): boolean {
  return Math.floor(after / CHECKPOINT_EVERY) > Math.floor(before / CHECKPOINT_EVERY);
}

/** HMAC-SHA256 with the key; plain SHA-256 for the unkeyed entries of the earlier version. */
function hashOf(entry: Omit<AuditEntry, 'hash'>, secret?: Buffer): string {
  const json = JSON.stringify(entry);
  return (secret ? createHmac('sha256', secret) : createHash('sha256')).update(json).digest('hex');
}

/** The actor of what the bot does by itself (a repair at start). */
export const BOT_ACTOR = { id: 'bot', name: 'Aanmeldbot' };

export class JsonlAuditLog implements AuditLog {
  private readonly mutex = new KeyedMutex();
  private readonly memory: string[] = [];
  private readonly memoryCheckpoints: AuditCheckpoint[] = [];

  private constructor(
    private readonly file: string | undefined,
    private readonly checkpointFile: string | undefined,
    private readonly keys: AuditKeyring,
    private last: { seq: number; hash: string },
    private lastCheckpoint: number,
  ) {}

  /**
   * Opens (or starts) DATA_DIR/audit.jsonl, with its checkpoints in DATA_DIR/audit-checkpoints.jsonl. A torn last
   * line (the bot stopped in the middle of a write) is cut off and the repair recorded as an entry of its own.
   */
  static async open(dir: string | undefined, keys: AuditKeyring, at: Date = new Date()): Promise<JsonlAuditLog> {
    const file = dir ? path.join(dir, 'audit.jsonl') : undefined;
    if (dir) await mkdir(dir, { recursive: true });
    const repaired = file ? await repairTornTail(file) : undefined;
    const log = new JsonlAuditLog(file, dir ? path.join(dir, 'audit-checkpoints.jsonl') : undefined, keys, { seq: 0, hash: GENESIS }, 0);
    // The tail only: start-up must not read years of log (issue 17).
    const lastLine = file ? await lastLineOf(file) : log.memory.at(-1);
    if (lastLine) {
      const entry = AuditEntrySchema.parse(JSON.parse(lastLine));
      log.last = { seq: entry.seq, hash: entry.hash };
    }
    log.lastCheckpoint = Math.max(0, ...(await log.checkpoints()).map((c) => c.seq));
    if (repaired) {
      await log.append({ event: 'auditlog.hersteld', actor: BOT_ACTOR, source: 'start', detail: `onvolledige laatste regel verwijderd (${repaired} bytes) na een onderbroken schrijfactie` }, at);
    }
    return log;
  }

  append(event: AuditEvent, at: Date): Promise<AuditEntry> {
    return this.mutex.run('append', async () => {
      const entry = chained(event, at, this.last, this.keys);
      const line = `${JSON.stringify(entry)}\n`;
      if (this.file) await appendDurably(this.file, [line]);
      else this.memory.push(line.trimEnd());
      const before = this.last.seq;
      this.last = { seq: entry.seq, hash: entry.hash };
      if (checkpointDue(before, entry.seq)) await this.writeCheckpoint(at);
      return entry;
    });
  }

  /**
   * Writes many entries with one write and one fsync (bulk import and seeding, data/store-dump.ts). `make` gets the
   * chain's tail (inside the log's lock) and returns the entries that follow it.
   */
  appendMany(make: (last: { seq: number; hash: string }) => AuditEntry[]): Promise<AuditEntry[]> {
    return this.mutex.run('append', async () => {
      const entries = make(this.last);
      const tail = entries.at(-1);
      if (!tail) return entries;
      const lines = entries.map((entry) => JSON.stringify(entry));
      if (this.file) {
        // In pieces: one string of every line could be longer than a JavaScript string may be.
        const pieces: string[] = [];
        for (let i = 0; i < lines.length; i += 10_000) pieces.push(`${lines.slice(i, i + 10_000).join('\n')}\n`);
        await appendDurably(this.file, pieces);
      } else {
        for (const line of lines) this.memory.push(line);
      }
      this.last = { seq: tail.seq, hash: tail.hash };
      await this.writeCheckpoint(new Date());
      return entries;
    });
  }

  /** Chains events after the tail with this log's key (for appendMany). */
  chain(events: readonly { event: AuditEvent; at: Date }[], last: { seq: number; hash: string }): AuditEntry[] {
    const entries: AuditEntry[] = [];
    let tail = last;
    for (const { event, at } of events) {
      const entry = chained(event, at, tail, this.keys);
      entries.push(entry);
      tail = entry;
    }
    return entries;
  }

  /** The chain's last entry (seq and hash), undefined for an empty log. */
  tail(): { seq: number; hash: string } | undefined {
    return this.last.seq === 0 ? undefined : { ...this.last };
  }

  /** How many entries the log holds (counted, not parsed). */
  async count(): Promise<number> {
    return (await this.lines()).length;
  }

  async entries(): Promise<AuditEntry[]> {
    return (await this.lines()).map((line) => AuditEntrySchema.parse(JSON.parse(line)));
  }

  async verify(): Promise<VerifyResult> {
    // The checkpoints first: each names an entry that is in the file by the time its length is taken.
    const checkpoints = await this.checkpoints();
    if (!this.file) return verifyChainAsync([...this.memory], this.keys, checkpoints);
    return verifyChainAsync(streamLines(this.file), this.keys, checkpoints);
  }

  checkpoint(at: Date): Promise<AuditCheckpoint | undefined> {
    return this.mutex.run('append', () => this.writeCheckpoint(at));
  }

  async checkpoints(): Promise<AuditCheckpoint[]> {
    if (!this.checkpointFile) return [...this.memoryCheckpoints];
    return readCheckpointFile(this.checkpointFile);
  }

  flush(): Promise<void> {
    return this.mutex.idle();
  }

  /** Inside the lock. */
  private async writeCheckpoint(at: Date): Promise<AuditCheckpoint | undefined> {
    if (this.last.seq <= this.lastCheckpoint) return undefined;
    const checkpoint = { seq: this.last.seq, hash: this.last.hash, at: at.toISOString() };
    if (this.checkpointFile) await appendDurably(this.checkpointFile, [`${JSON.stringify(checkpoint)}\n`]);
    else this.memoryCheckpoints.push(checkpoint);
    this.lastCheckpoint = checkpoint.seq;
    return checkpoint;
  }

  private async lines(): Promise<string[]> {
    if (!this.file) return [...this.memory];
    return readLines(this.file);
  }
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

async function readLines(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter((line) => line.trim() !== '');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * The lines of a file as they are read, in pieces: up to the length it had when reading began (what is appended
 * meanwhile is left for the next time, and a line being written is never read half). Memory stays a piece, not the file.
 */
async function* streamLines(file: string): AsyncGenerator<string> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (size === 0) return;
  let rest = '';
  for await (const piece of createReadStream(file, { encoding: 'utf8', end: size - 1, highWaterMark: 256 * 1024 })) {
    const lines = (rest + (piece as string)).split('\n');
    rest = lines.pop()!;
    for (const line of lines) if (line.trim() !== '') yield line;
  }
  if (rest.trim() !== '') yield rest;
}

/** The checkpoints of a lowdb folder; a line that is not a checkpoint is skipped (a torn last write). */
export async function readCheckpointFile(file: string): Promise<AuditCheckpoint[]> {
  return (await readLines(file)).flatMap((line) => {
    const parsed = AuditCheckpointSchema.safeParse(parseLine(line));
    return parsed.success ? [parsed.data] : [];
  });
}

/** Reads a lowdb audit log and its checkpoints without opening (or locking) the folder: for verification beside a running bot. */
export async function readJsonlAuditLog(dir: string): Promise<{ raw: unknown[]; checkpoints: AuditCheckpoint[] }> {
  const [lines, checkpoints] = await Promise.all([readLines(path.join(dir, 'audit.jsonl')), readCheckpointFile(path.join(dir, 'audit-checkpoints.jsonl'))]);
  return { raw: lines.map(parseLine), checkpoints };
}

async function appendDurably(file: string, pieces: readonly string[]): Promise<void> {
  const handle = await open(file, 'a', 0o600);
  try {
    for (const piece of pieces) await handle.write(piece);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A log that does not end in a newline was cut in the middle of a write. A last line that is a whole entry only
 * lacks its newline; anything else is cut off. Returns how many bytes were removed (0 when only the newline was added),
 * or undefined when the log was whole.
 */
async function repairTornTail(file: string): Promise<number | undefined> {
  const end = await tailOf(file);
  if (!end || end.size === 0) return undefined;
  const { size, start, tail } = end;
  if (tail[tail.length - 1] === 0x0a) return undefined;
  const cut = start + tail.lastIndexOf(0x0a) + 1;
  const torn = tail.subarray(cut - start).toString('utf8');
  if (AuditEntrySchema.safeParse(parseLine(torn)).success) {
    await appendDurably(file, ['\n']);
    return undefined;
  }
  await truncate(file, cut);
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return size - cut;
}

/**
 * The end of a file from the line before its last (whole or torn) line on, read without the rest: `start` is where
 * `tail` begins in the file. Undefined when there is no file.
 */
async function tailOf(file: string): Promise<{ size: number; start: number; tail: Buffer } | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    for (let length = 64 * 1024; ; length *= 2) {
      const start = Math.max(0, size - length);
      const tail = Buffer.alloc(size - start);
      await handle.read(tail, 0, tail.length, start);
      // Enough when a newline before the last non-empty line marks where it begins, or the file is whole.
      if (start === 0 || tail.toString('utf8').trimEnd().includes('\n')) return { size, start, tail };
    }
  } finally {
    await handle.close();
  }
}

/** The last non-empty line of a file, read from its end. */
async function lastLineOf(file: string): Promise<string | undefined> {
  const end = await tailOf(file);
  if (!end) return undefined;
  return end.tail.toString('utf8').split('\n').filter((line) => line.trim() !== '').at(-1);
}
