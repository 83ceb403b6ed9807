import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Activity, CloudAdapter } from 'botbuilder';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CaseService } from '../../bot/case-service.js';
import { Deliveries, type MessagePayload } from '../../bot/deliveries.js';
import { SpoedEscalations } from '../../bot/spoed-escalation.js';
import { Pacer } from '../../bot/teams-sender.js';
import type { Aanmelding } from '../../data/aanmelding.schema.js';
import type { OutboxJob } from '../../data/outbox.store.js';
import { openStores, type Stores } from '../../data/stores.js';
import type { TeamConfig } from '../../data/team.config.js';
import { teamCard } from '../../dialogs/referral.card.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';
import { createTestDatabase, postgresForTests, type TestDatabase } from '../support/postgres.js';
import { config, draft, megan, patti, team } from '../fixtures/referral.js';

/**
 * A SPOED aanmelding nobody picks up (issue 14, point 2): after 30 working minutes every coordinator is warned 1:1
 * and the card says so; after 30 more, once again; each step audited; never twice per level, also after a restart
 * and with two instances. 2 March 2026 is a Monday, in winter time (UTC+1).
 */

const log = pino({ level: 'silent' });
const winter = (local: string) => new Date(`${local.replace(' ', 'T')}:00+01:00`);
const FAMILY = 'Familie Spoedtest';
const PHONE = '06 99887766';
const CHANNEL = '19:jeugdconsulenten@thread.tacv2';

/** The example team with a second coordinator: every coordinator is warned. */
const anna = { aadObjectId: '00000000-0000-0000-0000-0000000000031', name: 'Anna Achterwacht', teamsUserId: 'user-id-31' };
const T: TeamConfig = { ...team(), coordinators: [...team().coordinators, anna] };

let dataDir: string;
let stores: Stores;
let now: Date;
const clock = () => now;
const escalationsOver = (s: Stores) => new SpoedEscalations({ stores: s, config, team: T, now: clock, deliver: () => {}, log });

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'spoed-escalation-'));
  stores = await openStores({ dataDir });
});

afterEach(async () => {
  await stores.flush();
  await rm(dataDir, { recursive: true, force: true });
});

/** A huisarts's SPOED aanmelding, posted in the jeugdconsulenten's channel at `at`. */
async function spoedAt(local: string, s: Stores = stores): Promise<Aanmelding> {
  const at = winter(local);
  const { aanmelding } = await s.referrals.create(
    draft({ answers: { safety: { concern: true, action: 'veilig-thuis-gemeld' }, contact: { name: FAMILY, phone: PHONE } } }),
    at,
  );
  expect(aanmelding.triage.urgent).toBe(true);
  const post = { service: 'jeugdconsulent' as const, conversationId: `${CHANNEL};messageid=1`, activityId: '1', serviceUrl: 'https://smba.example/', postedAt: at.toISOString() };
  return (await s.referrals.annotate(aanmelding.reference, (current) => ({ ...current, post }), undefined, at))!;
}

const current = async (a: Aanmelding, s: Stores = stores) => (await s.referrals.get(a.reference))!;

async function warnings(s: Stores = stores): Promise<OutboxJob[]> {
  return (await s.outbox.list()).filter((job) => job.kind === 'message' && (job.payload as MessagePayload).content.kind === 'spoed-escalation');
}
const levelsTo = (jobs: OutboxJob[]) =>
  jobs.map((job) => job.payload as MessagePayload).map((p) => ({ to: p.to.kind === 'person' ? p.to.name : p.to.kind, level: p.content.kind === 'spoed-escalation' ? p.content.level : undefined }));
const escalationAudit = async (s: Stores = stores) => (await s.audit.entries()).filter((e) => e.event === 'spoed.geescaleerd');
const cardUpdates = async (s: Stores = stores) => (await s.outbox.list()).filter((job) => job.kind === 'update-card');

