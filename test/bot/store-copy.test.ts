import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';
import { seedAanmeldingen } from '../../bot/seed.js';
import type { ChannelLink } from '../../data/channel-link.store.js';
import { referenceFor } from '../../data/referral.store.js';
import { storeContents } from '../../data/store-dump.js';
import { openStores, type Stores } from '../../data/stores.js';
import { config, draft, megan, team } from '../fixtures/referral.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, postgresForTests, type TestDatabase } from '../support/postgres.js';

/**
 * npm run store:copy, run as a user would: a lowdb folder with a few hundred made-up aanmeldingen, a linked channel,
 * a person and a job still to deliver, copied into an empty PostgreSQL database; then a bot on the database.
 */

const postgres = await postgresForTests();
if (postgres.failure) it('PostgreSQL is bereikbaar', () => expect.fail(postgres.failure));

const NOW = new Date();
const YEAR = String(NOW.getUTCFullYear());
const LINK: ChannelLink = {
  service: 'gezinscoach',
  teamId: '19:team@thread.tacv2',
  channelId: '19:aanmeldingen@thread.tacv2',
  reference: { serviceUrl: 'https://smba.example/', channelId: 'msteams', conversation: { id: '19:aanmeldingen@thread.tacv2' } },
  linkedBy: megan,
  linkedAt: NOW.toISOString(),
};

/** The database's address with a password: trust authentication ignores it, and no output may show it. */
const withPassword = (url: string) => url.replace('postgres@', 'postgres:Geheim-Wachtwoord-42@');

describe.runIf(postgres.run)('npm run store:copy', () => {
  let dir: string;
  let dataDir: string;
  let db: TestDatabase;
  let seededFamilies: string[];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'store-copy-'));
    dataDir = path.join(dir, 'data');
    db = await createTestDatabase('storecopy');
    const stores = await openStores({ auditKey: TEST_AUDIT_KEY, dataDir });
    await seedAanmeldingen(stores, 300, { config, team: team(), now: NOW, years: 1 });
    await stores.channels.link(LINK, { audit: [{ event: 'kanaal.gekoppeld', actor: { id: megan.aadObjectId, name: megan.name }, detail: 'kanaal voor gezinscoach' }] });
    await stores.people.remember({ aadObjectId: megan.aadObjectId, teamsUserId: '29:megan', name: megan.name, serviceUrl: 'https://smba.example/' });
    await stores.outbox.enqueue({ key: 'post:klaar', kind: 'post', payload: { reference: referenceFor(YEAR, 2) } }, NOW);
    const [done] = await stores.outbox.claim(NOW, 30_000, 1);
    await stores.outbox.complete(done!.id);
    await stores.outbox.enqueue({ key: 'post:test', kind: 'post', payload: { reference: referenceFor(YEAR, 1) } }, NOW);
    await stores.conversations.put('a:lopend-gesprek', { updatedAt: NOW.toISOString(), seenActivityIds: [] });
    seededFamilies = (await stores.referrals.list()).flatMap((a) => (a.answers.contact ? [a.answers.contact.name, a.answers.contact.phone ?? ''] : []));
    await stores.close();
  });
  afterAll(async () => {
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('copies everything into an empty database, checks it, and a bot there continues the references', async () => {
    const run = await runCli('bot/cli/store-copy.ts', ['--from', dataDir, '--to', withPassword(db.url)], { AUDIT_KEY: TEST_AUDIT_KEY });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/aanmeldingen\s+300 \(klopt\)/);
    expect(run.stdout).toMatch(/kanaalkoppelingen\s+1 \(klopt\)/);
    expect(run.stdout).toMatch(/personen\s+1 \(klopt\)/);
    expect(run.stdout).toMatch(/openstaande berichten\s+1 \(klopt\)/);
    expect(run.stdout).toMatch(/auditketen op het doel\s+\d+ regels, keten intact \(klopt\)/);
    expect(run.stdout).toMatch(/inhoud\s+gelijk \(klopt\)/);
    expect(run.stdout).toContain('Niet meegenomen: 1 gespreksstatus(sen) van lopende gesprekken');
    expect(run.stdout).toContain('1 al afgehandelde bericht(en)');
    expect(run.stdout).toContain('Alles klopt.');
    // Counts only: no family, no password.
    expect(run.stdout).not.toContain('Geheim-Wachtwoord-42');
    expect(run.stdout).toContain('postgres:***@');
    for (const text of seededFamilies.filter(Boolean)) expect(run.stdout).not.toContain(text);

    const source = await openStores({ auditKey: TEST_AUDIT_KEY, dataDir });
    const sourceContents = await storeContents(source);
    const sourceEntries = await source.audit.entries();
    await source.close();
    const target = await openStores({ auditKey: TEST_AUDIT_KEY, dataDir: undefined, databaseUrl: db.url });
    try {
      const contents = await storeContents(target);
      expect(contents).toMatchObject({ referrals: 300, channelLinks: 1, people: 1, pendingJobs: 1, auditEntries: sourceContents.auditEntries, sequences: sourceContents.sequences });
      expect(await target.audit.verify()).toEqual({ ok: true, count: sourceContents.auditEntries });
      expect(await target.audit.entries()).toEqual(sourceEntries);
      expect(await target.channels.get('gezinscoach')).toEqual(LINK);
      expect((await target.outbox.list()).map((j) => j.key)).toEqual(['post:test']);
      // The bot on the database: the next aanmelding gets the next number, and its audit entry joins the chain.
      const { aanmelding } = await target.referrals.create(draft({ intakeId: 'na-de-kopie' }), NOW, (a) => ({
        audit: [{ event: 'aanmelding.aangemaakt', reference: a.reference, actor: { id: 'x', name: 'Test' } }],
      }));
      expect(aanmelding.reference).toBe(referenceFor(YEAR, (sourceContents.sequences[YEAR] ?? 0) + 1));
      expect(await target.audit.verify()).toEqual({ ok: true, count: sourceContents.auditEntries + 1 });
    } finally {
      await target.close();
    }
  });

  it('refuses a database that is not empty, and says what is there', async () => {
    const run = await runCli('bot/cli/store-copy.ts', ['--from', dataDir, '--to', withPassword(db.url)], { AUDIT_KEY: TEST_AUDIT_KEY });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('is niet leeg (301 aanmeldingen');
    expect(run.stderr).toContain('Er is niets geschreven.');
    expect(run.stderr).not.toContain('Geheim-Wachtwoord-42');
  });

  it('is refused while another process holds the lowdb folder', async () => {
    const bot: Stores = await openStores({ auditKey: TEST_AUDIT_KEY, dataDir, purpose: 'de bot' });
    try {
      const run = await runCli('bot/cli/store-copy.ts', ['--from', dataDir, '--to', db.url], { AUDIT_KEY: TEST_AUDIT_KEY });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('Kopiëren kan niet terwijl een ander proces de gegevensmap gebruikt.');
      expect(run.stderr).toContain(`in gebruik door de bot (proces ${process.pid}`);
    } finally {
      await bot.close();
    }
  });

  it.each([
    [['--to', 'postgres://x@127.0.0.1/y'], 'de lowdb-gegevensmap (--from) ontbreekt'],
    [['--from', '.data', '--to', 'mysql://x'], '--to moet beginnen met postgres://'],
    [['--from', '/bestaat/niet', '--to', 'postgres://x@127.0.0.1/y'], 'De gegevensmap /bestaat/niet bestaat niet.'],
  ])('exits 2 with a Dutch message for %j', async (args, message) => {
    const run = await runCli('bot/cli/store-copy.ts', args, { AUDIT_KEY: TEST_AUDIT_KEY });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});
