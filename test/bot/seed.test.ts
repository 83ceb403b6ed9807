import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';
import { defaultOpenCases, generateAanmeldingen, seedAanmeldingen } from '../../bot/seed.js';
import { AanmeldingSchema, CASE_STATUSES, type Aanmelding } from '../../data/aanmelding.schema.js';
import { purgeOf, referenceFor } from '../../data/referral.store.js';
import { storeContents } from '../../data/store-dump.js';
import { openStores, type Stores } from '../../data/stores.js';
import { config, draft, team } from '../fixtures/referral.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, postgresForTests, type TestDatabase } from '../support/postgres.js';
import { storedReferralsText } from '../support/stored-referrals.js';

const NOW = new Date('2026-06-15T12:00:00.000Z');
const options = { config, team: team(), now: NOW };

describe('the seed generator', () => {
  const N = 5000;
  const { referrals, audit } = generateAanmeldingen(N, options);
  const open = referrals.filter((a) => a.status !== 'afgesloten');

  it('makes the number asked for, valid per AanmeldingSchema, with references in order per year', () => {
    expect(referrals).toHaveLength(N);
    for (const a of referrals) expect(AanmeldingSchema.safeParse(a).success).toBe(true);
    const perYear = new Map<string, number>();
    for (const a of referrals) {
      const year = String(new Date(a.createdAt).getUTCFullYear());
      perYear.set(year, (perYear.get(year) ?? 0) + 1);
      expect(a.reference).toBe(referenceFor(year, perYear.get(year)!));
    }
    // Spread back over years (one per 1,000: five), none in the future.
    expect([...perYear.keys()].sort()).toEqual(['2021', '2022', '2023', '2024', '2025', '2026']);
    expect(referrals.every((a) => a.createdAt <= NOW.toISOString() && a.updatedAt <= NOW.toISOString())).toBe(true);
  });

  it('keeps the work in hand bounded, and assigned open cases within each professional’s capacity', () => {
    expect(open.length).toBeGreaterThanOrEqual(100);
    expect(open.length).toBeLessThanOrEqual(200);
    const larger = generateAanmeldingen(20_000, { ...options, years: 3 }).referrals.filter((a) => a.status !== 'afgesloten').length;
    expect(larger).toBeGreaterThanOrEqual(100);
    expect(larger).toBeLessThanOrEqual(200);
    const load = new Map<string, number>();
    for (const a of open) if (a.assignee) load.set(a.assignee.aadObjectId, (load.get(a.assignee.aadObjectId) ?? 0) + 1);
    for (const professional of team().professionals) expect(load.get(professional.aadObjectId) ?? 0).toBeLessThanOrEqual(professional.capacity.maxCases);
    // Most are old and closed; the open ones are the newest.
    const oldestOpen = open.map((a) => a.createdAt).sort()[0]!;
    expect(referrals.filter((a) => a.createdAt >= oldestOpen).length).toBeLessThan(open.length * 2);
  });

  it('spreads over statuses, routes, wijken, consent and the team', () => {
    const count = <T extends string>(key: (a: Aanmelding) => T | undefined) => {
      const counts: Record<string, number> = {};
      for (const a of referrals) {
        const k = key(a);
        if (k !== undefined) counts[k] = (counts[k] ?? 0) + 1;
      }
      return counts;
    };
    expect(Object.keys(count((a) => a.status)).sort()).toEqual([...CASE_STATUSES].sort());
    const routes = count((a) => a.triage.route);
    for (const route of ['gezinscoach', 'keukentafelgesprek', 'jeugdconsulent', 'gezinsverzorger', 'buiten-doelgroep']) expect(routes[route]).toBeGreaterThan(N * 0.02);
    expect(routes.gezinscoach).toBeGreaterThan(N * 0.35);
    expect(count((a) => a.answers.consent?.referral ?? 'geen').anoniem).toBeGreaterThan(N * 0.05);
    expect(referrals.some((a) => a.triage.urgent)).toBe(true);
    const wijken = count((a) => a.answers.wijk);
    expect(Object.keys(wijken).every((w) => config.wijken.includes(w))).toBe(true);
    expect(Object.keys(wijken).length).toBe(config.wijken.length);
    const names = new Set(team().professionals.map((p) => p.aadObjectId));
    expect(referrals.every((a) => !a.assignee || names.has(a.assignee.aadObjectId))).toBe(true);
    expect(new Set(referrals.flatMap((a) => (a.assignee ? [a.assignee.aadObjectId] : []))).size).toBe(names.size);
    expect(Object.keys(count((a) => a.closure?.reason)).length).toBeGreaterThanOrEqual(5);
  });

  it('uses names and numbers that are obviously made up', () => {
    for (const a of referrals) {
      expect(a.referrer.identity.name).toMatch(/^Testverwijzer Voorbeeld \d+$/);
      if (a.answers.contact) {
        expect(a.answers.contact.name).toMatch(/^Testgezin Voorbeeld \d+$/);
        expect(a.answers.contact.phone).toMatch(/^06 00000\d{3}$/);
        if (a.answers.contact.email) expect(a.answers.contact.email).toMatch(/^testgezin\d+@voorbeeld\.invalid$/);
      }
      if (a.answers.explanation) expect(a.answers.explanation).toMatch(/^Verzonnen testaanmelding: /);
      if (a.answers.consent?.referral !== 'ja') expect(a.answers.contact).toBeUndefined();
    }
  });

  it('purges closed cases past the retention period exactly as the bot does', () => {
    const purged = referrals.filter((a) => a.purgedAt !== undefined);
    expect(purged.length).toBeGreaterThan(N * 0.3);
    for (const a of purged) {
      expect(a.status).toBe('afgesloten');
      expect(a.answers.contact).toBeUndefined();
      expect(a.answers.explanation).toBeUndefined();
      expect(a.questions.every((q) => q.question === '[verwijderd]')).toBe(true);
      if (a.answers.gezinsverzorger) expect(a.answers.gezinsverzorger.goal).toBe('[verwijderd]');
      expect(purgeOf(a, NOW)).toEqual({ purged: false, reason: 'already-purged' });
      expect(new Date(a.purgedAt!).getTime() - new Date(a.closure!.at).getTime()).toBeGreaterThanOrEqual(24 * 28 * 86_400_000);
    }
    // Recently closed ones keep their data.
    expect(referrals.some((a) => a.status === 'afgesloten' && a.purgedAt === undefined && a.answers.contact)).toBe(true);
  });

  it('gives every change its audit event, in time order', () => {
    const events = audit.map((e) => e.event.event);
    expect(events.filter((e) => e === 'aanmelding.aangemaakt')).toHaveLength(N);
    expect(events.filter((e) => e === 'aanmelding.opgeschoond')).toHaveLength(referrals.filter((a) => a.purgedAt).length);
    expect(audit.length).toBe(referrals.reduce((sum, a) => sum + a.history.length + (a.purgedAt ? 1 : 0), 0));
    for (let i = 1; i < audit.length; i++) expect(audit[i]!.at.getTime()).toBeGreaterThanOrEqual(audit[i - 1]!.at.getTime());
  });

  it('is deterministic for a count and seed, and another seed gives other aanmeldingen', () => {
    const again = generateAanmeldingen(300, options);
    expect(JSON.stringify(generateAanmeldingen(300, options))).toBe(JSON.stringify(again));
    expect(JSON.stringify(generateAanmeldingen(300, { ...options, seed: 2 }).referrals)).not.toBe(JSON.stringify(again.referrals));
  });

  it('continues the counters it is given', () => {
    const { referrals: more } = generateAanmeldingen(20, options, { '2026': 41 });
    expect(more.filter((a) => a.reference.startsWith('AM-2026-'))[0]?.reference).toBe('AM-2026-0042');
    expect(defaultOpenCases(100_000)).toBe(150);
  });
});

