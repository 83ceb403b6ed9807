import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AanmeldingSchema, type Aanmelding } from './aanmelding.schema.js';
import { assigneesOf } from '../machines/referral-case.js';
import { DataDirError } from './data-dir.js';
import { DurableJSONFile } from './durable-json-file.js';

/**
 * The lowdb layout of the aanmeldingen: one small file per aanmelding in `DATA_DIR/referrals/`, so that a change
 * writes one record, not the whole store. Beside them:
 * - `sequences.json`: the last number handed out per year (never reused; the record files vouch for it too);
 * - `index.json`: what the queries need of every aanmelding (no family data), written at a clean close and removed
 *   at start, so that a start after a crash rebuilds it from the record files instead of trusting a stale one.
 * Every record is written as DurableJSONFile writes (temporary file, fsync, rename, fsync of the folder), 0600.
 */
export const REFERRALS_DIR = 'referrals';
/** The single file of earlier versions, converted once into REFERRALS_DIR at the first start. */
export const LEGACY_REFERRALS_FILE = 'referrals.json';
const SEQUENCES = 'sequences.json';
const INDEX = 'index.json';
/** Where a conversion is built before it is renamed into place in one step (a crash halfway leaves the old file). */
const MIGRATING = 'referrals.migrating';

export const SequencesSchema = z.record(z.string().regex(/^\d{4}$/), z.number().int().min(0));
export type Sequences = z.infer<typeof SequencesSchema>;

/** A record file's name: its reference, which holds nothing but year and number. */
const RECORD_NAME = /^(AM-(\d{4})-(\d{4,}))\.json$/;

/**
 * What the queries need of one aanmelding, without its content: who sent it and who has it (`status` in the
 * personal chat), whether and when it closed and whether it was purged (retention), its intake (a resent intake).
 */
export const IndexEntrySchema = z.object({
  reference: z.string(),
  intakeId: z.string(),
  createdAt: z.string(),
  closed: z.boolean(),
  closedAt: z.string().optional(),
  purged: z.boolean(),
  persons: z.array(z.string()),
});
export type IndexEntry = z.infer<typeof IndexEntrySchema>;

/** What IndexEntrySchema accepts (a test holds the two together), without building a copy of every entry. */
export function isIndexEntry(value: unknown): value is IndexEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    typeof e.reference === 'string' &&
    typeof e.intakeId === 'string' &&
    typeof e.createdAt === 'string' &&
    typeof e.closed === 'boolean' &&
    (e.closedAt === undefined || typeof e.closedAt === 'string') &&
    typeof e.purged === 'boolean' &&
    Array.isArray(e.persons) &&
    e.persons.every((p) => typeof p === 'string')
  );
}

/** The people an aanmelding belongs to in `forPerson`: its referrer and whoever it is assigned to (one or two). */
export function personsOf(a: Aanmelding): string[] {
  const persons = [a.referrer.identity.aadObjectId ?? a.referrer.identity.id];
  // A keukentafelgesprek has two: the gezinscoach and the jeugdconsulent.
  for (const x of assigneesOf(a)) if (!persons.includes(x.aadObjectId)) persons.push(x.aadObjectId);
  return persons;
}

export function indexEntryOf(a: Aanmelding): IndexEntry {
  return {
    reference: a.reference,
    intakeId: a.intakeId,
    createdAt: a.createdAt,
    closed: a.status === 'afgesloten',
    ...(a.closure ? { closedAt: a.closure.at } : {}),
    purged: a.purgedAt !== undefined,
    persons: personsOf(a),
  };
}

/** Oldest first: by creation, then by number (AM-2026-9999 before AM-2026-10000). */
export function byAge(a: { createdAt: string; reference: string }, b: { createdAt: string; reference: string }): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return numberOf(a.reference) - numberOf(b.reference);
}
const numberOf = (reference: string) => Number(/-(\d+)$/.exec(reference)?.[1] ?? 0);

/** The sequences that cover these references: the stored ones, raised where a record carries a higher number. */
export function sequencesCovering(stored: Sequences, references: Iterable<string>): Sequences {
  const next = { ...stored };
  for (const reference of references) {
    const match = /^AM-(\d{4})-(\d+)$/.exec(reference);
    if (!match) continue;
    const [, year, number] = match as unknown as [string, string, string];
    if (Number(number) > (next[year] ?? 0)) next[year] = Number(number);
  }
  return next;
}

