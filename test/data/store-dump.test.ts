import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TEST_AUDIT_KEY, TEST_AUDIT_KEYS } from '../support/audit-key.js';
import { generateAanmeldingen } from '../../bot/seed.js';
import { GENESIS } from '../../data/audit-log.js';
import type { ChannelLink } from '../../data/channel-link.store.js';
import {
  appendReferrals,
  chainEvents,
  copyStore,
  differences,
  DumpError,
  exportStore,
  importStore,
  sequencesAfter,
  StoreNotEmptyError,
  storeContents,
  type StoreDump,
} from '../../data/store-dump.js';
import { openStores, type Stores } from '../../data/stores.js';
import { config, draft, megan, team } from '../fixtures/referral.js';
import { createTestDatabase, postgresForTests, type TestDatabase } from '../support/postgres.js';

/** Bulk export and import, the same on both stores (data/store-dump.ts). */

const NOW = new Date('2026-06-15T12:00:00.000Z');

/** A dump of `count` made-up aanmeldingen, as an empty store would receive it. */
function dumpOf(count: number): StoreDump {
  const { referrals, audit } = generateAanmeldingen(count, { config, team: team(), now: NOW });
  return {
    sequences: sequencesAfter({}, referrals),
    referrals,
    audit: chainEvents(audit, { seq: 0, hash: GENESIS }, TEST_AUDIT_KEYS),
    channels: [],
    people: [],
    outbox: [],
    conversations: [],
    leftOut: { conversations: 0, finishedJobs: 0 },
  };
}

const LINK: ChannelLink = {
  service: 'gezinsverzorger',
  teamId: '19:team@thread.tacv2',
  channelId: '19:gv@thread.tacv2',
  reference: { serviceUrl: 'https://smba.example/', channelId: 'msteams', conversation: { id: '19:gv@thread.tacv2', tenantId: 't' } },
  linkedBy: megan,
  linkedAt: NOW.toISOString(),
};

/** Everything a store can hold, a little of each. */
async function fill(stores: Stores): Promise<void> {
  await appendReferrals(stores, ({ sequences }) => generateAanmeldingen(40, { config, team: team(), now: NOW }, sequences));
  await stores.channels.link(LINK, { audit: [{ event: 'kanaal.gekoppeld', actor: { id: megan.aadObjectId, name: megan.name } }] });
  await stores.people.remember({ aadObjectId: megan.aadObjectId, teamsUserId: '29:megan', name: megan.name, serviceUrl: 'https://smba.example/', tenantId: 't' });
  await stores.outbox.enqueue({ key: 'message:1', kind: 'message', payload: { reference: 'AM-2026-0001', to: { kind: 'referrer', reference: 'AM-2026-0001' } } }, NOW);
  await stores.outbox.enqueue({ key: 'message:2', kind: 'message', payload: { reference: 'AM-2026-0002' } }, new Date(NOW.getTime() + 1000));
  await stores.conversations.put('a:gesprek|29:iemand', { updatedAt: NOW.toISOString(), seenActivityIds: ['1'], flow: { id: 'intake', version: 3, snapshot: { value: 'wijk' } } });
}

describe('bulk export and import in memory', () => {
  it('copies everything, conversation state included, and finds nothing different', async () => {
    const source = await openStores({ auditKey: TEST_AUDIT_KEY, dataDir: undefined });
    const target = await openStores({ auditKey: TEST_AUDIT_KEY, dataDir: undefined });
    await fill(source);
    const report = await copyStore(source, target);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(await target.conversations.get('a:gesprek|29:iemand')).toEqual(await source.conversations.get('a:gesprek|29:iemand'));
    expect(report.target).toMatchObject({ referrals: 40, channelLinks: 1, people: 1, pendingJobs: 2, conversations: 1 });
  });

  it('names what differs, whatever the order of keys', async () => {
    const source = await openStores({ auditKey: TEST_AUDIT_KEY, dataDir: undefined });
    await fill(source);
    const dump = await exportStore(source);
    const reordered: StoreDump = { ...dump, referrals: dump.referrals.map((a) => Object.fromEntries(Object.entries(a).reverse()) as typeof a) };
    expect(differences(dump, reordered)).toEqual([]);
    const changed: StoreDump = { ...dump, referrals: dump.referrals.map((a, i) => (i === 7 ? { ...a, version: a.version + 1 } : a)), sequences: { ...dump.sequences, '2026': 1 } };
    expect(differences(dump, changed)).toEqual(['aanmeldingen', 'referentietellers']);
    expect(differences(dump, { ...dump, people: [] })).toEqual(['personen']);
  });
});