/** Seeding a real store: counts, the audit chain, and the bot's next aanmelding after the seeded ones. */
async function seedsAStore(open: () => Promise<Stores>) {
  let stores = await open();
  const summary = await seedAanmeldingen(stores, 300, options);
  expect(summary).toMatchObject({ count: 300, auditEntries: expect.any(Number) });
  const contents = await storeContents(stores);
  expect(contents.referrals).toBe(300);
  expect(contents.auditEntries).toBe(summary.auditEntries);
  expect(await stores.audit.verify()).toEqual({ ok: true, count: summary.auditEntries });
  const created = (await stores.audit.entries()).filter((e) => e.event === 'aanmelding.aangemaakt').map((e) => e.reference);
  expect(new Set(created)).toEqual(new Set((await stores.referrals.list()).map((a) => a.reference)));

  // A store that is not empty: the seed goes on after what is there, and so does the bot.
  const again = await seedAanmeldingen(stores, 50, { ...options, seed: 2 });
  const all = await stores.referrals.list();
  expect(new Set(all.map((a) => a.reference)).size).toBe(350);
  const highest: Record<string, number> = {};
  for (const a of all) {
    const [, year, number] = a.reference.split('-');
    highest[year!] = Math.max(highest[year!] ?? 0, Number(number));
  }
  expect((await storeContents(stores)).sequences).toEqual(highest);
  await stores.close();
  stores = await open();
  const { sequences } = await storeContents(stores);
  const made = await stores.referrals.create(draft({ intakeId: 'na-de-seed' }), NOW, (a) => ({
    audit: [{ event: 'aanmelding.aangemaakt', reference: a.reference, actor: { id: 'x', name: 'Test' } }],
  }));
  expect(made.aanmelding.reference).toBe(referenceFor(2026, sequences['2026']! + 1));
  expect(await stores.audit.verify()).toEqual({ ok: true, count: summary.auditEntries + again.auditEntries + 1 });
  await stores.close();
}