/** Temporary names are unique within the process. */
let counter = 0;

/**
 * The folder of the aanmeldingen on disk. Reads validate (zod) on the way in, one record at a time, when it is asked
 * for; nothing here keeps records in memory.
 */
export class ReferralFolder {
  constructor(readonly dir: string) {}

  file(reference: string): string {
    return path.join(this.dir, `${reference}.json`);
  }

  /** The references that have a record file, and removes what a crash left halfway (`*.tmp`). */
  async references(): Promise<string[]> {
    const references: string[] = [];
    for (const name of await readdir(this.dir)) {
      const match = RECORD_NAME.exec(name);
      if (match) references.push(match[1]!);
      else if (name.endsWith('.tmp')) await rm(path.join(this.dir, name), { force: true });
    }
    return references;
  }

  /** One record, validated; undefined when it has no file. A record that is not an aanmelding stops with one line. */
  async read(reference: string): Promise<Aanmelding | undefined> {
    const file = this.file(reference);
    let raw: string;
    try {
      raw = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return parseRecord(file, raw);
  }

  /** Writes one record durably: after this resolves, it survives a crash or a power cut. */
  async write(record: Aanmelding, options: { syncFolder: boolean } = { syncFolder: true }): Promise<void> {
    await writeDurably(this.file(record.reference), JSON.stringify(record), options.syncFolder);
  }

  async syncFolder(): Promise<void> {
    await syncDir(this.dir);
  }

  async readSequences(): Promise<Sequences | undefined> {
    const file = path.join(this.dir, SEQUENCES);
    const raw = await new DurableJSONFile<unknown>(file).read();
    if (raw === null) return undefined;
    const parsed = SequencesSchema.safeParse(raw);
    if (!parsed.success) throw new DataDirError(`${file} is beschadigd: de tellers van de kenmerken hebben niet de verwachte vorm. De bot start niet; zet het bestand terug uit een back-up of herstel het.`);
    return parsed.data;
  }

  writeSequences(sequences: Sequences): Promise<void> {
    return new DurableJSONFile<Sequences>(path.join(this.dir, SEQUENCES)).write(sequences);
  }

  /**
   * The index written at the last clean close, and removes it: from now on only this process knows the truth, and a
   * crash makes the next start rebuild it from the records. Undefined when there is none (or it cannot be read).
   */
  async takeIndex(): Promise<IndexEntry[] | undefined> {
    const file = path.join(this.dir, INDEX);
    let raw: string;
    try {
      raw = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    await unlink(file);
    await syncDir(this.dir);
    try {
      // Checked by hand, not by IndexFileSchema: at 100,000 entries zod took 80 ms of every start, for a file only
      // this process writes. Anything else than what it writes (an earlier version, a hand edit) is rebuilt.
      const entries = (JSON.parse(raw) as { entries?: unknown } | null)?.entries;
      return Array.isArray(entries) && entries.every(isIndexEntry) ? entries : undefined;
    } catch {
      // Only a summary of the records: rebuilt from them when it is not what this version wrote.
      return undefined;
    }
  }

  writeIndex(entries: readonly IndexEntry[]): Promise<void> {
    return writeDurably(path.join(this.dir, INDEX), JSON.stringify({ entries }), true);
  }
}

function parseRecord(file: string, raw: string): Aanmelding {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new DataDirError(`${file} is beschadigd: geen geldige JSON. De bot start niet; zet het bestand terug uit een back-up of herstel het.`);
  }
  const parsed = AanmeldingSchema.safeParse(json);
  if (!parsed.success) throw new DataDirError(`${file} is beschadigd: het is geen aanmelding in de verwachte vorm. Zet het bestand terug uit een back-up of herstel het.`);
  return parsed.data;
}

async function writeDurably(file: string, text: string, syncFolder: boolean): Promise<void> {
  const temporary = `${file}.${process.pid}.${++counter}.tmp`;
  const handle = await open(temporary, 'w', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
  if (syncFolder) await syncDir(path.dirname(file));
}

async function syncDir(dir: string): Promise<void> {
  const folder = await open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** Whether `dataDir` holds aanmeldingen in either layout (the folder, or the single file of earlier versions). */
export async function hasReferralStore(dataDir: string): Promise<boolean> {
  return (await exists(path.join(dataDir, REFERRALS_DIR))) || (await exists(path.join(dataDir, LEGACY_REFERRALS_FILE)));
}

/** Makes the empty folder of a fresh store (its sequences file marks it as in use from now on). */
export async function createReferralFolder(dataDir: string): Promise<void> {
  const dir = path.join(dataDir, REFERRALS_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await new ReferralFolder(dir).writeSequences({});
}

const LegacyFileSchema = z.object({ sequences: SequencesSchema, referrals: z.array(AanmeldingSchema) });

/**
 * Converts the single `referrals.json` of earlier versions into the folder, once. Built beside it in
 * `referrals.migrating/` and renamed into place in one step; only then the old file goes. A crash before the rename
 * leaves the old file as it was (the next start begins again); one after it leaves a complete folder, and the old
 * file is removed then, once every aanmelding in it is found in the folder. A file that cannot be read as the store
 * stops the start (thrown as zod or JSON errors, which the caller names with the file).
 */
export async function migrateLegacyFile(dataDir: string): Promise<{ migrated: number } | undefined> {
  const legacy = path.join(dataDir, LEGACY_REFERRALS_FILE);
  const target = path.join(dataDir, REFERRALS_DIR);
  if (!(await exists(legacy))) return undefined;
  const data = LegacyFileSchema.parse(JSON.parse(await readFile(legacy, 'utf8')), { reportInput: true });
  if (await exists(target)) {
    // Converted before and stopped right after the rename, or an old file put back beside the folder: only the first
    // may go without asking.
    const names = new Set(await readdir(target));
    const missing = data.referrals.filter((r) => !names.has(`${r.reference}.json`)).length;
    if (missing > 0) {
      throw new DataDirError(
        `${legacy} en ${target} staan er allebei, en ${missing} aanmelding${missing === 1 ? ' uit het oude bestand ontbreekt' : 'en uit het oude bestand ontbreken'} in de map: de bot start niet. Haal weg wat niet de juiste stand is (het oude bestand of de map).`,
      );
    }
    await rm(legacy, { force: true });
    await syncDir(dataDir);
    return undefined;
  }
  const building = path.join(dataDir, MIGRATING);
  await rm(building, { recursive: true, force: true });
  await mkdir(building, { mode: 0o700 });
  const folder = new ReferralFolder(building);
  await writeAll(folder, data.referrals);
  await folder.writeSequences(sequencesCovering(data.sequences, data.referrals.map((r) => r.reference)));
  await folder.writeIndex(data.referrals.map(indexEntryOf));
  await rename(building, target);
  await syncDir(dataDir);
  await rm(legacy, { force: true });
  await syncDir(dataDir);
  return { migrated: data.referrals.length };
}

/** Writes many records durably, a few at a time, with one fsync of the folder at the end. */
export async function writeAll(folder: ReferralFolder, records: readonly Aanmelding[]): Promise<void> {
  const PARALLEL = 32;
  let next = 0;
  const worker = async () => {
    while (next < records.length) {
      const record = records[next++]!;
      await folder.write(record, { syncFolder: false });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, records.length) }, worker));
  await folder.syncFolder();
}

/**
 * Every aanmelding of a lowdb folder, oldest first, read without opening the store and without writing (reports
 * beside a running bot): the folder, or the single file of earlier versions when it was not converted yet.
 */
export async function readAllReferrals(dataDir: string): Promise<Aanmelding[]> {
  const dir = path.join(dataDir, REFERRALS_DIR);
  if (!(await exists(dir))) {
    let raw: string;
    try {
      raw = await readFile(path.join(dataDir, LEGACY_REFERRALS_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return z.object({ referrals: z.array(AanmeldingSchema) }).parse(JSON.parse(raw)).referrals;
  }
  const folder = new ReferralFolder(dir);
  const names = (await readdir(dir)).flatMap((name) => RECORD_NAME.exec(name)?.[1] ?? []);
  const records: Aanmelding[] = [];
  for (const reference of names) {
    const record = await folder.read(reference);
    if (record) records.push(record);
  }
  return records.sort(byAge);
}