describe('a SPOED aanmelding nobody picks up', () => {
  it('waits until 30 minutes have passed', async () => {
    await spoedAt('2026-03-02 10:00');
    now = winter('2026-03-02 10:29');
    expect(await escalationsOver(stores).check()).toBe(0);
    expect(await warnings()).toEqual([]);
    expect(await escalationAudit()).toEqual([]);
  });

  it('after 30 minutes goes 1:1 to every coordinator, marks the card and is audited', async () => {
    const a = await spoedAt('2026-03-02 10:00');
    now = winter('2026-03-02 10:30');
    expect(await escalationsOver(stores).check()).toBe(1);
    expect(levelsTo(await warnings())).toEqual([
      { to: megan.name, level: 1 },
      { to: anna.name, level: 1 },
    ]);
    expect((await current(a)).escalation).toEqual({ level: 1, at: now.toISOString() });
    expect(await cardUpdates()).toHaveLength(1);
    const card = JSON.stringify(teamCard(await current(a), [], { config, team: T }));
    expect(card).toContain('Nog niet opgepakt — coördinatoren gewaarschuwd om 10:30');
    expect(card).not.toContain(FAMILY);
    expect(await escalationAudit()).toEqual([
      expect.objectContaining({ reference: a.reference, actor: { id: 'bot', name: 'Aanmeldbot' }, detail: expect.stringContaining('niveau 1: na 30 minuten') }),
    ]);
  });

  it('does nothing more when checked again at the same level', async () => {
    await spoedAt('2026-03-02 10:00');
    now = winter('2026-03-02 10:30');
    await escalationsOver(stores).check();
    now = winter('2026-03-02 10:45');
    expect(await escalationsOver(stores).check()).toBe(0);
    expect(await warnings()).toHaveLength(2);
    expect(await escalationAudit()).toHaveLength(1);
  });

  it('warns a second time 30 minutes after the first, marks the card again, and never a third time', async () => {
    const a = await spoedAt('2026-03-02 10:00');
    now = winter('2026-03-02 10:30');
    await escalationsOver(stores).check();
    now = winter('2026-03-02 10:59');
    expect(await escalationsOver(stores).check()).toBe(0);
    now = winter('2026-03-02 11:00');
    expect(await escalationsOver(stores).check()).toBe(1);
    expect(levelsTo(await warnings())).toEqual([
      { to: megan.name, level: 1 },
      { to: anna.name, level: 1 },
      { to: megan.name, level: 2 },
      { to: anna.name, level: 2 },
    ]);
    expect(JSON.stringify(teamCard(await current(a), [], { config, team: T }))).toContain('Nog steeds niet opgepakt — coördinatoren om 11:00 opnieuw gewaarschuwd');
    expect(await cardUpdates()).toHaveLength(2);
    expect((await escalationAudit()).map((e) => e.detail)).toEqual([expect.stringContaining('niveau 1'), expect.stringContaining('niveau 2: na 60 minuten')]);
    now = winter('2026-03-03 12:00');
    expect(await escalationsOver(stores).check()).toBe(0);
    expect(await warnings()).toHaveLength(4);
  });

  it('counts only working minutes: at 16:50 it escalates at 08:50 the next working day', async () => {
    const a = await spoedAt('2026-03-06 16:50'); // a Friday
    for (const local of ['2026-03-06 17:20', '2026-03-07 12:00', '2026-03-09 08:49']) {
      now = winter(local);
      expect(await escalationsOver(stores).check()).toBe(0);
    }
    now = winter('2026-03-09 08:50');
    expect(await escalationsOver(stores).check()).toBe(1);
    expect(JSON.stringify(teamCard(await current(a), [], { config, team: T }))).toContain('gewaarschuwd op 9 maart om 08:50');
  });

  it('after a restart: escalates a level that fell due while the bot was down, and never one already done', async () => {
    const a = await spoedAt('2026-03-02 10:00');
    now = winter('2026-03-02 10:30');
    await escalationsOver(stores).check();
    await stores.close();

    let restarted = (stores = await openStores({ dataDir }));
    expect(await escalationsOver(restarted).check()).toBe(0);
    expect(await warnings(restarted)).toHaveLength(2);
    await restarted.close();

    restarted = stores = await openStores({ dataDir });
    now = winter('2026-03-02 14:00');
    expect(await escalationsOver(restarted).check()).toBe(1);
    expect((await current(a, restarted)).escalation?.level).toBe(2);
    expect(await escalationAudit(restarted)).toHaveLength(2);
  });

  it('two checkers at once (two timers, or a check during a check) escalate it once', async () => {
    await spoedAt('2026-03-02 10:00');
    now = winter('2026-03-02 10:30');
    const results = await Promise.all([escalationsOver(stores).check(), escalationsOver(stores).check()]);
    expect(results.sort()).toEqual([0, 1]);
    expect(await warnings()).toHaveLength(2);
    expect(await escalationAudit()).toHaveLength(1);
  });

  it('never when a jeugdconsulent picked it up in time', async () => {
    const a = await spoedAt('2026-03-02 10:00');
    now = winter('2026-03-02 10:20');
    const cases = new CaseService({ stores, config, team: T, log, now: clock, deliver: () => {} });
    await cases.onCardAction('claim', { reference: a.reference, version: a.version }, patti, CHANNEL);
    expect((await current(a)).assignee?.name).toBe(patti.name);
    now = winter('2026-03-02 12:00');
    expect(await escalationsOver(stores).check()).toBe(0);
    expect(await warnings()).toEqual([]);
  });

  it('never for an aanmelding without an acute concern', async () => {
    await stores.referrals.create(draft(), winter('2026-03-02 10:00'));
    now = winter('2026-03-03 12:00');
    expect(await escalationsOver(stores).check()).toBe(0);
  });
});

