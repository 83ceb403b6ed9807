import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TEST_AUDIT_KEY, TEST_AUDIT_KEYS } from '../support/audit-key.js';
import { auditKeyOf } from '../../data/audit-key.js';

const OTHER_KEY = 'de-nieuwe-sleutel-na-de-rotatie-van-2027-abcdef';
const OTHER_KEY_ID = auditKeyOf(OTHER_KEY).id;
import { AUDIT_EVENTS, chained, GENESIS, type AuditEvent } from '../../data/audit-log.js';
import type { ChannelLink } from '../../data/channel-link.store.js';
import type { ConversationRecord, IdlePurge } from '../../data/conversation-state.store.js';
import { DurableJSONFile } from '../../data/durable-json-file.js';
import type { Person } from '../../data/people.store.js';
import { openStores, type Stores } from '../../data/stores.js';
import { CREATED, draft, megan } from '../fixtures/referral.js';
import { createTestDatabase, postgresForTests, type TestDatabase } from '../support/postgres.js';

/**
 * One contract, two stores: every test below runs against lowdb (one process, files in a folder) and against
 * PostgreSQL (several instances), so the bot cannot tell which one it has.
 */

const T0 = new Date('2026-03-02T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const LEASE_MS = 30_000;

interface AuditKeys {
  auditKey: string;
  auditKeysOld?: string;
}

interface Harness {
  name: string;
  /** Empty, persistent stores. */
  open(): Promise<Stores>;
  /** The same stores as the bot finds them after a restart (the previous instance is closed first), optionally with other audit keys. */
  restart(previous: Stores, keys?: AuditKeys): Promise<Stores>;
  /** The audit log's raw entries, in order, as stored. */
  rawAudit(): Promise<Record<string, unknown>[]>;
  /** Replaces the audit log behind the store's back with these raw entries (removing, cutting, emptying, or writing an older version's entries). */
  writeRawAudit(entries: readonly Record<string, unknown>[]): Promise<void>;
  /** Changes an audit entry behind the store's back, as someone with access to the files or the database could. */
  tamperAudit(seq: number, change: (entry: Record<string, unknown>) => Record<string, unknown>): Promise<void>;
  /** How many times a person's record was written so far (to show that nothing unchanged is written). */
  personWrites?(aadObjectId: string): Promise<number>;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  dispose(): Promise<void>;
}

function lowdbHarness(): Harness {
  let dir = '';
  return {
    name: 'lowdb',
    async setup() {
      dir = await mkdtemp(path.join(tmpdir(), 'store-contract-'));
    },
    async teardown() {
      await rm(dir, { recursive: true, force: true });
    },
    async dispose() {},
    open: () => openStores({ auditKey: TEST_AUDIT_KEY, dataDir: dir }),
    async restart(previous, keys = { auditKey: TEST_AUDIT_KEY }) {
      await previous.close();
      return openStores({ ...keys, dataDir: dir });
    },
    async rawAudit() {
      const text = await readFile(path.join(dir, 'audit.jsonl'), 'utf8').catch(() => '');
      return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    async writeRawAudit(entries) {
      await writeFile(path.join(dir, 'audit.jsonl'), entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    },
    async tamperAudit(seq, change) {
      const file = path.join(dir, 'audit.jsonl');
      const lines = (await readFile(file, 'utf8')).split('\n');
      lines[seq - 1] = JSON.stringify(change(JSON.parse(lines[seq - 1]!) as Record<string, unknown>));
      await writeFile(file, lines.join('\n'));
    },
  };
}

function postgresHarness(): Harness {
  let db: TestDatabase | undefined;
  let database: TestDatabase;
  return {
    name: 'PostgreSQL',
    async setup() {
      db ??= await createTestDatabase('contract');
      database = db;
      await database.truncate();
    },
    async teardown() {},
    async dispose() {
      await db?.drop();
    },
    open: () => openStores({ auditKey: TEST_AUDIT_KEY, dataDir: undefined, databaseUrl: database.url }),
    async restart(previous, keys = { auditKey: TEST_AUDIT_KEY }) {
      await previous.close();
      return openStores({ ...keys, dataDir: undefined, databaseUrl: database.url });
    },
    async rawAudit() {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query<{ entry: Record<string, unknown> }>('SELECT entry FROM audit_log ORDER BY seq');
      await client.end();
      return rows.map((row) => row.entry);
    },
    async writeRawAudit(entries) {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      await client.query('DELETE FROM audit_log');
      // In one statement: a log of thousands of entries is written in a moment.
      await client.query(
        `INSERT INTO audit_log (seq, at, reference, entry)
         SELECT (e->>'seq')::bigint, (e->>'at')::timestamptz, e->>'reference', e FROM jsonb_array_elements($1::jsonb) AS e`,
        [JSON.stringify(entries)],
      );
      await client.end();
    },
    async tamperAudit(seq, change) {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query<{ entry: Record<string, unknown> }>('SELECT entry FROM audit_log WHERE seq = $1', [seq]);
      await client.query('UPDATE audit_log SET entry = $2 WHERE seq = $1', [seq, change(rows[0]!.entry)]);
      await client.end();
    },
    async personWrites(aadObjectId) {
      // Every UPDATE makes a new row version: xmin changes. Count distinct versions seen by asking each time.
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query<{ xmin: string }>('SELECT xmin::text FROM people WHERE aad_object_id = $1', [aadObjectId]);
      await client.end();
      return Number(rows[0]?.xmin ?? 0);
    },
  };
}

const postgres = await postgresForTests();
const harnesses: Harness[] = [lowdbHarness(), ...(postgres.run ? [postgresHarness()] : [])];
if (postgres.failure) it('PostgreSQL is bereikbaar', () => expect.fail(postgres.failure));

describe.each(harnesses)('store contract on $name', (harness) => {
let stores: Stores;

beforeEach(async () => {
  await harness.setup();
  stores = await harness.open();
});

afterEach(async () => {
  vi.restoreAllMocks();
  await stores.close();
  await harness.teardown();
});

afterAll(() => harness.dispose());

const reopen = async () => {
  stores = await harness.restart(stores);
  return stores;
};

const newReferral = async (s: Stores = stores) => (await s.referrals.create(draft({ intakeId: `intake-${Math.random()}` }), CREATED)).aanmelding;

describe('ReferralStore.update: of two people acting on the same version, one wins', () => {
  it('changes the aanmelding at the expected version and raises the version', async () => {
    const a = await newReferral();
    expect(a.version).toBe(1);
    const result = await stores.referrals.update(a.reference, 1, (current) => ({ ...current, status: 'wachtlijst' }), T0);
    expect(result).toMatchObject({ ok: true, aanmelding: { reference: a.reference, status: 'wachtlijst', version: 2, updatedAt: T0.toISOString() } });
    expect(await stores.referrals.get(a.reference)).toMatchObject({ status: 'wachtlijst', version: 2 });
  });

  it('refuses a stale version, returns the current record and changes nothing', async () => {
    const a = await newReferral();
    await stores.referrals.update(a.reference, 1, (current) => ({ ...current, status: 'wachtlijst' }), T0);
    const before = await stores.referrals.get(a.reference);
    const change = vi.fn((current) => ({ ...current, status: 'afgesloten' as const }));
    const result = await stores.referrals.update(a.reference, 1, change, at(1));
    expect(result).toEqual({ ok: false, reason: 'conflict', current: before });
    expect(change).not.toHaveBeenCalled();
    expect(await stores.referrals.get(a.reference)).toEqual(before);
  });

  it('lets exactly one of two simultaneous updates at the same version win', async () => {
    const a = await newReferral();
    const [first, second] = await Promise.all([
      stores.referrals.update(a.reference, 1, (current) => ({ ...current, status: 'toegewezen', assignee: { aadObjectId: 'adele', name: 'Adele Vance', role: 'gezinscoach' } }), T0),
      stores.referrals.update(a.reference, 1, (current) => ({ ...current, status: 'toegewezen', assignee: { aadObjectId: 'isaiah', name: 'Isaiah Langer', role: 'gezinscoach' } }), T0),
    ]);
    expect([first.ok, second.ok]).toEqual([true, false]);
    expect(second).toMatchObject({ reason: 'conflict', current: { version: 2, assignee: { name: 'Adele Vance' } } });
    expect(await stores.referrals.get(a.reference)).toMatchObject({ version: 2, assignee: { name: 'Adele Vance' } });
  });

  it('says when the aanmelding does not exist', async () => {
    expect(await stores.referrals.update('AM-2026-9999', 1, (current) => current, T0)).toEqual({ ok: false, reason: 'not-found' });
  });

  it('refuses a change that breaks the record, and keeps the old one', async () => {
    const a = await newReferral();
    await expect(stores.referrals.update(a.reference, 1, (current) => ({ ...current, status: 'verdwenen' as never }), T0)).rejects.toThrow();
    expect(await stores.referrals.get(a.reference)).toEqual(a);
  });

  it('keeps the change after a restart', async () => {
    const a = await newReferral();
    await stores.referrals.update(a.reference, 1, (current) => ({ ...current, status: 'wachtlijst' }), T0);
    expect(await (await reopen()).referrals.get(a.reference)).toMatchObject({ status: 'wachtlijst', version: 2 });
  });
});

describe('Outbox: nothing is lost, nothing is sent twice', () => {
  const job = (key: string) => ({ key, kind: 'message' as const, payload: { reference: 'AM-2026-0001' } });

  it('keeps one job per key, however often it is enqueued', async () => {
    expect(await stores.outbox.enqueue(job('AM-2026-0001:v2:0'), T0)).toBe(true);
    expect(await stores.outbox.enqueue({ ...job('AM-2026-0001:v2:0'), payload: { reference: 'other' } }, at(5))).toBe(false);
    const jobs = await stores.outbox.list();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ key: 'AM-2026-0001:v2:0', payload: { reference: 'AM-2026-0001' }, attempts: 0, status: 'pending', dueAt: T0.toISOString() });
  });

  it('hands out only jobs that are due', async () => {
    await stores.outbox.enqueue(job('now'), T0);
    await stores.outbox.enqueue(job('later'), at(60));
    expect((await stores.outbox.claim(T0, 120_000, 10)).map((j) => j.key)).toEqual(['now']);
    expect((await stores.outbox.claim(at(59), 120_000, 10)).map((j) => j.key)).toEqual([]);
    expect((await stores.outbox.claim(at(60), 120_000, 10)).map((j) => j.key)).toEqual(['later']);
  });

  it('hands out at most the number asked for', async () => {
    for (const key of ['a', 'b', 'c']) await stores.outbox.enqueue(job(key), T0);
    expect((await stores.outbox.claim(T0, LEASE_MS, 2)).map((j) => j.key)).toEqual(['a', 'b']);
    expect((await stores.outbox.claim(T0, LEASE_MS, 2)).map((j) => j.key)).toEqual(['c']);
  });

  it('leases a claimed job: nobody else gets it until the lease ends, then it comes back with one more attempt', async () => {
    await stores.outbox.enqueue(job('k'), T0);
    const [claimed] = await stores.outbox.claim(T0, LEASE_MS, 10);
    expect(claimed).toMatchObject({ key: 'k', attempts: 1, leaseUntil: at(30).toISOString() });
    expect(await stores.outbox.claim(at(29), LEASE_MS, 10)).toEqual([]);
    const again = await stores.outbox.claim(at(30), LEASE_MS, 10);
    expect(again).toEqual([expect.objectContaining({ id: claimed!.id, attempts: 2, leaseUntil: at(60).toISOString() })]);
  });

  it('puts a job back for later with the error on retry', async () => {
    await stores.outbox.enqueue(job('k'), T0);
    const [claimed] = await stores.outbox.claim(T0, LEASE_MS, 10);
    await stores.outbox.retry(claimed!.id, at(120), 'HTTP 429');
    expect(await stores.outbox.claim(at(119), LEASE_MS, 10)).toEqual([]);
    expect(await stores.outbox.claim(at(120), LEASE_MS, 10)).toEqual([expect.objectContaining({ id: claimed!.id, attempts: 2, lastError: 'HTTP 429' })]);
  });

  it('never hands out a completed or failed job again', async () => {
    await stores.outbox.enqueue(job('done'), T0);
    await stores.outbox.enqueue(job('broken'), T0);
    const [done, broken] = await stores.outbox.claim(T0, LEASE_MS, 10);
    await stores.outbox.complete(done!.id);
    await stores.outbox.fail(broken!.id, 'geen kanaal gekoppeld');
    expect(await stores.outbox.claim(at(3600), LEASE_MS, 10)).toEqual([]);
    const jobs = await stores.outbox.list();
    expect(jobs.find((j) => j.key === 'done')).toMatchObject({ status: 'done' });
    expect(jobs.find((j) => j.key === 'done')?.leaseUntil).toBeUndefined();
    expect(jobs.find((j) => j.key === 'broken')).toMatchObject({ status: 'failed', lastError: 'geen kanaal gekoppeld' });
    // A finished job's key still stops a duplicate.
    expect(await stores.outbox.enqueue(job('done'), at(10))).toBe(false);
  });

  it('keeps its jobs, leases and attempts across a restart', async () => {
    const first = stores;
    await first.outbox.enqueue(job('survives'), T0);
    await first.outbox.enqueue(job('finished'), T0);
    const [leased, finished] = await first.outbox.claim(T0, LEASE_MS, 10);
    await first.outbox.complete(finished!.id);

    const second = await reopen();
    expect(await second.outbox.list()).toEqual([
      expect.objectContaining({ id: leased!.id, key: 'survives', status: 'pending', attempts: 1 }),
      expect.objectContaining({ key: 'finished', status: 'done' }),
    ]);
    expect(await second.outbox.claim(at(10), LEASE_MS, 10)).toEqual([]);
    expect(await second.outbox.claim(at(30), LEASE_MS, 10)).toEqual([expect.objectContaining({ key: 'survives', attempts: 2 })]);
  });
});

describe('Channel links: one channel per service', () => {
  const link = (service: ChannelLink['service'], channelId: string): ChannelLink => ({
    service,
    teamId: 'team-1',
    channelId,
    reference: { serviceUrl: 'https://smba.example/', channelId: 'msteams', conversation: { id: channelId } },
    linkedBy: megan,
    linkedAt: T0.toISOString(),
  });

  it('replaces the link of the same service and keeps the other service', async () => {
    await stores.channels.link(link('gezinscoach', '19:old@thread.tacv2'));
    await stores.channels.link(link('gezinsverzorger', '19:gv@thread.tacv2'));
    await stores.channels.link(link('gezinscoach', '19:new@thread.tacv2'));
    expect((await stores.channels.get('gezinscoach'))?.channelId).toBe('19:new@thread.tacv2');
    expect((await stores.channels.all()).map((l) => [l.service, l.channelId]).sort()).toEqual([
      ['gezinscoach', '19:new@thread.tacv2'],
      ['gezinsverzorger', '19:gv@thread.tacv2'],
    ]);
  });

  it('has no link for a service nobody linked', async () => {
    expect(await stores.channels.get('gezinsverzorger')).toBeUndefined();
  });

  it('keeps the links across a restart', async () => {
    await stores.channels.link(link('gezinscoach', '19:coach@thread.tacv2'));
    expect(await (await reopen()).channels.get('gezinscoach')).toEqual(link('gezinscoach', '19:coach@thread.tacv2'));
  });

  it('unlinks a channel that is gone, with its audit entry and messages, and only if it is still the linked one', async () => {
    await stores.channels.link(link('gezinscoach', '19:gone@thread.tacv2'));
    const follow = {
      audit: [{ event: 'kanaal.ontkoppeld' as const, actor: { id: 'teams', name: 'Microsoft Teams' }, source: '19:gone@thread.tacv2', detail: 'kanaal verwijderd' }],
      jobs: [{ key: 'notice:gone:megan', kind: 'notice' as const, payload: { to: { aadObjectId: megan.aadObjectId, name: megan.name } } }],
    };
    expect(await stores.channels.unlink('gezinscoach', '19:other@thread.tacv2', follow, T0)).toBe(false);
    expect(await stores.channels.get('gezinscoach')).toBeDefined();
    expect(await stores.outbox.list()).toEqual([]);
    expect(await stores.channels.unlink('gezinscoach', '19:gone@thread.tacv2', follow, T0)).toBe(true);
    expect(await stores.channels.get('gezinscoach')).toBeUndefined();
    expect(await stores.outbox.list()).toEqual([expect.objectContaining({ key: 'notice:gone:megan', kind: 'notice', status: 'pending' })]);
    expect((await stores.audit.entries()).map((e) => e.event)).toEqual(['kanaal.ontkoppeld']);
    // Teams telling it twice changes nothing the second time.
    expect(await stores.channels.unlink('gezinscoach', '19:gone@thread.tacv2', follow, T0)).toBe(false);
    expect((await (await reopen()).audit.entries()).length).toBe(1);
  });

  it('records a renamed channel on its link and reports only real changes', async () => {
    await stores.channels.link(link('gezinscoach', '19:coach@thread.tacv2'));
    await stores.channels.link(link('gezinsverzorger', '19:gv@thread.tacv2'));
    expect((await stores.channels.rename('19:coach@thread.tacv2', 'Aanmeldingen 2027')).map((l) => l.service)).toEqual(['gezinscoach']);
    expect(await stores.channels.rename('19:coach@thread.tacv2', 'Aanmeldingen 2027')).toEqual([]);
    expect((await (await reopen()).channels.get('gezinscoach'))?.channelName).toBe('Aanmeldingen 2027');
    expect((await stores.channels.get('gezinsverzorger'))?.channelName).toBeUndefined();
  });
});

describe('People: how to reach someone 1:1 later', () => {
  const adele: Person = { aadObjectId: 'aad-adele', teamsUserId: '29:adele', name: 'Adele Vance', serviceUrl: 'https://smba.example/' };
  const personal = { serviceUrl: 'https://smba.example/', channelId: 'msteams', conversation: { id: 'a:adele-personal' } };

  /** Counts the writes of a person's record: lowdb's file writes, or PostgreSQL's row versions. */
  const writesOf = async (aadObjectId: string) => {
    if (harness.personWrites) {
      const versions = new Set<number>();
      return { seen: async () => versions.add(await harness.personWrites!(aadObjectId)).size };
    }
    const writes = vi.spyOn(DurableJSONFile.prototype, 'write');
    return { seen: async () => writes.mock.calls.length };
  };

  it('writes only when something about the person changed', async () => {
    const writes = await writesOf('aad-adele');
    await stores.people.remember(adele);
    expect(await writes.seen()).toBe(1);
    await stores.people.remember(adele);
    await stores.people.remember({ ...adele });
    expect(await writes.seen()).toBe(1);
    await stores.people.remember({ ...adele, name: 'Adele Vance-de Boer' });
    expect(await writes.seen()).toBe(2);
    expect((await stores.people.get('aad-adele'))?.name).toBe('Adele Vance-de Boer');
  });

  it('keeps a known personal conversation when a later activity (a channel invoke) has none', async () => {
    const writes = await writesOf('aad-adele');
    await stores.people.remember({ ...adele, personal });
    expect(await writes.seen()).toBe(1);
    await stores.people.remember(adele);
    expect(await writes.seen()).toBe(1);
    expect((await stores.people.get('aad-adele'))?.personal).toEqual(personal);
  });

  it('takes a new personal conversation over the old one', async () => {
    await stores.people.remember({ ...adele, personal });
    const newer = { ...personal, conversation: { id: 'a:adele-personal-2' } };
    await stores.people.remember({ ...adele, personal: newer });
    expect((await stores.people.get('aad-adele'))?.personal).toEqual(newer);
  });

  it('forgets the personal chat when the person removes the app, and keeps how to reach them otherwise', async () => {
    await stores.people.remember({ ...adele, personal });
    expect(await stores.people.forgetPersonal('aad-adele')).toBe(true);
    expect(await stores.people.forgetPersonal('aad-adele')).toBe(false);
    expect(await stores.people.forgetPersonal('aad-nobody')).toBe(false);
    const known = await (await reopen()).people.get('aad-adele');
    expect(known).toEqual(adele);
  });

  it('takes the personal chat again when the person adds the app again after removing it', async () => {
    await stores.people.remember({ ...adele, personal });
    await stores.people.forgetPersonal('aad-adele');
    // The same as before, right after: it is not taken for "nothing changed".
    await stores.people.remember({ ...adele, personal });
    expect((await (await reopen()).people.get('aad-adele'))?.personal).toEqual(personal);
  });

  it('knows nobody it has not met', async () => {
    expect(await stores.people.get('aad-nobody')).toBeUndefined();
  });
});

describe('AuditLog: the events of the team, in a tamper-evident chain (NEN 7513)', () => {
  const eventOf = (event: AuditEvent['event']): AuditEvent => ({ event, reference: 'AM-2026-0001', actor: { id: megan.aadObjectId, name: megan.name }, source: '19:channel' });
  const caseEvents = AUDIT_EVENTS.filter((e) => e !== 'aanmelding.aangemaakt');

  it('accepts every event of the case after the aanmelding and still verifies', async () => {
    expect(caseEvents).toEqual(
      expect.arrayContaining(['aanmelding.opgepakt', 'aanmelding.toegewezen', 'aanmelding.wachtlijst', 'aanmelding.vraag', 'aanmelding.antwoord', 'aanmelding.afgesloten', 'aanmelding.geplaatst', 'dossier.verstuurd', 'kanaal.gekoppeld']),
    );
    for (const [index, event] of caseEvents.entries()) await stores.audit.append(eventOf(event), at(index));
    const entries = await stores.audit.entries();
    expect(entries.map((e) => e.event)).toEqual(caseEvents);
    expect(entries.map((e) => e.seq)).toEqual(caseEvents.map((_, i) => i + 1));
    expect(entries.slice(1).every((entry, i) => entry.prevHash === entries[i]!.hash)).toBe(true);
    expect(await stores.audit.verify()).toEqual({ ok: true, count: caseEvents.length });
  });

  it('refuses an event it does not know', async () => {
    await expect(stores.audit.append(eventOf('aanmelding.verwijderd' as never), T0)).rejects.toThrow();
    expect(await stores.audit.entries()).toEqual([]);
  });

  it('continues the chain after a restart, and shows a changed line', async () => {
    await stores.audit.append(eventOf('aanmelding.opgepakt'), T0);
    await stores.audit.append(eventOf('dossier.verstuurd'), at(1));
    const second = await reopen();
    await second.audit.append(eventOf('kanaal.gekoppeld'), at(2));
    expect(await second.audit.verify()).toEqual({ ok: true, count: 3 });

    await harness.tamperAudit(2, (entry) => ({ ...entry, actor: { id: megan.aadObjectId, name: 'Iemand Anders' } }));
    expect(await second.audit.verify()).toEqual({ ok: false, seq: 2, problem: 'regel gewijzigd' });
  });

  const appendN = async (s: Stores, n: number, from = 0) => {
    for (let i = 0; i < n; i++) await s.audit.append(eventOf('dossier.verstuurd'), at(from + i));
  };

  it('signs every entry with the key (HMAC): a changed entry with a recomputed plain SHA-256 still shows', async () => {
    await appendN(stores, 3);
    const entries = await stores.audit.entries();
    expect(new Set(entries.map((e) => e.keyId))).toEqual(new Set([TEST_AUDIT_KEYS.current.id]));
    // What anyone could do with the earlier, unkeyed chain: change a line and recompute its hash.
    await harness.tamperAudit(2, (entry) => {
      const { hash: _hash, keyId: _keyId, ...body } = { ...entry, actor: { id: megan.aadObjectId, name: 'Iemand Anders' } } as Record<string, unknown>;
      return { ...body, hash: createHash('sha256').update(JSON.stringify(body)).digest('hex') };
    });
    expect(await stores.audit.verify()).toEqual({ ok: false, seq: 2, problem: 'regel zonder sleutel na regels met sleutel' });
  });

  it('shows an entry removed from the middle', async () => {
    await appendN(stores, 4);
    const raw = await harness.rawAudit();
    await harness.writeRawAudit(raw.filter((e) => e.seq !== 2));
    expect(await stores.audit.verify()).toEqual({ ok: false, seq: 3, problem: 'volgnummer 2 ontbreekt' });
  });

  it('verifies a log longer than one read (pieces of the file, batches of the table) and names a changed entry far in', async () => {
    let last = { seq: 0, hash: GENESIS };
    const entries = Array.from({ length: 12_001 }, (_, i) => (last = chained(eventOf('dossier.verstuurd'), at(i), last, TEST_AUDIT_KEYS)));
    await harness.writeRawAudit(entries);
    expect(await stores.audit.verify()).toEqual({ ok: true, count: 12_001 });
    await harness.tamperAudit(10_002, (entry) => ({ ...entry, actor: { id: megan.aadObjectId, name: 'Iemand Anders' } }));
    expect(await stores.audit.verify()).toEqual({ ok: false, seq: 10_002, problem: 'regel gewijzigd' });
  });

  it('keeps a checkpoint apart from the log, so a cut tail shows', async () => {
    await appendN(stores, 3);
    expect(await stores.audit.checkpoint(at(10))).toMatchObject({ seq: 3 });
    expect(await stores.audit.checkpoint(at(11))).toBeUndefined();
    await appendN(stores, 2, 20);
    const raw = await harness.rawAudit();
    // The last two lines go: the chain itself is whole and the checkpoint at 3 still matches.
    await harness.writeRawAudit(raw.slice(0, 3));
    expect(await stores.audit.verify()).toEqual({ ok: true, count: 3 });
    // Two lines more cut: below the checkpoint, which names the first missing line.
    await harness.writeRawAudit(raw.slice(0, 1));
    expect(await stores.audit.verify()).toEqual({
      ok: false,
      seq: 2,
      problem: `regels 2 tot en met 3 ontbreken (controlepunt van ${at(10).toISOString()}: log afgekapt of geleegd)`,
    });
  });

  it('shows an emptied log, also after a restart, and writes a checkpoint every 100 entries and at close', async () => {
    await appendN(stores, 101);
    expect((await stores.audit.checkpoints()).map((c) => c.seq)).toEqual([100]);
    const second = await reopen();
    expect((await second.audit.checkpoints()).map((c) => c.seq)).toEqual([100, 101]);
    await harness.writeRawAudit([]);
    expect(await (await reopen()).audit.verify()).toMatchObject({ ok: false, seq: 1, problem: expect.stringContaining('regels 1 tot en met 101 ontbreken') });
  });

  it('keeps the entries of an earlier key verifiable after a rotation (AUDIT_KEYS_OLD)', async () => {
    await appendN(stores, 2);
    const rotated = await harness.restart(stores, { auditKey: OTHER_KEY, auditKeysOld: TEST_AUDIT_KEY });
    stores = rotated;
    await appendN(rotated, 2, 10);
    expect((await rotated.audit.entries()).map((e) => e.keyId)).toEqual([TEST_AUDIT_KEYS.current.id, TEST_AUDIT_KEYS.current.id, OTHER_KEY_ID, OTHER_KEY_ID]);
    expect(await rotated.audit.verify()).toEqual({ ok: true, count: 4 });
    // Without the old key the first entry cannot be checked, and the log says which key it needs.
    stores = await harness.restart(rotated, { auditKey: OTHER_KEY });
    expect(await stores.audit.verify()).toEqual({ ok: false, seq: 1, problem: `sleutel ${TEST_AUDIT_KEYS.current.id} is niet bekend (zet hem in AUDIT_KEYS_OLD)` });
  });

  it('verifies the unkeyed entries of the earlier version as the first part of the chain, and continues it keyed', async () => {
    let previous = { seq: 0, hash: '0'.repeat(64) };
    const legacy = [0, 1].map((i) => {
      const body = { ...eventOf('aanmelding.opgepakt'), seq: previous.seq + 1, at: at(i).toISOString(), prevHash: previous.hash };
      const entry = { ...body, hash: createHash('sha256').update(JSON.stringify(body)).digest('hex') };
      previous = entry;
      return entry;
    });
    await harness.writeRawAudit(legacy);
    const second = await reopen();
    await appendN(second, 1, 5);
    const entries = await second.audit.entries();
    expect(entries.map((e) => e.keyId)).toEqual([undefined, undefined, TEST_AUDIT_KEYS.current.id]);
    expect(await second.audit.verify()).toEqual({ ok: true, count: 3 });
  });
});

describe('ReferralStore.create: references, idempotence and what comes with it', () => {
  const auditOf = (reference: string): AuditEvent => ({ event: 'aanmelding.aangemaakt', reference, actor: { id: 'alex', name: 'Alex Wilber' }, source: 'a:alex' });
  const postOf = (reference: string) => ({ key: `post:${reference}`, kind: 'post' as const, payload: { reference } });

  it('numbers the aanmeldingen of a year from 0001, and starts again in a new year', async () => {
    const refs = [];
    for (let i = 0; i < 3; i++) refs.push((await stores.referrals.create(draft(), CREATED)).aanmelding.reference);
    refs.push((await stores.referrals.create(draft(), new Date('2027-01-01T08:00:00Z'))).aanmelding.reference);
    expect(refs).toEqual(['AM-2026-0001', 'AM-2026-0002', 'AM-2026-0003', 'AM-2027-0001']);
  });

  it('hands out unique, gap-free references to twenty aanmeldingen sent at once', async () => {
    const made = await Promise.all(Array.from({ length: 20 }, () => stores.referrals.create(draft(), CREATED)));
    const numbers = made.map((m) => Number(m.aanmelding.reference.slice(-4))).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('makes one aanmelding of one intake, however often it is sent', async () => {
    const d = draft({ intakeId: 'intake-once' });
    const [first, second] = await Promise.all([stores.referrals.create(d, CREATED), stores.referrals.create(d, at(1))]);
    expect([first.created, second.created].sort()).toEqual([false, true]);
    expect(first.aanmelding.reference).toBe(second.aanmelding.reference);
    expect(await stores.referrals.list()).toHaveLength(1);
    const third = await stores.referrals.create(d, at(2));
    expect(third).toEqual({ aanmelding: first.aanmelding, created: false });
  });

  it('stores the audit entry and the channel post with the aanmelding, once', async () => {
    const d = draft({ intakeId: 'intake-with-follow' });
    const { aanmelding } = await stores.referrals.create(d, CREATED, (a) => ({ audit: [auditOf(a.reference)], jobs: [postOf(a.reference)] }));
    await stores.referrals.create(d, at(5), (a) => ({ audit: [auditOf(a.reference)], jobs: [postOf(a.reference)] }));
    expect((await stores.audit.entries()).map((e) => [e.event, e.reference])).toEqual([['aanmelding.aangemaakt', aanmelding.reference]]);
    expect((await stores.outbox.list()).map((j) => j.key)).toEqual([`post:${aanmelding.reference}`]);
  });

  it('stores nothing when what comes with it cannot be made, and gives the number back', async () => {
    await expect(
      stores.referrals.create(draft(), CREATED, () => {
        throw new Error('kapot');
      }),
    ).rejects.toThrow('kapot');
    expect(await stores.referrals.list()).toEqual([]);
    expect(await stores.outbox.list()).toEqual([]);
    expect((await stores.referrals.create(draft(), CREATED)).aanmelding.reference).toBe('AM-2026-0001');
  });

  it('continues the numbering after a restart', async () => {
    await stores.referrals.create(draft(), CREATED);
    await stores.referrals.create(draft(), CREATED);
    const restarted = await reopen();
    expect((await restarted.referrals.create(draft(), CREATED)).aanmelding.reference).toBe('AM-2026-0003');
  });
});

describe('ReferralStore queries: the work in hand, a person\'s aanmeldingen, retention', () => {
  const close = (reference: string, version: number, closedAt: Date) =>
    stores.referrals.update(reference, version, (c) => ({ ...c, status: 'afgesloten', closure: { reason: 'doelen-behaald', at: closedAt.toISOString() } }), closedAt);

  it('lists the open cases, oldest first, without the closed ones', async () => {
    const a = await newReferral();
    const b = (await stores.referrals.create(draft(), at(10))).aanmelding;
    const c = (await stores.referrals.create(draft(), at(20))).aanmelding;
    await close(b.reference, 1, at(30));
    expect((await stores.referrals.open()).map((x) => x.reference)).toEqual([a.reference, c.reference]);
    expect((await stores.referrals.list()).map((x) => x.reference)).toEqual([a.reference, b.reference, c.reference]);
  });

  it("finds a person's aanmeldingen: the ones they sent and the ones assigned to them", async () => {
    const sent = await newReferral();
    const other = (await stores.referrals.create(draft({ referrer: { identity: { id: '29:kim', aadObjectId: 'aad-kim', name: 'Kim' } } }), at(1))).aanmelding;
    await stores.referrals.update(other.reference, 1, (c) => ({ ...c, status: 'toegewezen', assignee: { aadObjectId: 'aad-adele', name: 'Adele', role: 'gezinscoach' } }), at(2));
    const alexId = sent.referrer.identity.aadObjectId!;
    expect((await stores.referrals.forPerson(alexId)).map((x) => x.reference)).toEqual([sent.reference]);
    expect((await stores.referrals.forPerson('aad-adele')).map((x) => x.reference)).toEqual([other.reference]);
    expect((await stores.referrals.forPerson('aad-kim')).map((x) => x.reference)).toEqual([other.reference]);
    expect(await stores.referrals.forPerson('aad-nobody')).toEqual([]);
  });

  it('hands over who has which open case, with a gezinsverzorger\'s hours, and nothing of closed or unassigned cases', async () => {
    const coach = await newReferral();
    const gv = (await stores.referrals.create(draft({ answers: { service: 'gezinsverzorger', wijk: 'Wanssum', gezinsverzorger: { goal: 'Huishouden weer op orde', tasks: ['huishoudelijk'], supportForm: 'overbrugging', hoursPerWeek: 4.5, durationMonths: 3, cause: 'operatie', targetGroup: 'tijdelijk' } } }), at(1))).aanmelding;
    const closed = (await stores.referrals.create(draft(), at(2))).aanmelding;
    await newReferral(); // not assigned
    const assign = (reference: string, aadObjectId: string, role: 'gezinscoach' | 'gezinsverzorger') =>
      stores.referrals.update(reference, 1, (c) => ({ ...c, status: 'toegewezen', assignee: { aadObjectId, name: aadObjectId, role } }), at(3));
    await assign(coach.reference, 'aad-adele', 'gezinscoach');
    await assign(gv.reference, 'aad-lynne', 'gezinsverzorger');
    await assign(closed.reference, 'aad-adele', 'gezinscoach');
    await stores.referrals.update(closed.reference, 2, (c) => ({ ...c, status: 'afgesloten', closure: { reason: 'doelen-behaald', at: at(4).toISOString() } }), at(4));
    expect(await stores.referrals.assignments()).toEqual([
      { reference: coach.reference, aadObjectId: 'aad-adele', role: 'gezinscoach' },
      { reference: gv.reference, aadObjectId: 'aad-lynne', role: 'gezinsverzorger', hoursPerWeek: 4.5 },
    ]);
  });

  it('hands over both people of a keukentafelgesprek with its intensity, and finds the case for each (issue 15)', async () => {
    const joint = await newReferral();
    await stores.referrals.update(
      joint.reference,
      1,
      (c) => ({
        ...c,
        status: 'toegewezen',
        assignee: { aadObjectId: 'aad-patti', name: 'Patti', role: 'jeugdconsulent' },
        coAssignee: { aadObjectId: 'aad-adele', name: 'Adele', role: 'gezinscoach' },
        intensity: { level: 'complex-intensief', since: at(3).toISOString(), by: { aadObjectId: 'aad-adele', name: 'Adele' } },
      }),
      at(3),
    );
    expect(await stores.referrals.assignments()).toEqual([
      { reference: joint.reference, aadObjectId: 'aad-patti', role: 'jeugdconsulent', intensity: 'complex-intensief' },
      { reference: joint.reference, aadObjectId: 'aad-adele', role: 'gezinscoach', intensity: 'complex-intensief' },
    ]);
    for (const person of ['aad-patti', 'aad-adele']) expect((await stores.referrals.forPerson(person)).map((x) => x.reference)).toEqual([joint.reference]);
    const stored = await (await reopen()).referrals.get(joint.reference);
    expect(stored).toMatchObject({ coAssignee: { aadObjectId: 'aad-adele', role: 'gezinscoach' }, intensity: { level: 'complex-intensief' } });
  });

  it('hands retention the closed cases not purged yet, closed at or before the moment asked', async () => {
    const early = await newReferral();
    const late = (await stores.referrals.create(draft(), at(1))).aanmelding;
    await newReferral();
    await close(early.reference, 1, new Date('2024-01-10T10:00:00Z'));
    await close(late.reference, 1, new Date('2025-06-10T10:00:00Z'));
    expect((await stores.referrals.closedUnpurged(new Date('2025-01-01T00:00:00Z'))).map((x) => x.reference)).toEqual([early.reference]);
    await stores.referrals.purgeIdentifiers(early.reference, new Date('2026-02-01T00:00:00Z'));
    expect(await stores.referrals.closedUnpurged(new Date('2025-01-01T00:00:00Z'))).toEqual([]);
    expect((await stores.referrals.closedUnpurged(new Date('2026-01-01T00:00:00Z'))).map((x) => x.reference)).toEqual([late.reference]);
  });

  it('hands retention the aanmeldingen the team never sees, not closed and not purged, sent at or before the moment asked', async () => {
    const outside = (await stores.referrals.create(draft({ intakeId: 'intake-outside', answers: { children: [{ age: 25 }], contact: undefined } }), new Date('2024-01-10T10:00:00Z'))).aanmelding;
    const noConsent = (
      await stores.referrals.create(
        draft({ intakeId: 'intake-nee', answers: { consent: { referral: 'nee', givenBy: [], feedbackToHuisarts: false, recordedAt: CREATED.toISOString() }, contact: undefined } }),
        new Date('2024-02-10T10:00:00Z'),
      )
    ).aanmelding;
    await stores.referrals.create(draft({ intakeId: 'intake-later', answers: { children: [{ age: 30 }], contact: undefined } }), new Date('2025-06-10T10:00:00Z'));
    await newReferral(); // for the team: never a candidate while open
    expect([outside.triage.route, noConsent.triage.route]).toEqual(['buiten-doelgroep', 'toestemming-nodig']);
    expect((await stores.referrals.neverPostedUnpurged(new Date('2025-01-01T00:00:00Z'))).map((x) => x.reference)).toEqual([outside.reference, noConsent.reference]);
    expect(await stores.referrals.purgeIdentifiers(outside.reference, new Date('2026-02-01T00:00:00Z'))).toMatchObject({ purged: true });
    expect((await stores.referrals.neverPostedUnpurged(new Date('2025-01-01T00:00:00Z'))).map((x) => x.reference)).toEqual([noConsent.reference]);
  });

  it('keeps the note that a stilstand notice went out, after a restart, without a new version', async () => {
    const a = await newReferral();
    await stores.referrals.annotate(a.reference, (c) => ({ ...c, idleNotice: { since: a.updatedAt } }), undefined, at(5));
    const stored = await (await reopen()).referrals.get(a.reference);
    expect(stored).toMatchObject({ idleNotice: { since: a.updatedAt }, version: a.version, updatedAt: a.updatedAt });
  });

  it('purges once: the contact details go, the audit entry comes with it, a second purge does nothing', async () => {
    const a = await newReferral();
    await close(a.reference, 1, at(10));
    const audit = (): { audit: AuditEvent[] } => ({ audit: [{ event: 'aanmelding.opgeschoond', reference: a.reference, actor: { id: 'bewaartermijn', name: 'Bewaartermijn' } }] });
    const [first, second] = await Promise.all([stores.referrals.purgeIdentifiers(a.reference, at(20), audit), stores.referrals.purgeIdentifiers(a.reference, at(20), audit)]);
    expect([first.purged, second.purged].sort()).toEqual([false, true]);
    const stored = await stores.referrals.get(a.reference);
    expect(stored?.answers.contact).toBeUndefined();
    expect(stored?.purgedAt).toBe(at(20).toISOString());
    expect((await stores.audit.entries()).filter((e) => e.event === 'aanmelding.opgeschoond')).toHaveLength(1);
    expect(await stores.referrals.purgeIdentifiers('AM-2026-9999', at(30))).toEqual({ purged: false, reason: 'not-found' });
  });

  it('notes bookkeeping without a new version, with what comes with it', async () => {
    const a = await newReferral();
    const post = { service: 'gezinscoach' as const, conversationId: '19:c;messageid=1', activityId: '1', serviceUrl: 'https://smba.example/', postedAt: at(1).toISOString() };
    const noted = await stores.referrals.annotate(a.reference, (c) => ({ ...c, post }), (stored) => ({
      audit: [{ event: 'aanmelding.geplaatst', reference: stored.reference, actor: { id: 'bot', name: 'Aanmeldbot' } }],
    }), at(1));
    expect(noted).toMatchObject({ version: 1, updatedAt: a.updatedAt, post });
    expect(await stores.referrals.get(a.reference)).toEqual(noted);
    expect((await stores.audit.entries()).map((e) => e.event)).toEqual(['aanmelding.geplaatst']);
    expect(await stores.referrals.annotate('AM-2026-9999', (c) => c)).toBeUndefined();
  });

  it('commits a change with its card update and messages, and neither when the version is stale', async () => {
    const a = await newReferral();
    const follow = (stored: { reference: string; version: number }) => ({ jobs: [{ key: `update:${stored.reference}:v${stored.version}`, kind: 'update-card' as const, payload: { reference: stored.reference } }] });
    await stores.referrals.update(a.reference, 1, (c) => ({ ...c, status: 'wachtlijst' }), at(1), follow);
    await stores.referrals.update(a.reference, 1, (c) => ({ ...c, status: 'afgesloten' }), at(2), follow);
    expect((await stores.outbox.list()).map((j) => j.key)).toEqual([`update:${a.reference}:v2`]);
  });
});
describe('ConversationStateStore: unfinished intakes idle too long are purged', () => {
  const FAMILY = 'Anna Jansen, 06 12345678';
  const withFlow = (updatedAt: Date): ConversationRecord => ({
    updatedAt: updatedAt.toISOString(),
    seenActivityIds: ['activity-1'],
    flow: { id: 'intake', version: 1, snapshot: { value: 'contact', context: { intakeId: 'intake-1', contact: FAMILY } } },
  });
  const purge = (record: ConversationRecord): IdlePurge => ({
    record: { updatedAt: record.updatedAt, seenActivityIds: [], last: { flowId: record.flow!.id, instanceId: 'intake-1', outcome: 'opgeschoond' }, purged: { idleDays: 14 } },
    audit: [{ event: 'intake.opgeschoond', actor: { id: 'aanmeldbot:bewaartermijn', name: 'Bewaartermijn' }, detail: 'intake-1' }],
  });

  it('replaces only unfinished flows idle since before the limit, with one audit entry each, once, and for good', async () => {
    await stores.conversations.put('idle', withFlow(at(0)));
    await stores.conversations.put('recent', withFlow(at(100)));
    const finished: ConversationRecord = { updatedAt: at(0).toISOString(), seenActivityIds: [], last: { flowId: 'intake', instanceId: 'x', outcome: 'verstuurd', reference: 'AM-2026-0001' } };
    await stores.conversations.put('finished', finished);

    expect(await stores.conversations.purgeIdle(at(50), purge, at(200))).toBe(1);
    const purged = await stores.conversations.get('idle');
    expect(purged).toEqual(purge(withFlow(at(0))).record);
    expect(JSON.stringify(purged)).not.toContain('Anna');
    expect(await stores.conversations.get('recent')).toEqual(withFlow(at(100)));
    expect(await stores.conversations.get('finished')).toEqual(finished);
    const entries = await stores.audit.entries();
    expect(entries.map((e) => [e.event, e.at])).toEqual([['intake.opgeschoond', at(200).toISOString()]]);

    // A purged record holds no flow: a second run finds nothing, and a restart keeps it purged.
    expect(await stores.conversations.purgeIdle(at(50), purge, at(300))).toBe(0);
    await reopen();
    expect(await stores.conversations.get('idle')).toEqual(purge(withFlow(at(0))).record);
    expect(await stores.conversations.purgeIdle(at(500), purge, at(600))).toBe(1);
    expect(await stores.conversations.get('recent')).toMatchObject({ last: { outcome: 'opgeschoond' } });
    expect((await stores.audit.entries()).filter((e) => e.event === 'intake.opgeschoond')).toHaveLength(2);
  });

  it('keeps the open question\'s message on a record with a flow, and leaves the rest of the record as it was', async () => {
    await stores.conversations.put('asking', withFlow(at(10)));
    await stores.conversations.markQuestion('asking', 'activity-card-7');
    expect(await stores.conversations.get('asking')).toEqual({ ...withFlow(at(10)), questionActivityId: 'activity-card-7' });
    // No flow, no question: nothing is added (a finished intake has no open question).
    const finished: ConversationRecord = { updatedAt: at(0).toISOString(), seenActivityIds: [] };
    await stores.conversations.put('done', finished);
    await stores.conversations.markQuestion('done', 'activity-card-8');
    await stores.conversations.markQuestion('nobody', 'activity-card-9');
    await reopen();
    expect(await stores.conversations.get('done')).toEqual(finished);
    expect(await stores.conversations.get('nobody')).toBeUndefined();
    expect(await stores.conversations.get('asking')).toMatchObject({ questionActivityId: 'activity-card-7' });
  });

  it('leaves an intake alone whose person came back after the limit was set', async () => {
    await stores.conversations.put('back', withFlow(at(0)));
    await stores.conversations.put('back', withFlow(at(60)));
    expect(await stores.conversations.purgeIdle(at(50), purge, at(70))).toBe(0);
    expect(await stores.conversations.get('back')).toEqual(withFlow(at(60)));
    expect(await stores.audit.entries()).toEqual([]);
  });
});
});
