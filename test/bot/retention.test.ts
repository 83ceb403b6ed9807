import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Aanmelding } from '../../data/aanmelding.schema.js';
import { openStores, type Stores } from '../../data/stores.js';
import { monitoringCounts } from '../../machines/monitoring.js';
import { purgeDueAt } from '../../machines/retention.js';
import { createLogger } from '../../bot/logger.js';
import { purgeExpired, SCHEDULED_PURGE, startRetention } from '../../bot/retention.js';
import { writeSeededStore } from '../fixtures/monitoring-seed.js';
import { aanmelding, adele, megan, team, type AanmeldingOptions } from '../fixtures/referral.js';
import { storedReferralsText } from '../support/stored-referrals.js';

const NOW = new Date('2028-06-01T12:00:00.000Z');
const MONTHS = 24;

const closedOn = (reference: string, at: string): Aanmelding =>
  aanmelding({
    reference,
    intakeId: `intake-${reference}`,
    createdAt: '2026-01-05T10:00:00.000Z',
    status: 'afgesloten',
    assignee: { aadObjectId: adele.aadObjectId, name: adele.name, role: 'gezinscoach' },
    closure: { reason: 'doelen-behaald', at },
    questions: [{ id: 'q1', askedBy: megan, question: 'Hoe oud is de oudste zoon van Jan?', askedAt: '2026-01-06T10:00:00.000Z', answer: 'Hij is 9, woont op de Dorpsstraat 1.', answeredAt: '2026-01-07T10:00:00.000Z' }],
  });

/** Closed 25 months before NOW (due), closed 23 months before (not yet), and an open case from long ago. */
const SEED = () => [
  closedOn('AM-2026-0001', '2026-05-01T10:00:00.000Z'),
  closedOn('AM-2026-0002', '2026-07-01T10:00:00.000Z'),
  aanmelding({ reference: 'AM-2026-0003', intakeId: 'intake-3', createdAt: '2026-01-05T10:00:00.000Z' }),
];

let dir: string;
let stores: Stores;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'retention-'));
  await writeSeededStore(dir, SEED());
  stores = await openStores({ dataDir: dir });
  return async () => {
    await stores.close();
    await rm(dir, { recursive: true, force: true });
  };
});

const run = (dryRun = false) => purgeExpired({ referrals: stores.referrals, months: MONTHS, now: NOW, actor: SCHEDULED_PURGE, dryRun });
const counts = async () => monitoringCounts({ aanmeldingen: await stores.referrals.list(), team: team(), period: { from: '2026-01-01', to: '2026-12-31' }, now: NOW });

