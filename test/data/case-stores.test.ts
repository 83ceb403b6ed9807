import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AUDIT_EVENTS, type AuditEvent } from '../../data/audit-log.js';
import type { ChannelLink } from '../../data/channel-link.store.js';
import { DurableJSONFile } from '../../data/durable-json-file.js';
import type { Person } from '../../data/people.store.js';
import { openStores, type Stores } from '../../data/stores.js';
import { CREATED, draft, megan } from '../fixtures/referral.js';

const T0 = new Date('2026-03-02T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const LEASE_MS = 30_000;

let stores: Stores;
let dir: string;

beforeEach(async () => {
  stores = await openStores({ dataDir: undefined });
  dir = await mkdtemp(path.join(tmpdir(), 'case-stores-'));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** The stores as the bot finds them after a restart. */
const reopen = () => openStores({ dataDir: dir });

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
    const first = await reopen();
    const a = await newReferral(first);
    await first.referrals.update(a.reference, 1, (current) => ({ ...current, status: 'wachtlijst' }), T0);
    await first.flush();
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
    expect(jobs.find((j) => j.key === 'done')).toMatchObject({ status: 'done', leaseUntil: undefined });
    expect(jobs.find((j) => j.key === 'broken')).toMatchObject({ status: 'failed', lastError: 'geen kanaal gekoppeld' });
    // A finished job's key still stops a duplicate.
    expect(await stores.outbox.enqueue(job('done'), at(10))).toBe(false);
  });

  it('keeps its jobs, leases and attempts across a restart', async () => {
    const first = await reopen();
    await first.outbox.enqueue(job('survives'), T0);
    await first.outbox.enqueue(job('finished'), T0);
    const [leased, finished] = await first.outbox.claim(T0, LEASE_MS, 10);
    await first.outbox.complete(finished!.id);
    await first.flush();

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
    const first = await reopen();
    await first.channels.link(link('gezinscoach', '19:coach@thread.tacv2'));
    await first.flush();
    expect(await (await reopen()).channels.get('gezinscoach')).toEqual(link('gezinscoach', '19:coach@thread.tacv2'));
  });
});

describe('People: how to reach someone 1:1 later', () => {
  const adele: Person = { aadObjectId: 'aad-adele', teamsUserId: '29:adele', name: 'Adele Vance', serviceUrl: 'https://smba.example/' };
  const personal = { serviceUrl: 'https://smba.example/', channelId: 'msteams', conversation: { id: 'a:adele-personal' } };

  it('writes only when something about the person changed', async () => {
    const writes = vi.spyOn(DurableJSONFile.prototype, 'write');
    const s = await reopen();
    await s.people.remember(adele);
    await s.people.remember(adele);
    await s.people.remember({ ...adele });
    expect(writes).toHaveBeenCalledTimes(1);
    await s.people.remember({ ...adele, name: 'Adele Vance-de Boer' });
    expect(writes).toHaveBeenCalledTimes(2);
    expect((await s.people.get('aad-adele'))?.name).toBe('Adele Vance-de Boer');
  });

  it('keeps a known personal conversation when a later activity (a channel invoke) has none', async () => {
    const writes = vi.spyOn(DurableJSONFile.prototype, 'write');
    const s = await reopen();
    await s.people.remember({ ...adele, personal });
    await s.people.remember(adele);
    expect(writes).toHaveBeenCalledTimes(1);
    expect((await s.people.get('aad-adele'))?.personal).toEqual(personal);
  });

  it('takes a new personal conversation over the old one', async () => {
    await stores.people.remember({ ...adele, personal });
    const newer = { ...personal, conversation: { id: 'a:adele-personal-2' } };
    await stores.people.remember({ ...adele, personal: newer });
    expect((await stores.people.get('aad-adele'))?.personal).toEqual(newer);
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
    const first = await reopen();
    await first.audit.append(eventOf('aanmelding.opgepakt'), T0);
    await first.audit.append(eventOf('dossier.verstuurd'), at(1));
    const second = await reopen();
    await second.audit.append(eventOf('kanaal.gekoppeld'), at(2));
    expect(await second.audit.verify()).toEqual({ ok: true, count: 3 });

    const file = path.join(dir, 'audit.jsonl');
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines[1] = lines[1]!.replace('Megan Bowen', 'Iemand Anders');
    await writeFile(file, lines.join('\n'));
    expect(await second.audit.verify()).toEqual({ ok: false, seq: 2, problem: 'regel gewijzigd' });
  });
});
