import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';
import { openStores, type Stores } from '../../data/stores.js';
import { localDate } from '../../machines/dates.js';
import { draft } from '../fixtures/referral.js';
import { allText, BotClient } from '../support/bot-client.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { FakeConnector } from '../support/fake-connector.js';
import { channelActivities, toSummary } from '../support/teams-channel.js';
import { createTestDatabase, postgresForTests, type TestDatabase } from '../support/postgres.js';

/**
 * Two real bot processes on one PostgreSQL database behind the fake connector, as a municipality runs it with two
 * instances: referrers' turns land on either instance, coordinators press the same card on both, reminders fall due
 * while both run. Every acknowledged aanmelding is stored once, references are unique and gap-free, each is posted
 * to the channel once, and of simultaneous claims one wins.
 */

type Json = Record<string, any>;
const COORDINATORS = [
  { id: 'user-id-1', aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' },
  { id: 'user-id-6', aadObjectId: '00000000-0000-0000-0000-0000000000026', name: 'Nestor Wilke' },
  { id: 'user-id-7', aadObjectId: '00000000-0000-0000-0000-0000000000027', name: 'Lidia Holloway' },
];
const COACHES = [
  { id: 'user-id-2', aadObjectId: '00000000-0000-0000-0000-0000000000022', name: 'Adele Vance' },
  { id: 'user-id-3', aadObjectId: '00000000-0000-0000-0000-0000000000023', name: 'Isaiah Langer' },
];
const GEZINSVERZORGER = { id: 'user-id-5', aadObjectId: '00000000-0000-0000-0000-0000000000025', name: 'Lynne Robbins' };
const YEAR = new Date().getUTCFullYear();

const postgres = await postgresForTests();
if (postgres.failure) it('PostgreSQL is bereikbaar', () => expect.fail(postgres.failure));

let connector: FakeConnector;
let serviceUrl: string;
let dir: string;
let db: TestDatabase;
let store: Stores;
const bots: BotProcess[] = [];
const inChannel = channelActivities(() => serviceUrl);

const postTo = (bot: BotProcess, body: Json) =>
  fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function press(bot: BotProcess, from: Json, verb: string, data: Json): Promise<string> {
  const response = await postTo(bot, {
    ...inChannel(from, {}),
    type: 'invoke',
    name: 'adaptiveCard/action',
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  });
  const body = (await response.json()) as Json;
  return allText([{ attachments: [{ content: body.value }] }]);
}

/** A referrer goes through an aanmelding, each turn to whichever instance the balancer picks; returns the confirmation. */
async function refer(index: number, pick: () => string): Promise<string> {
  const user = { id: `user-ref-${index}`, aadObjectId: `00000000-0000-0000-0000-1000000000${String(index).padStart(2, '0')}`, name: `Verwijzer ${index}` };
  const c = new BotClient(pick, serviceUrl, () => connector.activities(`personal-ref-${index}`), `personal-ref-${index}`, user);
  await toSummary(c, { ages: '4 en 8', family: `Testgezin ${index}` });
  return allText(await c.click('Versturen'));
}

const posted = (reference: string) => connector.created().filter((c) => c.body.isGroup && JSON.stringify(c.body).includes(reference));

beforeAll(async () => {
  if (!postgres.run) return;
  connector = new FakeConnector();
  serviceUrl = await connector.start();
  dir = await mkdtemp(path.join(tmpdir(), 'aanmeld-instances-'));
  db = await createTestDatabase('instances_e2e');
  const team = JSON.parse(await readFile(path.resolve('data/teams/voorbeeld.json'), 'utf8')) as Json;
  team.coordinators = COORDINATORS.map((c) => ({ aadObjectId: c.aadObjectId, teamsUserId: c.id, name: c.name }));
  await writeFile(path.join(dir, 'team.json'), JSON.stringify(team));

  // A gezinsverzorger trajectory whose evaluation is due today, waiting for the instances to start.
  store = await openStores({ auditKey: TEST_AUDIT_KEY, dataDir: undefined, databaseUrl: db.url });
  const conversation = { serviceUrl, channelId: 'msteams', conversation: { id: 'personal-casemanager' }, user: { id: 'user-cm' } };
  const gv = await store.referrals.create(
    draft({
      answers: { service: 'gezinsverzorger', wijk: 'Wanssum' },
      referrer: { role: 'casemanager', conversation, identity: { id: 'user-cm', aadObjectId: 'aad-casemanager', name: 'Casemanager' } },
    }),
    new Date(),
  );
  await store.referrals.update(
    gv.aanmelding.reference,
    1,
    (c) => ({ ...c, status: 'toegewezen', assignee: { aadObjectId: GEZINSVERZORGER.aadObjectId, name: GEZINSVERZORGER.name, role: 'gezinsverzorger' }, evaluation: { dueOn: localDate(new Date()) } }),
    new Date(),
  );
  await store.people.remember({
    aadObjectId: GEZINSVERZORGER.aadObjectId,
    teamsUserId: GEZINSVERZORGER.id,
    name: GEZINSVERZORGER.name,
    serviceUrl,
    personal: { serviceUrl, channelId: 'msteams', conversation: { id: 'personal-lynne' }, user: { id: GEZINSVERZORGER.id } },
  });
  const env = { DATABASE_URL: db.url, AUDIT_KEY: TEST_AUDIT_KEY, DATA_DIR: path.join(dir, 'unused'), TEAM_CONFIG: path.join(dir, 'team.json') };
  bots.push(...(await Promise.all([startBot(env), startBot(env)])));
}, 120_000);

afterAll(async () => {
  if (!postgres.run) return;
  await Promise.all(bots.map((b) => b.stop('SIGTERM')));
  await store?.close();
  await connector?.stop();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe.runIf(postgres.run)('two bot processes on one PostgreSQL database', () => {
  it('sends a reminder that fell due while both run once, not once per instance', async () => {
    const reminders = () => connector.activities().filter((a) => JSON.stringify(a).includes('evaluatie') && JSON.stringify(a).includes('"flow":"evaluatie"'));
    await connector.waitFor(() => reminders().length >= 2, 'the two evaluation reminders');
    await new Promise((r) => setTimeout(r, 1500));
    expect(connector.activities('personal-casemanager').filter((a) => JSON.stringify(a).includes('"flow":"evaluatie"'))).toHaveLength(1);
    expect(connector.activities('personal-lynne').filter((a) => JSON.stringify(a).includes('"flow":"evaluatie"'))).toHaveLength(1);
  });

  it('stores every acknowledged aanmelding of 20 referrers at once, with unique gap-free references, each posted once', async () => {
    const [a, b] = bots as [BotProcess, BotProcess];
    const linked = await postTo(a, inChannel(COORDINATORS[0]!, { type: 'message', text: '<at>Aanmeldbot</at> koppel dit kanaal voor gezinscoach' }));
    expect(linked.status).toBe(200);

    let turn = 0;
    const pick = () => (turn++ % 3 === 0 ? a.url : b.url);
    const confirmations = await Promise.all(Array.from({ length: 20 }, (_, i) => refer(i + 1, pick)));
    const references = confirmations.map((text) => new RegExp(`AM-${YEAR}-\\d{4}`).exec(text)?.[0]);
    expect(references.every(Boolean)).toBe(true);
    const gvReference = `AM-${YEAR}-0001`; // the gezinsverzorger trajectory stored before the bots started
    expect([...references].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `AM-${YEAR}-${String(i + 2).padStart(4, '0')}`));
    expect(references).not.toContain(gvReference);

    const stored = await store.referrals.list();
    expect(stored.filter((r) => r.answers.service === 'gezinscoach')).toHaveLength(20);
    // One 'aangemaakt' entry per aanmelding the bots stored (the trajectory above was written by the test itself).
    expect((await store.audit.entries()).filter((e) => e.event === 'aanmelding.aangemaakt').map((e) => e.reference).sort()).toEqual([...references].sort());

    await connector.waitFor(() => references.every((r) => posted(r!).length > 0), 'every aanmelding in the channel', 20_000);
    await new Promise((r) => setTimeout(r, 1500));
    for (const reference of references) expect(posted(reference!)).toHaveLength(1);
    expect(await store.audit.verify()).toMatchObject({ ok: true });
  }, 120_000);

  it('lets one of two simultaneous claims on the two instances win, and one of three coordinators assigning at once', async () => {
    const [a, b] = bots as [BotProcess, BotProcess];
    const open = (await store.referrals.open()).filter((r) => r.answers.service === 'gezinscoach' && r.status === 'nieuw');
    const [first, second] = open as unknown as [Json, Json];

    const claims = await Promise.all([press(a, COACHES[0]!, 'claim', { reference: first.reference, version: 1 }), press(b, COACHES[1]!, 'claim', { reference: first.reference, version: 1 })]);
    expect(claims.filter((text) => text.includes(`Je hebt ${first.reference} opgepakt`))).toHaveLength(1);
    const claimed = await store.referrals.get(first.reference);
    expect(claimed?.version).toBe(2);
    expect(COACHES.map((c) => c.name)).toContain(claimed?.assignee?.name);

    const assigns = await Promise.all(
      COORDINATORS.map((coordinator, i) => press(i % 2 ? b : a, coordinator, 'assign', { reference: second.reference, version: 1, professional: COACHES[i % 2]!.aadObjectId })),
    );
    expect(assigns.filter((text) => text.includes('Die krijgt het dossier persoonlijk'))).toHaveLength(1);
    expect(assigns.filter((text) => text.includes('Iemand anders was je net voor') || text.includes('Iemand anders heeft deze aanmelding net gewijzigd'))).toHaveLength(2);
    expect((await store.referrals.get(second.reference))?.version).toBe(2);
    const audit = await store.audit.entries();
    expect(audit.filter((e) => e.reference === first.reference && e.event === 'aanmelding.opgepakt')).toHaveLength(1);
    expect(audit.filter((e) => e.reference === second.reference && e.event === 'aanmelding.toegewezen')).toHaveLength(1);
  }, 60_000);
});
