import type { Aanmelding } from './aanmelding.schema.js';
import { chained, type AuditEntry, type AuditEvent, type AuditKeyring } from './audit-log.js';
import type { ChannelLink } from './channel-link.store.js';
import type { ConversationRecord } from './conversation-state.store.js';
import type { OutboxJob } from './outbox.store.js';
import type { Person } from './people.store.js';
import type { Stores } from './stores.js';

/**
 * Bulk export and import of a whole store, the same for lowdb and PostgreSQL: for moving a municipality from lowdb
 * to PostgreSQL (`npm run store:copy`) and for filling a store with made-up aanmeldingen (`npm run seed`, benchmarks).
 * Each store implements BulkStore (data/store-dump.lowdb.ts, data/postgres/store-dump.pg.ts); callers outside data/
 * use the functions below with a Stores and never learn which implementation runs.
 */

/** Everything a store holds that a copy must carry over. */
export interface StoreDump {
  /** The last reference number handed out per year ("2026" → 34): numbers are never reused. */
  sequences: Record<string, number>;
  /** Every aanmelding as stored (reference, version, history), oldest first. */
  referrals: Aanmelding[];
  /** The audit log verbatim, in order (seq and hashes unchanged, so the chain stays verifiable). */
  audit: AuditEntry[];
  channels: ChannelLink[];
  people: Person[];
  /** Jobs still to deliver (status pending). Delivered and failed jobs are left out. */
  outbox: OutboxJob[];
  /** Conversation state (an intake in progress) with its key, where the store knows the key. */
  conversations: { key: string; record: ConversationRecord }[];
  /** What the source holds but this dump leaves out. */
  leftOut: {
    /** lowdb keeps only a hash of a conversation's key in the file name: its state cannot be moved. */
    conversations: number;
    /** Delivered or failed outbox jobs. */
    finishedJobs: number;
  };
}

/** How much a store holds (cheap: counts, not the records). */
export interface StoreContents {
  referrals: number;
  auditEntries: number;
  channelLinks: number;
  people: number;
  pendingJobs: number;
  finishedJobs: number;
  conversations: number;
  sequences: Record<string, number>;
  /** The last entry of the audit log: with an intact chain its hash vouches for every entry before it. */
  auditTail: { seq: number; hash: string } | undefined;
}

/** New aanmeldingen to add after what is stored, with the audit events that go with them (in time order). */
export interface AppendBatch {
  referrals: Aanmelding[];
  audit: { event: AuditEvent; at: Date }[];
}

/** What a store tells the maker of an AppendBatch: the counters to continue after. */
export interface AppendState {
  sequences: Record<string, number>;
}

export interface AppendResult {
  referrals: number;
  auditEntries: number;
  /** The counters after the append. */
  sequences: Record<string, number>;
}

/** The bulk side of one store implementation. */
export interface BulkStore {
  contents(): Promise<StoreContents>;
  /** Everything; without the audit log (an empty `audit`) when `audit` is false. */
  export(options?: { audit?: boolean }): Promise<StoreDump>;
  /** Writes a dump into an EMPTY store in one go; throws StoreNotEmptyError when anything is stored. */
  import(dump: StoreDump): Promise<void>;
  /**
   * Adds aanmeldingen after what is stored, in one write: `make` gets the counters (under the store's lock, so no
   * aanmelding made at the same time can take the same number) and returns the records, whose references must
   * continue those counters, and their audit events, which are chained after the last entry of the log.
   */
  append(make: (state: AppendState) => AppendBatch): Promise<AppendResult>;
}

export class StoreNotEmptyError extends Error {
  constructor(readonly contents: StoreContents) {
    super(`De opslag is niet leeg: ${describeContents(contents)}.`);
    this.name = 'StoreNotEmptyError';
  }
}

export class DumpError extends Error {}