describe('seeding a lowdb store', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'seed-lowdb-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the aanmeldingen with their audit entries, and the bot continues the references', () => seedsAStore(() => openStores({ auditKey: TEST_AUDIT_KEY, dataDir: path.join(dir, 'in-process') })));

  it('npm run seed writes into DATA_DIR and prints one Dutch line', async () => {
    const dataDir = path.join(dir, 'cli');
    const [run, twin] = await Promise.all([
      runCli('bot/cli/seed.ts', ['--count', '120', '--seed', '4'], { DATA_DIR: dataDir }),
      runCli('bot/cli/seed.ts', ['--count', '120', '--seed', '4'], { DATA_DIR: path.join(dir, 'cli-tweeling') }),
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^120 verzonnen aanmeldingen \(AM-\d{4}-0001 t\/m AM-\d{4}-\d{4}\) in \d+,\d s toegevoegd aan lowdb .*: \d+ open, \d+ opgeschoond, \d+ auditregels\.\n$/);
    expect(twin.code).toBe(0);
    // The same count and seed on the same day: the same store.
    const [mine, theirs] = await Promise.all([storedReferralsText(dataDir), storedReferralsText(path.join(dir, 'cli-tweeling'))]);
    expect(mine).toBe(theirs);
    const stores = await openStores({ auditKey: TEST_AUDIT_KEY, dataDir });
    expect((await storeContents(stores)).referrals).toBe(120);
    // Held by this process now: a second writer is refused, as beside the bot.
    const refused = await runCli('bot/cli/seed.ts', ['--count', '10'], { DATA_DIR: dataDir });
    await stores.close();
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is in gebruik door');
  });

  it.each([
    [[], 'het aantal (--count) ontbreekt'],
    [['--count', 'veel'], '--count moet een heel getal van 1 tot en met 1000000 zijn, niet "veel"'],
    [['--count', '10', '--seed', '-1'], 'onbekend of onvolledig argument'],
  ])('exits 2 with a Dutch message for %j', async (args, message) => {
    const run = await runCli('bot/cli/seed.ts', args, { DATA_DIR: path.join(dir, 'niet-gebruikt') });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('gebruik: npm run seed -- --count AANTAL');
  });
});

const postgres = await postgresForTests();
if (postgres.failure) it('PostgreSQL is bereikbaar', () => expect.fail(postgres.failure));

describe.runIf(postgres.run)('seeding a PostgreSQL store', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('seed');
  });
  afterAll(() => db?.drop());

  it('writes the aanmeldingen with their audit entries, and the bot continues the references', async () => {
    await db.truncate();
    await seedsAStore(() => openStores({ auditKey: TEST_AUDIT_KEY, dataDir: undefined, databaseUrl: db.url }));
  });

  it('npm run seed writes into DATABASE_URL', async () => {
    await db.truncate();
    const run = await runCli('bot/cli/seed.ts', ['--count', '200'], { DATABASE_URL: db.url, AUDIT_KEY: TEST_AUDIT_KEY });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('200 verzonnen aanmeldingen');
    expect(run.stdout).toContain('postgresql');
    const stores = await openStores({ auditKey: TEST_AUDIT_KEY, dataDir: undefined, databaseUrl: db.url });
    try {
      expect((await storeContents(stores)).referrals).toBe(200);
      expect((await stores.audit.verify()).ok).toBe(true);
    } finally {
      await stores.close();
    }
    // The monitoring counts read the same database (npm run monitor with DATABASE_URL).
    // 200 aanmeldingen are spread over the last year.
    const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
    const report = await runCli('bot/cli/monitor.ts', ['--from', day(-730), '--to', day(1)], { DATABASE_URL: db.url });
    expect(report.code).toBe(0);
    const counts = JSON.parse(report.stdout) as { instroom: { total: number }; anoniemOverleg: { instroom: number } };
    // Anonymous consultations are counted apart: no family was referred.
    expect(counts.anoniemOverleg.instroom).toBeGreaterThan(0);
    expect(counts.instroom.total + counts.anoniemOverleg.instroom).toBe(200);
  });
});