describe('purgeExpired', () => {
  it('on a dry run lists the cases past the period and changes nothing', async () => {
    const before = await storedReferralsText(dir);
    const result = await run(true);
    expect(result).toEqual({ due: [{ reference: 'AM-2026-0001', closedAt: '2026-05-01T10:00:00.000Z' }], purged: [] });
    expect(await storedReferralsText(dir)).toBe(before);
    expect(await stores.audit.entries()).toEqual([]);
  });

  it('removes the identifying data only from closed cases past the retention period, and keeps the counts', async () => {
    const countsBefore = await counts();
    expect(await run()).toEqual({ due: [expect.objectContaining({ reference: 'AM-2026-0001' })], purged: ['AM-2026-0001'] });

    const purged = (await stores.referrals.get('AM-2026-0001'))!;
    expect(purged.purgedAt).toBe(NOW.toISOString());
    expect(purged.answers.contact).toBeUndefined();
    expect(purged.answers.explanation).toBeUndefined();
    expect(purged.questions).toEqual([expect.objectContaining({ id: 'q1', question: '[verwijderd]', answer: '[verwijderd]', askedAt: '2026-01-06T10:00:00.000Z' })]);
    expect(JSON.stringify(purged)).not.toMatch(/Jan de Vries|06 12345678|slapen|Dorpsstraat|oudste zoon/);
    // The referrer is a professional: their Teams id and role stay, as do the answers from fixed lists.
    expect(purged.referrer).toMatchObject({ role: 'huisarts', identity: { id: '29:alex' } });
    expect(purged.answers).toMatchObject({ wijk: 'Oostrum', hoofdvraag: ['pedagogisch'], children: [{ age: 7 }] });
    expect(purged.history).toHaveLength(1);

    expect((await stores.referrals.get('AM-2026-0002'))!.answers.contact).toEqual({ name: 'Jan de Vries', phone: '06 12345678' });
    expect((await stores.referrals.get('AM-2026-0003'))!.answers.contact).toBeDefined();
    expect(await counts()).toEqual(countsBefore);

    // Durable: a restarted bot finds the purge.
    await stores.close();
    const reopened = (stores = await openStores({ dataDir: dir }));
    expect((await reopened.referrals.get('AM-2026-0001'))!.answers.contact).toBeUndefined();
  });

  it('writes one audit entry per purged case, without family data', async () => {
    await run();
    const entries = await stores.audit.entries();
    expect(entries).toEqual([
      expect.objectContaining({ event: 'aanmelding.opgeschoond', reference: 'AM-2026-0001', actor: SCHEDULED_PURGE, at: NOW.toISOString(), detail: expect.stringContaining('24 maanden') }),
    ]);
    expect(await stores.audit.verify()).toEqual({ ok: true, count: 1 });
  });

  it('run twice, purges nothing the second time and writes no second entry', async () => {
    await run();
    expect(await run()).toEqual({ due: [], purged: [] });
    expect(await stores.audit.entries()).toHaveLength(1);
  });

  it('of two runners at the same time, only the one that changed the record writes the audit entry', async () => {
    const [first, second] = await Promise.all([run(), run()]);
    expect([...first.purged, ...second.purged]).toEqual(['AM-2026-0001']);
    expect(await stores.audit.entries()).toHaveLength(1);
  });

  it('removes the goal a casemanager typed for a gezinsverzorger, and keeps the choices', async () => {
    const request = { goal: 'Moeder Fatima helpen na haar operatie', tasks: ['huishoudelijk' as const], supportForm: 'overbrugging' as const, hoursPerWeek: 5, durationMonths: 3, cause: 'operatie' as const, targetGroup: 'tijdelijk' as const };
    const gv = { ...closedOn('AM-2026-0004', '2026-05-01T10:00:00.000Z'), answers: { ...closedOn('AM-2026-0004', '2026-05-01T10:00:00.000Z').answers, service: 'gezinsverzorger' as const, gezinsverzorger: request } };
    await stores.close();
    await writeSeededStore(dir, [gv]);
    stores = await openStores({ dataDir: dir });
    await run();
    const purged = (await stores.referrals.get('AM-2026-0004'))!;
    expect(purged.answers.gezinsverzorger).toEqual({ ...request, goal: '[verwijderd]' });
    expect(JSON.stringify(purged)).not.toContain('Fatima');
  });

  it('counts calendar months: 31 March plus one month is 30 April', () => {
    const a = closedOn('AM-2026-0009', '2026-03-31T10:00:00.000Z');
    expect(purgeDueAt(a, 1)?.toISOString()).toBe('2026-04-30T10:00:00.000Z');
    expect(purgeDueAt(a, 24)?.toISOString()).toBe('2028-03-31T10:00:00.000Z');
  });
});

describe('purgeExpired: aanmeldingen the team never sees', () => {
  // Nobody picks these up, so nobody closes them: their period runs from the day they were sent.
  const neverPosted = (reference: string, createdAt: string, answers: AanmeldingOptions['answers']): Aanmelding =>
    aanmelding({ reference, intakeId: `intake-${reference}`, createdAt, updatedAt: createdAt, answers: { contact: undefined, explanation: 'Moeder Fatima van de Dorpsstraat 1 wil hulp.', ...answers } });
  const NO_CONSENT = { referral: 'nee' as const, givenBy: [], feedbackToHuisarts: false, recordedAt: '2026-01-05T10:00:00.000Z' };

  beforeEach(async () => {
    await stores.close();
    await writeSeededStore(dir, [
      neverPosted('AM-2026-0011', '2026-05-01T10:00:00.000Z', { children: [{ age: 25 }] }),
      neverPosted('AM-2026-0012', '2026-05-02T10:00:00.000Z', { consent: NO_CONSENT }),
      neverPosted('AM-2026-0013', '2026-07-01T10:00:00.000Z', { children: [{ age: 25 }] }),
    ]);
    stores = await openStores({ dataDir: dir });
  });

  it('purges an aanmelding outside the target group and one without consent once the period since sending has passed', async () => {
    expect((await stores.referrals.get('AM-2026-0011'))!.triage.route).toBe('buiten-doelgroep');
    expect((await stores.referrals.get('AM-2026-0012'))!.triage.route).toBe('toestemming-nodig');
    expect(await run(true)).toEqual({
      due: [
        { reference: 'AM-2026-0011', createdAt: '2026-05-01T10:00:00.000Z', route: 'buiten-doelgroep' },
        { reference: 'AM-2026-0012', createdAt: '2026-05-02T10:00:00.000Z', route: 'toestemming-nodig' },
      ],
      purged: [],
    });

    expect(await run()).toMatchObject({ purged: ['AM-2026-0011', 'AM-2026-0012'] });
    for (const reference of ['AM-2026-0011', 'AM-2026-0012']) {
      const purged = (await stores.referrals.get(reference))!;
      expect(purged.purgedAt).toBe(NOW.toISOString());
      expect(JSON.stringify(purged)).not.toMatch(/Fatima|Dorpsstraat/);
    }
    // Sent 23 months ago: not yet.
    expect((await stores.referrals.get('AM-2026-0013'))!.answers.explanation).toContain('Fatima');
    expect((await stores.audit.entries()).map((e) => [e.event, e.reference, e.detail])).toEqual([
      ['aanmelding.opgeschoond', 'AM-2026-0011', 'identificerende gegevens verwijderd, 24 maanden na aanmelden (buiten-doelgroep, nooit bij het team)'],
      ['aanmelding.opgeschoond', 'AM-2026-0012', 'identificerende gegevens verwijderd, 24 maanden na aanmelden (toestemming-nodig, nooit bij het team)'],
    ]);
    expect(await run()).toEqual({ due: [], purged: [] });
  });
});