export function isEmpty(contents: StoreContents): boolean {
  return (
    contents.referrals === 0 &&
    contents.auditEntries === 0 &&
    contents.channelLinks === 0 &&
    contents.people === 0 &&
    contents.pendingJobs === 0 &&
    contents.finishedJobs === 0 &&
    contents.conversations === 0 &&
    Object.keys(contents.sequences).length === 0
  );
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "12 aanmeldingen, 40 auditregels, 1 kanaalkoppeling, referentietellers 2026: 12" (counts only, never family data). */
export function describeContents(c: StoreContents): string {
  const parts = [
    plural(c.referrals, 'aanmelding', 'aanmeldingen'),
    plural(c.auditEntries, 'auditregel', 'auditregels'),
    plural(c.channelLinks, 'kanaalkoppeling', 'kanaalkoppelingen'),
    plural(c.people, 'persoon', 'personen'),
    plural(c.pendingJobs, 'openstaand bericht', 'openstaande berichten'),
  ];
  if (c.finishedJobs) parts.push(plural(c.finishedJobs, 'afgehandeld bericht', 'afgehandelde berichten'));
  if (c.conversations) parts.push(plural(c.conversations, 'gespreksstatus', 'gespreksstatussen'));
  if (Object.keys(c.sequences).length) parts.push(`referentietellers ${describeSequences(c.sequences)}`);
  return parts.join(', ');
}

/** "2025: 120, 2026: 34" */
export function describeSequences(sequences: Record<string, number>): string {
  const years = Object.keys(sequences).sort();
  return years.length ? years.map((year) => `${year}: ${sequences[year]}`).join(', ') : 'geen';
}

export function sameSequences(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((key) => a[key] === b[key]);
}

/**
 * The counters after adding `referrals` to a store with `existing` counters. A reference whose number is not
 * above its year's counter would be a number handed out twice: refused.
 */
export function sequencesAfter(existing: Record<string, number>, referrals: readonly Pick<Aanmelding, 'reference'>[]): Record<string, number> {
  const next = { ...existing };
  const seen = new Set<string>();
  for (const { reference } of referrals) {
    const [, year, number] = /^AM-(\d{4})-(\d+)$/.exec(reference) ?? [];
    if (!year || !number) throw new DumpError(`ongeldige referentie ${reference}`);
    if (Number(number) <= (existing[year] ?? 0) || seen.has(reference)) {
      throw new DumpError(`referentie ${reference} is al uitgegeven (teller ${year} staat op ${existing[year] ?? 0})`);
    }
    seen.add(reference);
    next[year] = Math.max(next[year] ?? 0, Number(number));
  }
  return next;
}

// ---------------------------------------------------------------------------------------------------------------
// What callers outside data/ use

export const storeContents = (stores: Stores): Promise<StoreContents> => stores.bulk.contents();
export const exportStore = (stores: Stores): Promise<StoreDump> => stores.bulk.export();
/** Into an empty store only (StoreNotEmptyError otherwise). */
export const importStore = (stores: Stores, dump: StoreDump): Promise<void> => stores.bulk.import(dump);
export const appendReferrals = (stores: Stores, make: (state: AppendState) => AppendBatch): Promise<AppendResult> => stores.bulk.append(make);

export interface CopyCheck {
  /** What was compared, in Dutch ("aanmeldingen", "auditketen op het doel"). */
  label: string;
  ok: boolean;
  /** The figures (counts, counters), never family data. */
  detail: string;
}

export interface CopyReport {
  ok: boolean;
  checks: CopyCheck[];
  source: StoreContents;
  target: StoreContents;
  leftOut: StoreDump['leftOut'];
  durationMs: number;
}

/**
 * Copies everything of `source` into the empty `target` and checks the result: the counts of aanmeldingen, audit
 * entries, channel links, people and pending jobs on both sides, the reference counters, the audit chain on the
 * target (verified, and ending in the same hash as the source's, which vouches for every entry before it), and that
 * the records themselves are equal. Throws StoreNotEmptyError before writing anything when the target holds something.
 */
export async function copyStore(source: Stores, target: Stores): Promise<CopyReport> {
  const started = performance.now();
  const before = await target.bulk.contents();
  if (!isEmpty(before)) throw new StoreNotEmptyError(before);
  const dump = await source.bulk.export();
  await target.bulk.import(dump);
  const [from, to, chain, copied] = await Promise.all([
    source.bulk.contents(),
    target.bulk.contents(),
    target.audit.verify(),
    target.bulk.export({ audit: false }),
  ]);
  const count = (label: string, a: number, b: number): CopyCheck => ({ label, ok: a === b, detail: a === b ? String(a) : `${a} op de bron, ${b} op het doel` });
  const different = differences(dump, copied);
  if (from.auditTail?.hash !== to.auditTail?.hash) different.push('auditregels');
  const checks: CopyCheck[] = [
    count('aanmeldingen', from.referrals, to.referrals),
    count('auditregels', from.auditEntries, to.auditEntries),
    count('kanaalkoppelingen', from.channelLinks, to.channelLinks),
    count('personen', from.people, to.people),
    count('openstaande berichten', from.pendingJobs, to.pendingJobs),
    {
      label: 'referentietellers',
      ok: sameSequences(from.sequences, to.sequences),
      detail: sameSequences(from.sequences, to.sequences)
        ? describeSequences(to.sequences)
        : `${describeSequences(from.sequences)} op de bron, ${describeSequences(to.sequences)} op het doel`,
    },
    {
      label: 'auditketen op het doel',
      ok: chain.ok,
      detail: chain.ok ? `${chain.count} regels, keten intact` : `regel ${chain.seq}: ${chain.problem}`,
    },
    { label: 'inhoud', ok: different.length === 0, detail: different.length === 0 ? 'gelijk' : `verschilt: ${different.join(', ')}` },
  ];
  return { ok: checks.every((c) => c.ok), checks, source: from, target: to, leftOut: dump.leftOut, durationMs: performance.now() - started };
}

/**
 * The parts (in Dutch) whose records differ between two dumps, the audit log aside. Records are matched by their
 * key; equal means equal JSON apart from the order of keys in objects (PostgreSQL's jsonb keeps its own order).
 */
export function differences(a: StoreDump, b: StoreDump): string[] {
  const differ: string[] = [];
  if (!sameRecords(a.referrals, b.referrals, (r) => r.reference)) differ.push('aanmeldingen');
  if (!sameSequences(a.sequences, b.sequences)) differ.push('referentietellers');
  if (!sameRecords(a.channels, b.channels, (l) => l.service)) differ.push('kanaalkoppelingen');
  if (!sameRecords(a.people, b.people, (p) => p.aadObjectId)) differ.push('personen');
  if (!sameRecords(a.outbox, b.outbox, (j) => j.id)) differ.push('openstaande berichten');
  if (!sameRecords(a.conversations, b.conversations, (c) => c.key)) differ.push('gespreksstatus');
  return differ;
}

function sameRecords<T>(left: readonly T[], right: readonly T[], keyOf: (item: T) => string): boolean {
  if (left.length !== right.length) return false;
  const byKey = new Map(right.map((item) => [keyOf(item), item]));
  if (byKey.size !== right.length) return false;
  return left.every((item) => {
    const other = byKey.get(keyOf(item));
    return other !== undefined && (JSON.stringify(item) === JSON.stringify(other) || canonical(item) === canonical(other));
  });
}

/** JSON with the keys of every object in order: the same for equal records, whatever order their keys came in. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** Audit events chained one after another behind `last` (the log's tail). */
export function chainEvents(events: readonly { event: AuditEvent; at: Date }[], last: { seq: number; hash: string }, keys: AuditKeyring): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let tail = last;
  for (const { event, at } of events) {
    const entry = chained(event, at, tail, keys);
    entries.push(entry);
    tail = entry;
  }
  return entries;
}