describe('bulk export and import on lowdb', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'store-dump-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes an imported store that a restarted bot reads as it was', async () => {
    const dump = dumpOf(500);
    let stores = await openStores({ auditKey: TEST_AUDIT_KEY, dataDir: path.join(dir, 'import') });
    await importStore(stores, dump);
    await stores.close();
    stores = await openStores({ auditKey: TEST_AUDIT_KEY, dataDir: path.join(dir, 'import') });
    try {
      expect(await stores.audit.verify()).toEqual({ ok: true, count: dump.audit.length });
      expect(differences(dump, await exportStore(stores))).toEqual([]);
      expect(await stores.referrals.open()).toHaveLength(dump.referrals.filter((a) => a.status !== 'afgesloten').length);
    } finally {
      await stores.close();
    }
  });

  it('refuses to import into a store that is not empty, and an append that would reuse a number', async () => {
    const stores = await openStores({ auditKey: TEST_AUDIT_KEY, dataDir: path.join(dir, 'refuse') });
    try {
      await fill(stores);
      const before = await storeContents(stores);
      await expect(importStore(stores, dumpOf(5))).rejects.toThrow(StoreNotEmptyError);
      await expect(importStore(stores, dumpOf(5))).rejects.toThrow(/De opslag is niet leeg: 40 aanmeldingen, \d+ auditregels, 1 kanaalkoppeling, 1 persoon, 2 openstaande berichten/);
      const first = (await stores.referrals.list())[0]!;
      await expect(appendReferrals(stores, () => ({ referrals: [first], audit: [] }))).rejects.toThrow(DumpError);
      expect(await storeContents(stores)).toEqual(before);
    } finally {
      await stores.close();
    }
  });
});

const postgres = await postgresForTests();
if (postgres.failure) it('PostgreSQL is bereikbaar', () => expect.fail(postgres.failure));

describe.runIf(postgres.run)('bulk export and import on PostgreSQL', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase('dump');
    dir = await mkdtemp(path.join(tmpdir(), 'store-dump-pg-'));
  });
  afterAll(async () => {
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => db.truncate());
  const open = () => openStores({ auditKey: TEST_AUDIT_KEY, dataDir: undefined, databaseUrl: db.url });

  it('imports 20,000 aanmeldingen in one go', async () => {
    const dump = dumpOf(20_000);
    const stores = await open();
    try {
      const started = performance.now();
      await importStore(stores, dump);
      const ms = performance.now() - started;
      console.log(`bulk-import PostgreSQL: ${dump.referrals.length} aanmeldingen en ${dump.audit.length} auditregels in ${(ms / 1000).toFixed(1)} s`);
      const contents = await storeContents(stores);
      expect(contents).toMatchObject({ referrals: 20_000, auditEntries: dump.audit.length, sequences: dump.sequences });
      expect(contents.auditTail).toEqual({ seq: dump.audit.length, hash: dump.audit.at(-1)!.hash });
      expect(await stores.audit.verify()).toEqual({ ok: true, count: dump.audit.length });
      expect(await stores.referrals.open()).toHaveLength(dump.referrals.filter((a) => a.status !== 'afgesloten').length);
    } finally {
      await stores.close();
    }
  });

  it('goes from lowdb to PostgreSQL and back without losing anything', async () => {
    const lowdb = await openStores({ auditKey: TEST_AUDIT_KEY, dataDir: path.join(dir, 'heen') });
    const pg = await open();
    const back = await openStores({ auditKey: TEST_AUDIT_KEY, dataDir: undefined });
    try {
      await fill(lowdb);
      const there = await copyStore(lowdb, pg);
      expect(there.checks.filter((c) => !c.ok)).toEqual([]);
      // lowdb keeps only a hash of a conversation's key: that state stays behind, and is counted.
      expect(there.leftOut.conversations).toBe(1);
      await pg.conversations.put('a:gesprek|29:iemand', { updatedAt: NOW.toISOString(), seenActivityIds: [] });
      const home = await copyStore(pg, back);
      expect(home.checks.filter((c) => !c.ok)).toEqual([]);
      expect(await back.conversations.get('a:gesprek|29:iemand')).toEqual({ updatedAt: NOW.toISOString(), seenActivityIds: [] });
      expect(differences(await exportStore(lowdb), await exportStore(back))).toEqual(['gespreksstatus']);
    } finally {
      await Promise.all([lowdb.close(), pg.close(), back.close()]);
    }
  });

  it('refuses to import into a database that is not empty and writes nothing', async () => {
    const stores = await open();
    try {
      await fill(stores);
      const before = await storeContents(stores);
      await expect(importStore(stores, dumpOf(5))).rejects.toThrow(StoreNotEmptyError);
      const first = (await stores.referrals.list())[0]!;
      await expect(appendReferrals(stores, () => ({ referrals: [first], audit: [] }))).rejects.toThrow(DumpError);
      expect(await storeContents(stores)).toEqual(before);
    } finally {
      await stores.close();
    }
  });

  it('appends while a bot makes aanmeldingen: no number twice, one audit chain', async () => {
    const one = await open();
    const two = await open();
    try {
      const seeded = appendReferrals(one, ({ sequences }) => generateAanmeldingen(2000, { config, team: team(), now: NOW, years: 1 }, sequences));
      const made = Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          two.referrals.create(draft({ intakeId: `tegelijk-${i}` }), NOW, (a) => ({ audit: [{ event: 'aanmelding.aangemaakt', reference: a.reference, actor: { id: 'x', name: 'Test' } }] })),
        ),
      );
      await Promise.all([seeded, made]);
      const all = await one.referrals.list();
      expect(new Set(all.map((a) => a.reference)).size).toBe(2010);
      const contents = await storeContents(one);
      expect(contents.sequences['2026']).toBe(Math.max(...all.filter((a) => a.reference.startsWith('AM-2026-')).map((a) => Number(a.reference.slice(8)))));
      expect((await one.audit.verify()).ok).toBe(true);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
