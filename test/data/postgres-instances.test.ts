import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';
import { migrate } from '../../data/postgres/db.js';
import { openStores, type Stores } from '../../data/stores.js';
import { nextSlot, TEAMS_CONVERSATION_LIMITS } from '../../machines/pacing.js';
import { CREATED, draft } from '../fixtures/referral.js';
import { createTestDatabase, postgresForTests, type TestDatabase } from '../support/postgres.js';

/**
 * Two instances of the bot on one database (a rolling deploy, a second replica): each has its own connection
 * pool, as two processes would. What one instance does, the other must never undo or do again.
 */

const postgres = await postgresForTests();
if (postgres.failure) it('PostgreSQL is bereikbaar', () => expect.fail(postgres.failure));

describe.runIf(postgres.run)('two instances on one PostgreSQL database', () => {
  let db: TestDatabase;
  let one: Stores;
  let two: Stores;

  beforeAll(async () => {
    db = await createTestDatabase('instances');
  });
  afterAll(() => db?.drop());
  beforeEach(async () => {
    await db.truncate();
    [one, two] = await Promise.all([openStores({ auditKey: TEST_AUDIT_KEY, dataDir: undefined, databaseUrl: db.url }), openStores({ auditKey: TEST_AUDIT_KEY, dataDir: undefined, databaseUrl: db.url })]);
  });
  afterEach(async () => {
    await Promise.all([one.close(), two.close()]);
  });

  it('migrates once when both start at the same moment', async () => {
    const [first, second] = await Promise.all([migrate(db.url), migrate(db.url)]);
    expect([...first, ...second]).toEqual([]);
  });

  it('hands out unique, gap-free references across both', async () => {
    const made = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? one : two).referrals.create(draft(), CREATED)));
    const numbers = made.map((m) => Number(m.aanmelding.reference.slice(-4))).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('lets one of two coordinators on two instances win the same card', async () => {
    const a = (await one.referrals.create(draft(), CREATED)).aanmelding;
    const assign = (s: Stores, name: string) =>
      s.referrals.update(a.reference, 1, (c) => ({ ...c, status: 'toegewezen', assignee: { aadObjectId: `aad-${name}`, name, role: 'gezinscoach' } }), CREATED);
    const results = await Promise.all([assign(one, 'Adele'), assign(two, 'Isaiah')]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const stored = await two.referrals.get(a.reference);
    expect(stored?.version).toBe(2);
    expect(results.find((r) => r.ok)).toMatchObject({ aanmelding: { assignee: { name: stored?.assignee?.name } } });
  });

  it('gives each outbox job to one instance only', async () => {
    for (let i = 0; i < 60; i++) await one.outbox.enqueue({ key: `job-${i}`, kind: 'message', payload: { reference: `AM-2026-${i}` } }, CREATED);
    const taken: string[] = [];
    const work = async (s: Stores) => {
      for (;;) {
        const jobs = await s.outbox.claim(CREATED, 60_000, 4);
        if (jobs.length === 0) return;
        taken.push(...jobs.map((j) => j.key));
        await Promise.all(jobs.map((j) => s.outbox.complete(j.id)));
      }
    };
    await Promise.all([work(one), work(two), work(one), work(two)]);
    expect(taken).toHaveLength(60);
    expect(new Set(taken).size).toBe(60);
  });

  it("takes over a crashed instance's job once its lease has run out", async () => {
    await one.outbox.enqueue({ key: 'orphan', kind: 'post', payload: { reference: 'AM-2026-0001' } }, CREATED);
    const [claimed] = await one.outbox.claim(CREATED, 30_000, 1);
    expect(claimed).toBeDefined();
    // `one` dies holding the lease: `two` gets nothing until it ends, then the job.
    expect(await two.outbox.claim(new Date(CREATED.getTime() + 29_000), 30_000, 1)).toEqual([]);
    expect(await two.outbox.claim(new Date(CREATED.getTime() + 30_000), 30_000, 1)).toEqual([expect.objectContaining({ key: 'orphan', attempts: 2 })]);
  });

  it('keeps one audit chain when both append at once', async () => {
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 ? one : two).audit.append({ event: 'dossier.verstuurd', reference: `AM-2026-${String(i).padStart(4, '0')}`, actor: { id: 'x', name: 'X' } }, CREATED),
      ),
    );
    expect(await one.audit.verify()).toEqual({ ok: true, count: 30 });
  });

  it("keeps Teams' limits for one conversation across both instances", async () => {
    const now = Date.parse('2026-03-02T10:00:00Z');
    const slots = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).pacing.reserve('19:channel', now, TEAMS_CONVERSATION_LIMITS)));
    const sorted = [...slots].sort((a, b) => a - b);
    for (const [count, windowMs] of TEAMS_CONVERSATION_LIMITS) {
      for (const start of sorted) expect(sorted.filter((t) => t >= start && t < start + windowMs).length).toBeLessThanOrEqual(count);
    }
    // Another conversation is not held up by this one.
    expect(await one.pacing.reserve('a:personal', now, TEAMS_CONVERSATION_LIMITS)).toBe(now);
  });

  it('books by the same rule as nextSlot (machines/pacing.ts), send after send, whatever the moment asked', async () => {
    const start = Date.parse('2026-03-02T10:00:00Z');
    const booked: number[] = [];
    // Bursts, pauses and asks for a moment before earlier bookings: 120 sends, as a busy channel sees them.
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    let now = start;
    for (let i = 0; i < 120; i++) {
      now += random() < 0.2 ? Math.floor(random() * 5000) : Math.floor(random() * 50);
      const expected = nextSlot([...booked].sort((a, b) => a - b), TEAMS_CONVERSATION_LIMITS, now);
      const at = await (i % 2 ? one : two).pacing.reserve('19:busy', now, TEAMS_CONVERSATION_LIMITS);
      expect([i, at]).toEqual([i, expected]);
      booked.push(at);
    }
    expect(Math.max(...booked)).toBeGreaterThan(now);
  });

  it('books several sends in one call as that many calls one after the other would, on either instance', async () => {
    const start = Date.parse('2026-03-02T10:00:00Z');
    const booked: number[] = [];
    let now = start;
    for (let i = 0; i < 40; i++) {
      now += i % 5 === 0 ? 1500 : 40;
      const count = 1 + (i % 3);
      const expected: number[] = [];
      for (let k = 0; k < count; k++) expected.push(nextSlot([...booked, ...expected].sort((a, b) => a - b), TEAMS_CONVERSATION_LIMITS, now));
      const slots = await (i % 2 ? one : two).pacing.reserveSeveral('a:personal-busy', now, TEAMS_CONVERSATION_LIMITS, count);
      expect([i, slots]).toEqual([i, expected]);
      booked.push(...slots);
    }
    // The limits held: some had to wait for room.
    expect(Math.max(...booked)).toBeGreaterThan(now);
  });

  it('frees what was booked and not used, and only that, whichever instance gives it back', async () => {
    const now = Date.parse('2026-03-02T10:00:00Z');
    // Six sends at this moment from one instance, two booked ahead by the other, of which one is given back.
    for (let i = 0; i < 6; i++) await one.pacing.reserve('a:given-back', now, TEAMS_CONVERSATION_LIMITS);
    const ahead = await two.pacing.reserveSeveral('a:given-back', now, TEAMS_CONVERSATION_LIMITS, 2);
    expect(ahead).toEqual([now, now + 1000]);
    await one.pacing.release('a:given-back', [ahead[1]!]);
    // Seven at `now`: the next has to wait a second, and the one after it comes after the freed one's place.
    expect(await one.pacing.reserve('a:given-back', now, TEAMS_CONVERSATION_LIMITS)).toBe(now + 1000);
    expect(await two.pacing.reserve('a:given-back', now, TEAMS_CONVERSATION_LIMITS)).toBe(now + 2000);
  });

  it('frees as many bookings of one moment as were given back, no more', async () => {
    const now = Date.parse('2026-03-02T10:00:00Z');
    expect(await one.pacing.reserveSeveral('a:same-moment', now, TEAMS_CONVERSATION_LIMITS, 3)).toEqual([now, now, now]);
    await two.pacing.release('a:same-moment', [now, now]);
    // One is left at `now`: six more fit in that second, the seventh waits.
    const next = [];
    for (let i = 0; i < 7; i++) next.push(await (i % 2 ? one : two).pacing.reserve('a:same-moment', now, TEAMS_CONVERSATION_LIMITS));
    expect(next).toEqual([now, now, now, now, now, now, now + 1000]);
  });

  it('books a conversation whose id holds quotes and backslashes as that id, and nothing else happens', async () => {
    const now = Date.parse('2026-03-02T10:00:00Z');
    const odd = "a:it's\\'; DELETE FROM send_slots; --";
    await one.pacing.reserve('19:channel', now, TEAMS_CONVERSATION_LIMITS);
    const slots = [];
    for (let i = 0; i < 8; i++) slots.push(await (i % 2 ? one : two).pacing.reserve(odd, now, TEAMS_CONVERSATION_LIMITS));
    // Seven go at once, the eighth waits for room: the id was booked as one conversation.
    expect(slots.filter((t) => t === now)).toHaveLength(7);
    expect(slots[7]).toBeGreaterThan(now);
    // The other conversation's booking is still there: the 8 in 2 seconds still counts it.
    const next = [];
    for (let i = 0; i < 7; i++) next.push(await one.pacing.reserve('19:channel', now, TEAMS_CONVERSATION_LIMITS));
    expect(next.filter((t) => t === now)).toHaveLength(6);
  });
});