describe('the warning a coordinator reads', () => {
  /** Deliveries against a fake Teams that records what each person is sent in their 1:1 chat. */
  async function delivered(job: OutboxJob): Promise<string[]> {
    const sent: string[] = [];
    for (const person of T.coordinators) {
      await stores.people.remember({
        aadObjectId: person.aadObjectId,
        teamsUserId: person.teamsUserId!,
        name: person.name,
        serviceUrl: 'https://smba.example/',
        personal: { serviceUrl: 'https://smba.example/', channelId: 'msteams', conversation: { id: `a:${person.aadObjectId}` } },
      });
    }
    const adapter = {
      continueConversationAsync: async (_appId: string, _ref: unknown, logic: (context: unknown) => Promise<void>) =>
        logic({ turnState: new Map(), sendActivity: async (activity: Partial<Activity>) => void sent.push(activity.text ?? '') }),
    };
    const run = new Deliveries({ adapter: adapter as unknown as CloudAdapter, appId: 'app', stores, config, team: T, log, pacer: new Pacer(), now: clock });
    expect(await run.run(job)).toEqual({ ok: true });
    return sent;
  }

  it('names the reference, how long it waited and what to do, and nothing of the family', async () => {
    const a = await spoedAt('2026-03-02 10:00');
    now = winter('2026-03-02 10:30');
    await escalationsOver(stores).check();
    const [text] = await delivered((await warnings())[0]!);
    expect(text).toContain(`SPOED ${a.reference} is na 30 minuten nog niet opgepakt`);
    expect(text).toContain('Toewijzen aan…');
    expect(text).not.toContain(FAMILY);
    expect(text).not.toContain(PHONE);
  });

  it('the second one says it is the last', async () => {
    const a = await spoedAt('2026-03-02 10:00');
    for (const local of ['2026-03-02 10:30', '2026-03-02 11:00']) {
      now = winter(local);
      await escalationsOver(stores).check();
    }
    const second = (await warnings()).find((job) => (job.payload as MessagePayload).content.kind === 'spoed-escalation' && ((job.payload as MessagePayload).content as { level: number }).level === 2)!;
    const [text] = await delivered(second);
    expect(text).toContain(`SPOED ${a.reference} is na 60 minuten nog steeds niet opgepakt`);
    expect(text).toContain('laatste waarschuwing');
  });

  it('is not sent when someone picked the aanmelding up between the warning and its sending', async () => {
    const a = await spoedAt('2026-03-02 10:00');
    now = winter('2026-03-02 10:30');
    await escalationsOver(stores).check();
    const cases = new CaseService({ stores, config, team: T, log, now: clock, deliver: () => {} });
    await cases.onCardAction('claim', { reference: a.reference, version: a.version }, patti, CHANNEL);
    expect(await delivered((await warnings())[0]!)).toEqual([]);
    // The card no longer says nobody picked it up.
    expect(JSON.stringify(teamCard(await current(a), [], { config, team: T }))).not.toContain('Nog niet opgepakt');
  });
});

const postgres = await postgresForTests();
if (postgres.failure) it('PostgreSQL is bereikbaar', () => expect.fail(postgres.failure));

describe.runIf(postgres.run)('two instances on one PostgreSQL database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('escalation');
  });
  afterAll(() => db?.drop());

  it('escalate each level once, and the level survives in the stored record', async () => {
    const open = () => openStores({ auditKey: TEST_AUDIT_KEY, dataDir: undefined, databaseUrl: db.url });
    const [one, two] = await Promise.all([open(), open()]);
    try {
      const a = await spoedAt('2026-03-02 10:00', one);
      now = winter('2026-03-02 10:30');
      expect((await Promise.all([escalationsOver(one).check(), escalationsOver(two).check()])).sort()).toEqual([0, 1]);
      now = winter('2026-03-02 11:00');
      expect((await Promise.all([escalationsOver(two).check(), escalationsOver(one).check()])).sort()).toEqual([0, 1]);
      expect(levelsTo(await warnings(two))).toHaveLength(4);
      expect(await escalationAudit(one)).toHaveLength(2);
      expect((await current(a, two)).escalation).toEqual({ level: 2, at: winter('2026-03-02 11:00').toISOString() });
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
