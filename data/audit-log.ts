import { createHash } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { KeyedMutex } from './keyed-mutex.js';

/**
 * Append-only, tamper-evident audit log after NEN 7513 (domain.md, privacy rules): every event on a case with
 * date and time, the case reference, the user, on whose behalf, and where it came from. Each entry carries the
 * hash of the one before, so a changed or removed line shows. It holds no family identifiers beyond the
 * reference. One JSON line per entry: appending never rewrites what is already there.
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
  'aanmelding.evaluatie', // an evaluation moment of a gezinsverzorger trajectory: planned, moved or its outcome
  'dossier.verstuurd', // the full dossier sent 1:1 (a view of the client record)
  'kanaal.gekoppeld',
  'aanmelding.opgeschoond', // identifying data removed after the retention period
  'intake.opgeschoond', // an unfinished intake's answers removed after INTAKE_IDLE_DAYS without activity
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
  hash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export interface AuditLog {
  append(event: AuditEvent, at: Date): Promise<AuditEntry>;
  entries(): Promise<AuditEntry[]>;
  /** Recomputes the chain; names the first entry that was changed, removed or inserted. */
  verify(): Promise<VerifyResult>;
}

export const GENESIS = '0'.repeat(64);

export type VerifyResult = { ok: true; count: number } | { ok: false; seq: number; problem: string };

/** The next entry of the chain after `last`. */
export function chained(event: AuditEvent, at: Date, last: { seq: number; hash: string }): AuditEntry {
  const body = { ...AuditEventSchema.parse(event), seq: last.seq + 1, at: at.toISOString(), prevHash: last.hash };
  return { ...body, hash: hashOf(body) };
}

/** Recomputes the chain over stored entries (raw, as read); names the first that was changed, removed or inserted. */
export function verifyChain(raw: readonly unknown[]): VerifyResult {
  let previous = { seq: 0, hash: GENESIS };
  for (const [index, item] of raw.entries()) {
    const parsed = AuditEntrySchema.safeParse(item);
    if (!parsed.success) return { ok: false, seq: index + 1, problem: 'regel is geen geldige audit-regel' };
    const entry = parsed.data;
    const { hash, ...body } = entry;
    if (entry.seq !== previous.seq + 1) return { ok: false, seq: entry.seq, problem: `volgnummer ${previous.seq + 1} ontbreekt` };
    if (entry.prevHash !== previous.hash) return { ok: false, seq: entry.seq, problem: 'keten verbroken (vorige regel gewijzigd of verwijderd)' };
    if (hashOf(body) !== hash) return { ok: false, seq: entry.seq, problem: 'regel gewijzigd' };
    previous = { seq: entry.seq, hash };
  }
  return { ok: true, count: raw.length };
}

function hashOf(entry: Omit<AuditEntry, 'hash'>): string {
  return createHash('sha256').update(JSON.stringify(entry)).digest('hex');
}

export class JsonlAuditLog implements AuditLog {
  private readonly mutex = new KeyedMutex();
  private readonly memory: string[] = [];

  private constructor(
    private readonly file: string | undefined,
    private last: { seq: number; hash: string },
  ) {}

  static async open(dir: string | undefined): Promise<JsonlAuditLog> {
    const log = new JsonlAuditLog(dir ? path.join(dir, 'audit.jsonl') : undefined, { seq: 0, hash: GENESIS });
    if (dir) await mkdir(dir, { recursive: true });
    const lines = await log.lines();
    const lastLine = lines.at(-1);
    if (lastLine) {
      const entry = AuditEntrySchema.parse(JSON.parse(lastLine));
      log.last = { seq: entry.seq, hash: entry.hash };
    }
    return log;
  }

  append(event: AuditEvent, at: Date): Promise<AuditEntry> {
    return this.mutex.run('append', async () => {
      const entry = chained(event, at, this.last);
      const line = `${JSON.stringify(entry)}\n`;
      if (this.file) {
        const handle = await open(this.file, 'a');
        try {
          await handle.write(line);
          await handle.sync();
        } finally {
          await handle.close();
        }
      } else {
        this.memory.push(line.trimEnd());
      }
      this.last = { seq: entry.seq, hash: entry.hash };
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
        const handle = await open(this.file, 'a');
        try {
          // In pieces: one string of every line could be longer than a JavaScript string may be.
          for (let i = 0; i < lines.length; i += 10_000) await handle.write(`${lines.slice(i, i + 10_000).join('\n')}\n`);
          await handle.sync();
        } finally {
          await handle.close();
        }
      } else {
        for (const line of lines) this.memory.push(line);
      }
      this.last = { seq: tail.seq, hash: tail.hash };
      return entries;
    });
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
    return verifyChain(
      (await this.lines()).map((line) => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          return undefined;
        }
      }),
    );
  }

  flush(): Promise<void> {
    return this.mutex.idle();
  }

  private async lines(): Promise<string[]> {
    if (!this.file) return [...this.memory];
    try {
      return (await readFile(this.file, 'utf8')).split('\n').filter((line) => line.trim() !== '');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}
