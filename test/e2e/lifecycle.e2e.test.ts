import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allText, BotClient, textOf } from '../support/bot-client.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { FakeConnector } from '../support/fake-connector.js';
import { CHANNEL, channelActivities, TENANT, toSummary } from '../support/teams-channel.js';

/**
 * Teams' lifecycle over the Bot Framework protocol: the app installed and removed in a personal chat, a linked
 * channel deleted or renamed, its team archived or deleted, the bot removed from the team, and Teams refusing
 * posts (403/404). A channel that is gone is unlinked, every coordinator hears it 1:1 with what to do, and
 * aanmeldingen wait, stored, for the next link: nothing is lost.
 */

type Json = Record<string, any>;
const PEOPLE = {
  referrer: { id: 'user-id-0', aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' },
  coordinator: { id: 'user-id-1', aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' },
};
const TEAM = 'team-1';
const OTHER_CHANNEL = '19:nieuw@thread.tacv2';

let connector: FakeConnector;
let serviceUrl: string;
let dataDir: string;
let server: BotProcess;
const inChannel = channelActivities(() => serviceUrl);

async function post(body: Json): Promise<Response> {
  return fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function readJson(file: string): Promise<Json> {
  return JSON.parse(await readFile(path.join(dataDir, file), 'utf8')) as Json;
}

async function links(): Promise<Json[]> {
  return (await readJson('channels.json')).links;
}

async function auditEvents(): Promise<Json[]> {
  return (await readFile(path.join(dataDir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
}

/** A coordinator links a channel for the gezinscoaches by mentioning the bot there. */
async function link(channel = CHANNEL): Promise<void> {
  const activity = channelActivities(() => serviceUrl, channel)(PEOPLE.coordinator, {
    type: 'message',
    text: '<at>Aanmeldbot</at> koppel dit kanaal voor gezinscoach',
    entities: [{ type: 'mention', text: '<at>Aanmeldbot</at>', mentioned: { id: 'bot', name: 'Aanmeldbot' } }],
  });
  expect((await post(activity)).status).toBe(200);
  expect((await links()).map((l) => l.channelId)).toEqual([channel]);
}

/** A conversationUpdate as Teams sends it for a team event (channelDeleted, teamArchived, …). */
function teamEvent(eventType: string, extra: Json = {}): Json {
  const base = inChannel(PEOPLE.coordinator, { type: 'conversationUpdate' });
  return { ...base, ...extra, channelData: { ...base.channelData, eventType, ...(extra.channelData ?? {}) } };
}

/** Everything the bot said 1:1 to the coordinator (in chats it started with her), since `from` calls. */
function toCoordinator(from = 0): string {
  const chats = new Set(connector.created().filter((c) => !c.body.isGroup && c.body.members?.[0]?.id === PEOPLE.coordinator.id).map((c) => c.conversationId));
  return allText(connector.calls.slice(from).filter((c) => c.method === 'POST' && chats.has(c.conversationId)).map((c) => c.body));
}

async function noticeToCoordinator(from: number, containing: string): Promise<string> {
  return connector.waitFor(() => toCoordinator(from).includes(containing) && toCoordinator(from), `the coordinator hearing "${containing}"`);
}

let referrals = 0;
async function refer(): Promise<string> {
  const c = new BotClient(server.url, serviceUrl, () => connector.activities(`personal-lc-${referrals}`), `personal-lc-${++referrals}`, PEOPLE.referrer);
  await toSummary(c);
  const done = allText(await c.click('Versturen'));
  return /AM-\d{4}-\d{4}/.exec(done)![0];
}

function channelPostOf(reference: string, channel: string) {
  return connector.created().find((c) => c.body.isGroup && c.body.channelData?.channel?.id === channel && JSON.stringify(c.body).includes(reference));
}

beforeAll(async () => {
  connector = new FakeConnector();
  serviceUrl = await connector.start();
});

beforeEach(async () => {
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  connector.failWhen = undefined;
  dataDir = await mkdtemp(path.join(tmpdir(), 'aanmeld-lifecycle-'));
  server = await startBot({ DATA_DIR: dataDir, TEAM_CONFIG: path.resolve('data/teams/voorbeeld.json') });
});

afterAll(async () => {
  await server?.stop();
  await connector.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('Teams lifecycle: the app in a personal chat', () => {
  const personal = (type: string, action: string): Json => ({
    type,
    action,
    id: `inst-${action}`,
    channelId: 'msteams',
    serviceUrl,
    from: PEOPLE.referrer,
    recipient: { id: 'bot', name: 'Aanmeldbot' },
    conversation: { id: 'personal-installed', conversationType: 'personal', tenantId: TENANT.id },
    channelData: { tenant: TENANT },
  });

  it('welcomes whoever installs it, once, though Teams announces it twice (installationUpdate and membersAdded)', async () => {
    expect((await post(personal('installationUpdate', 'add'))).status).toBe(200);
    const added = { ...personal('conversationUpdate', ''), membersAdded: [{ id: PEOPLE.referrer.id }, { id: 'bot' }] };
    expect((await post(added)).status).toBe(200);
    const said = await connector.waitFor(() => connector.activities('personal-installed').length > 0 && connector.activities('personal-installed'), 'the welcome');
    await new Promise((r) => setTimeout(r, 300));
    expect(connector.activities('personal-installed')).toHaveLength(1);
    expect(textOf(said[0]!)).toContain('Ik help je een gezin aan te melden');
  });

  it('keeps one unchanging reference to the personal chat while it is used, and forgets it when the app is removed', async () => {
    const c = new BotClient(server.url, serviceUrl, () => connector.activities('personal-installed'), 'personal-installed', PEOPLE.referrer);
    await c.say('hallo');
    const known = (await readJson('people.json')).people[PEOPLE.referrer.aadObjectId];
    expect(known.personal.conversation.id).toBe('personal-installed');
    // The reference does not carry the id of the message it came from, so a plain turn leaves the file alone.
    expect(known.personal).not.toHaveProperty('activityId');
    const written = (await stat(path.join(dataDir, 'people.json'))).mtimeMs;
    await c.say('aanmelden');
    expect((await stat(path.join(dataDir, 'people.json'))).mtimeMs).toBe(written);

    expect((await post(personal('installationUpdate', 'remove'))).status).toBe(200);
    const person = (await readJson('people.json')).people[PEOPLE.referrer.aadObjectId];
    expect(person.personal).toBeUndefined();
    expect(person.teamsUserId).toBe(PEOPLE.referrer.id);
    // Nothing is said into the chat that was removed.
    expect(connector.activities('personal-installed').filter((a) => textOf(a).includes('verwijderd'))).toEqual([]);
  });
});

describe('Teams lifecycle: the linked channel and its team', () => {
  it('unlinks a deleted channel, tells the coordinator 1:1 what to do, and keeps new aanmeldingen until a new link', async () => {
    await link();
    const from = connector.calls.length;
    expect((await post(teamEvent('channelDeleted', { channelData: { channel: { id: CHANNEL, name: 'Aanmeldingen' } } }))).status).toBe(200);
    expect(await links()).toEqual([]);
    const notice = await noticeToCoordinator(from, 'Kanaal ontkoppeld');
    expect(notice).toContain('is verwijderd in Teams');
    expect(notice).toContain('er gaat niets verloren');
    expect(notice).toContain('koppel dit kanaal voor gezinscoach');
    expect(await auditEvents()).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'kanaal.ontkoppeld', source: CHANNEL, actor: { id: PEOPLE.coordinator.aadObjectId, name: PEOPLE.coordinator.name } })]));

    // Meanwhile an aanmelding is stored, not posted; linking a new channel posts it there.
    const reference = await refer();
    await new Promise((r) => setTimeout(r, 500));
    expect(connector.created().filter((c) => c.body.isGroup && JSON.stringify(c.body).includes(reference))).toEqual([]);
    await link(OTHER_CHANNEL);
    await connector.waitFor(() => channelPostOf(reference, OTHER_CHANNEL), 'the waiting aanmelding posted in the new channel');
  });

  it('leaves the link alone when another channel of the team is deleted', async () => {
    await link();
    const from = connector.calls.length;
    expect((await post(teamEvent('channelDeleted', { channelData: { channel: { id: '19:iets-anders@thread.tacv2', name: 'Borrel' } } }))).status).toBe(200);
    expect((await links()).map((l) => l.channelId)).toEqual([CHANNEL]);
    await new Promise((r) => setTimeout(r, 300));
    expect(toCoordinator(from)).toBe('');
  });

  it('keeps posting into a renamed channel and tells the coordinator the new name', async () => {
    await link();
    const from = connector.calls.length;
    expect((await post(teamEvent('channelRenamed', { channelData: { channel: { id: CHANNEL, name: 'Aanmeldingen Venray' } } }))).status).toBe(200);
    expect((await links())[0]).toMatchObject({ channelId: CHANNEL, channelName: 'Aanmeldingen Venray' });
    expect(await noticeToCoordinator(from, 'heet nu')).toContain('‘Aanmeldingen Venray’');
    const reference = await refer();
    await connector.waitFor(() => channelPostOf(reference, CHANNEL), 'the aanmelding posted in the renamed channel');
  });

  for (const [eventType, says] of [
    ['teamArchived', 'is gearchiveerd'],
    ['teamDeleted', 'is verwijderd in Teams'],
    ['teamHardDeleted', 'is verwijderd in Teams'],
  ] as const) {
    it(`unlinks the team's channel on ${eventType} and says so`, async () => {
      await link();
      const from = connector.calls.length;
      expect((await post(teamEvent(eventType, { channelData: { team: { id: TEAM, name: 'Gezinscoaches' } } }))).status).toBe(200);
      expect(await links()).toEqual([]);
      expect(await noticeToCoordinator(from, 'Kanaal ontkoppeld')).toContain(says);
    });
  }

  it('unlinks when the bot is removed from the team, and says it once though Teams tells it twice', async () => {
    await link();
    const from = connector.calls.length;
    const removed = inChannel(PEOPLE.coordinator, { type: 'conversationUpdate', membersRemoved: [{ id: 'bot', name: 'Aanmeldbot' }] });
    removed.channelData = { ...removed.channelData, eventType: 'teamMemberRemoved' };
    expect((await post(removed)).status).toBe(200);
    const uninstalled = inChannel(PEOPLE.coordinator, { type: 'installationUpdate', action: 'remove' });
    expect((await post(uninstalled)).status).toBe(200);
    expect(await links()).toEqual([]);
    const notice = await noticeToCoordinator(from, 'Kanaal ontkoppeld');
    expect(notice).toContain('Ik ben verwijderd uit het team');
    await new Promise((r) => setTimeout(r, 500));
    expect(toCoordinator(from).split('Kanaal ontkoppeld').length - 1).toBe(1);
    expect((await auditEvents()).filter((e) => e.event === 'kanaal.ontkoppeld')).toHaveLength(1);
  });

  for (const status of [403, 404]) {
    it(`takes Teams' ${status} on a channel post as final: one try, unlinked, the coordinator told, the aanmelding kept`, async () => {
      await link();
      const from = connector.calls.length;
      const tries = () => connector.refused.filter((r) => r.status === status).length;
      const before = tries();
      // Teams refuses every new thread in the channel (the 1:1 chats still work).
      connector.failWhen = (method, p, body) => (method === 'POST' && /^\/v3\/conversations\/?$/.test(p) && body.isGroup ? status : undefined);
      const reference = await refer();
      expect(await noticeToCoordinator(from, 'Kanaal ontkoppeld')).toContain('Teams weigert mijn berichten');
      expect(await links()).toEqual([]);
      const outbox = (await readJson('outbox.json')).jobs as Json[];
      expect(outbox.find((j) => j.kind === 'post' && j.payload.reference === reference)).toMatchObject({ status: 'failed', attempts: 1 });
      expect(tries() - before).toBe(1);
      connector.failWhen = undefined;
      await link(OTHER_CHANNEL);
      await connector.waitFor(() => channelPostOf(reference, OTHER_CHANNEL), 'the aanmelding posted once a channel is linked again');
    });
  }
});