describe('startRetention', () => {
  it('purges shortly after start-up and stops cleanly', async () => {
    const retention = startRetention({ referrals: stores.referrals, months: MONTHS, log: createLogger('silent'), now: () => NOW, firstRunMs: 5, intervalMs: 60_000 });
    await expect.poll(async () => (await stores.audit.entries()).length).toBe(1);
    expect(await retention.runOnce()).toEqual({ due: [], purged: [] });
    await retention.stop();
    expect(await retention.runOnce()).toBeUndefined();
  });

  it('two schedulers on one store write a single entry per case', async () => {
    const options = { referrals: stores.referrals, months: MONTHS, log: createLogger('silent'), now: () => NOW, firstRunMs: 60_000 };
    const [a, b] = [startRetention(options), startRetention(options)];
    await Promise.all([a.runOnce(), b.runOnce()]);
    await Promise.all([a.stop(), b.stop()]);
    expect(await stores.audit.entries()).toHaveLength(1);
  });
});

describe('npm run purge', () => {
  const ROOT = fileURLToPath(new URL('../..', import.meta.url));
  const purge = (args: string[], env: Record<string, string>) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'bot/cli/purge.ts', ...args], { cwd: ROOT, env: { ...process.env, DATA_DIR: dir, ...env } });

  it('is refused while the bot holds the lowdb folder, naming the folder, and changes nothing', async () => {
    const refused = purge([], { RETENTION_MONTHS: '1' });
    await expect(refused).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining(`De gegevensmap ${dir} is in gebruik door de bot`) });
    await expect(refused).rejects.toMatchObject({ stderr: expect.stringContaining('stop dat proces eerst') });
    expect((await storedReferralsText(dir)).match(/Jan de Vries/g)!.length).toBeGreaterThan(1);
    expect(await stores.audit.entries()).toEqual([]);
  });

  it('lists with --dry-run and purges without it', async () => {
    await stores.close(); // the bot is stopped first
    // Closed in May and July 2026; 1 month of retention makes both due today.
    const dry = await purge(['--dry-run'], { RETENTION_MONTHS: '1' });
    expect(dry.stdout).toContain('zou opschonen: AM-2026-0001');
    expect(dry.stdout).toContain('zou opschonen: AM-2026-0002');
    expect(dry.stdout).toContain('er is niets veranderd');
    expect(await storedReferralsText(dir)).toContain('Jan de Vries');

    const real = await purge([], { RETENTION_MONTHS: '1' });
    expect(real.stdout).toContain('2 aanmelding(en) opgeschoond (bewaartermijn 1 maanden)');
    const stored = await storedReferralsText(dir);
    expect(stored.match(/Jan de Vries/g)).toHaveLength(1); // only the open case keeps it
    expect((await readFile(path.join(dir, 'audit.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(2);
  });

  it('refuses an unknown argument with exit 2', async () => {
    await expect(purge(['--alles'], {})).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('gebruik: npm run purge') });
  });
});
