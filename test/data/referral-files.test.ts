import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Aanmelding } from '../../data/aanmelding.schema.js';
import { IndexEntrySchema, isIndexEntry } from '../../data/referral-files.js';
import { newRecord } from '../../data/referral.store.js';
import { openStores, StoreConfigError, type Stores } from '../../data/stores.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';
import { CREATED, draft } from '../fixtures/referral.js';

/**
 * The lowdb layout of the aanmeldingen (data/referral-files.ts): one file per aanmelding under DATA_DIR/referrals, an
 * index written at a clean close, and the single referrals.json of earlier versions converted once.
 */

let dir: string;
let stores: Stores | undefined;
const referralsDir = () => path.join(dir, 'referrals');
const open = async () => (stores = await openStores({ auditKey: TEST_AUDIT_KEY, dataDir: dir }));
const at = (minutes: number) => new Date(CREATED.getTime() + minutes * 60_000);

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'referral-files-'));
});

afterEach(async () => {
  await stores?.close();
  stores = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** Three aanmeldingen of one referrer: one assigned, one closed, one new. */
async function threeAanmeldingen(s: Stores): Promise<Aanmelding[]> {
  const made: Aanmelding[] = [];
  for (let i = 0; i < 3; i++) made.push((await s.referrals.create(draft({ intakeId: `intake-${i}` }), at(i))).aanmelding);
  await s.referrals.update(made[0]!.reference, 1, (c) => ({ ...c, status: 'toegewezen', assignee: { aadObjectId: 'aad-adele', name: 'Adele Vance', role: 'gezinscoach' } }), at(10));
  await s.referrals.update(made[1]!.reference, 1, (c) => ({ ...c, status: 'afgesloten', closure: { reason: 'doelen-behaald', at: at(11).toISOString() } }), at(11));
  return s.referrals.list();
}

/** What a person of the team sees of the store: every query the bot asks. */
async function everything(s: Stores) {
  return {
    list: await s.referrals.list(),
    open: (await s.referrals.open()).map((a) => a.reference),
    assignments: await s.referrals.assignments(),
    referrer: (await s.referrals.forPerson(draft().referrer.identity.aadObjectId!)).map((a) => a.reference),
    adele: (await s.referrals.forPerson('aad-adele')).map((a) => a.reference),
    retention: (await s.referrals.closedUnpurged(at(60))).map((a) => a.reference),
  };
}

/**
 * The folder as a crash leaves it: the index of the last clean close was taken at start and never written again, and
 * the counters are those of that close. (A real kill is in test/e2e/crash.e2e.test.ts.)
 */
async function crash(): Promise<void> {
  await stores!.close();
  stores = undefined;
  await rm(path.join(referralsDir(), 'index.json'));
  await writeFile(path.join(referralsDir(), 'sequences.json'), '{}');
}

describe('the aanmeldingen on disk, one file each', () => {
  it('keeps every aanmelding, its changes and the numbering after a restart', async () => {
    const before = await everything(await open());
    await threeAanmeldingen(stores!);
    const stored = await everything(stores!);
    await stores!.close();
    const after = await everything(await open());
    expect(after).toEqual(stored);
    expect(before.list).toEqual([]);
    expect((await stores!.referrals.create(draft({ intakeId: 'intake-next' }), at(20))).aanmelding.reference).toBe('AM-2026-0004');
  });

  it('writes each aanmelding in a file of its own that only the bot may read, and nothing of the family elsewhere', async () => {
    const [first] = await threeAanmeldingen(await open());
    const files = (await readdir(referralsDir())).sort();
    expect(files).toEqual(['AM-2026-0001.json', 'AM-2026-0002.json', 'AM-2026-0003.json', 'sequences.json']);
    expect((await stat(path.join(referralsDir(), 'AM-2026-0001.json'))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path.join(referralsDir(), 'AM-2026-0001.json'), 'utf8'))).toEqual(first);
    await stores!.close();
    // The index written at close holds what the queries need, never the family's name.
    expect(await readFile(path.join(referralsDir(), 'index.json'), 'utf8')).not.toContain('Jan de Vries');
    stores = undefined;
  });

  it('after a crash rebuilds what it knows from the records themselves, and continues the numbering', async () => {
    await threeAanmeldingen(await open());
    const stored = await everything(stores!);
    await stores!.close();
    await open();
    // A change after the clean start, then a crash: the index of the last close is gone, the records tell the truth.
    const reopened = await stores!.referrals.update('AM-2026-0003', 1, (c) => ({ ...c, status: 'afgesloten', closure: { reason: 'doelen-behaald', at: at(30).toISOString() } }), at(30));
    expect(reopened.ok).toBe(true);
    await crash();
    const after = await everything(await open());
    expect(after.list).toEqual(stored.list.map((a) => (a.reference === 'AM-2026-0003' && reopened.ok ? reopened.aanmelding : a)));
    expect(after.open).toEqual(['AM-2026-0001']);
    expect((await stores!.referrals.create(draft({ intakeId: 'intake-next' }), at(40))).aanmelding.reference).toBe('AM-2026-0004');
  });

  it('does not take a write a crash cut off for the record: the whole earlier version stays', async () => {
    const [first] = await threeAanmeldingen(await open());
    await stores!.close();
    stores = undefined;
    // A write that never got renamed into place: half a record in a temporary file.
    const torn = path.join(referralsDir(), 'AM-2026-0001.json.4242.7.tmp');
    await writeFile(torn, JSON.stringify({ ...first, status: 'afgesloten' }).slice(0, 200));
    await open();
    expect(await stores!.referrals.get('AM-2026-0001')).toEqual(first);
    expect(await readdir(referralsDir())).not.toContain(path.basename(torn));
  });

  it('reads a closed aanmelding only when asked for: a start does not read the history', async () => {
    await threeAanmeldingen(await open());
    await stores!.close();
    stores = undefined;
    await writeFile(path.join(referralsDir(), 'AM-2026-0002.json'), '{"reference":"AM-2026-0002","sta');
    await open();
    expect((await stores!.referrals.open()).map((a) => a.reference)).toEqual(['AM-2026-0001', 'AM-2026-0003']);
    await expect(stores!.referrals.get('AM-2026-0002')).rejects.toThrow(/AM-2026-0002\.json is beschadigd: geen geldige JSON/);
  });

  it('rebuilds from the records an index that is not what it writes, and answers every query as before', async () => {
    await threeAanmeldingen(await open());
    const stored = await everything(stores!);
    await stores!.close();
    stores = undefined;
    const file = path.join(referralsDir(), 'index.json');
    const { entries } = JSON.parse(await readFile(file, 'utf8')) as { entries: Record<string, unknown>[] };
    // Written by hand or by another version: taken as it stands, "nee" would close the assigned case (it is not false).
    await writeFile(file, JSON.stringify({ entries: entries.map((e) => (e.reference === 'AM-2026-0001' ? { ...e, closed: 'nee' } : e)) }));
    expect(await everything(await open())).toEqual(stored);
  });

  it('takes for an index entry exactly what the schema of the index takes', () => {
    const entry = { reference: 'AM-2026-0001', intakeId: 'intake-1', createdAt: CREATED.toISOString(), closed: true, closedAt: CREATED.toISOString(), purged: false, persons: ['aad-1', 'aad-2'] };
    const { closedAt: _closedAt, ...open } = entry;
    const candidates: unknown[] = [
      entry,
      open,
      { ...entry, persons: [] },
      null,
      'AM-2026-0001',
      [entry],
      ...Object.keys(entry).map((key) => Object.fromEntries(Object.entries(entry).filter(([k]) => k !== key))),
      ...Object.keys(entry).map((key) => ({ ...entry, [key]: 1 })),
      { ...entry, persons: ['aad-1', 2] },
      { ...entry, closedAt: null },
    ];
    expect(candidates.map(isIndexEntry)).toEqual(candidates.map((c) => IndexEntrySchema.safeParse(c).success));
    expect(candidates.filter(isIndexEntry)).toHaveLength(4);
  });

  it('refuses to start when an aanmelding the index names has lost its file, naming it', async () => {
    await threeAanmeldingen(await open());
    await stores!.close();
    stores = undefined;
    await rm(path.join(referralsDir(), 'AM-2026-0002.json'));
    await expect(open()).rejects.toThrow(new StoreConfigError(`${path.join(referralsDir(), 'AM-2026-0002.json')} ontbreekt, terwijl de index deze aanmelding noemt: de bot start niet zonder. Zet het bestand terug uit een back-up.`));
  });
});

describe('converting the referrals.json of an earlier version, once', () => {
  /** An earlier version's store: two aanmeldingen, and a counter past them (a third one was removed once). */
  async function legacyFile(): Promise<Aanmelding[]> {
    const records = [newRecord(draft({ intakeId: 'oud-1' }), 'AM-2026-0001', at(0)), newRecord(draft({ intakeId: 'oud-2' }), 'AM-2026-0002', at(1))];
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'referrals.json'), JSON.stringify({ sequences: { '2026': 3 }, referrals: records }));
    return records;
  }

  it('moves every aanmelding into the folder, keeps the counter, and removes the old file', async () => {
    const records = await legacyFile();
    await open();
    expect(await stores!.referrals.list()).toEqual(records);
    expect((await stores!.referrals.open()).map((a) => a.reference)).toEqual(['AM-2026-0001', 'AM-2026-0002']);
    expect((await stores!.referrals.create(draft({ intakeId: 'nieuw' }), at(5))).aanmelding.reference).toBe('AM-2026-0004');
    expect(await readdir(dir)).not.toContain('referrals.json');
    await stores!.close();
    expect((await everything(await open())).list).toHaveLength(3);
  });

  it('starts the conversion again after a crash halfway, and loses nothing', async () => {
    const records = await legacyFile();
    // A conversion that stopped after one record: its folder was never renamed into place.
    await mkdir(path.join(dir, 'referrals.migrating'), { recursive: true });
    await writeFile(path.join(dir, 'referrals.migrating', 'AM-2026-0001.json'), JSON.stringify(records[0]));
    await open();
    expect(await stores!.referrals.list()).toEqual(records);
    expect(await readdir(dir)).not.toContain('referrals.migrating');
  });

  it('takes the converted folder over the old file when a crash came right after the conversion', async () => {
    await legacyFile();
    await open();
    await stores!.referrals.create(draft({ intakeId: 'nieuw' }), at(5));
    await stores!.close();
    stores = undefined;
    // The old file still there (its removal never reached the disk): the folder is the truth.
    await legacyFile();
    await open();
    expect((await stores!.referrals.list()).map((a) => a.reference)).toEqual(['AM-2026-0001', 'AM-2026-0002', 'AM-2026-0004']);
    expect(await readdir(dir)).not.toContain('referrals.json');
  });

  it('refuses to choose when an old file put back beside the folder holds aanmeldingen the folder lacks', async () => {
    await legacyFile();
    await open();
    await stores!.close();
    stores = undefined;
    await rm(path.join(referralsDir(), 'AM-2026-0002.json'));
    await rm(path.join(referralsDir(), 'index.json'));
    await legacyFile();
    await expect(open()).rejects.toThrow(/referrals\.json en \S+referrals staan er allebei, en 1 aanmelding uit het oude bestand ontbreekt in de map: de bot start niet\./);
    expect(await readdir(dir)).toEqual(expect.arrayContaining(['referrals', 'referrals.json']));
  });

  it('refuses a broken old file with one line naming it, and leaves it as it was', async () => {
    await mkdir(dir, { recursive: true });
    const broken = '{"sequences":{},"referrals":[{"reference":"AM-2026-0001","contact":{"name":"Jan de Vries';
    await writeFile(path.join(dir, 'referrals.json'), broken);
    await expect(open()).rejects.toThrow(/referrals\.json is beschadigd: geen geldige JSON/);
    expect(await readFile(path.join(dir, 'referrals.json'), 'utf8')).toBe(broken);
  });
});
