import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allText, BotClient } from '../support/bot-client.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { FakeConnector } from '../support/fake-connector.js';
import { channelActivities, TENANT, toSummary } from '../support/teams-channel.js';

/**
 * SPOED (an acute concern about safety) over the Bot Framework protocol: it goes to the jeugdconsulenten's channel
 * ("koppel dit kanaal voor jeugdconsulent"); without that channel to the gezinscoaches'; without any channel the
 * referrer gets the numbers to call at once and every coordinator hears it 1:1, by reference only.
 */

const REFERRER = { id: 'user-id-0', aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' };
const COORDINATOR = { id: 'user-id-1', aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' };
/** The example team's jeugdconsulent: on duty on weekdays, and on other days the only one there is. */
const PATTI = { id: 'user-id-4', aadObjectId: '00000000-0000-0000-0000-0000000000024', name: 'Patti Fernandez' };
const COACHES = '19:gezinscoaches@thread.tacv2';
const CONSULENTEN = '19:jeugdconsulenten@thread.tacv2';
const FAMILY = 'Familie Spoedtest';

let connector: FakeConnector;
let serviceUrl: string;
let dataDir: string;
let server: BotProcess;
let chats = 0;

async function link(channel: string, service: string): Promise<void> {
  const activity = channelActivities(() => serviceUrl, channel)(COORDINATOR, { type: 'message', text: `<at>Aanmeldbot</at> koppel dit kanaal voor ${service}` });
  const response = await fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  expect(response.status).toBe(200);
}

/** A huisarts with an acute concern who has reported to Veilig Thuis; returns the reference and what the bot said. */
async function referSpoed(): Promise<{ reference: string; done: string }> {
  const conversation = `personal-spoed-${++chats}`;
  const c = new BotClient(server.url, serviceUrl, () => connector.activities(conversation), conversation, REFERRER);
  await toSummary(c, { acute: true, family: FAMILY });
  const done = allText(await c.click('Versturen'));
  return { reference: /AM-\d{4}-\d{4}/.exec(done)![0], done };
}

/** Presses a button on a channel card as Teams does: an adaptiveCard/action invoke in the card's thread. */
async function press(from: typeof PATTI, verb: string, data: Record<string, unknown>, thread: string): Promise<{ status: number; card: unknown }> {
  const activity = { ...channelActivities(() => serviceUrl, CONSULENTEN)(from, {}), type: 'invoke', name: 'adaptiveCard/action', conversation: { id: thread, conversationType: 'channel', isGroup: true, tenantId: TENANT.id }, value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } };
  const response = await fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  return { status: response.status, card: ((await response.json()) as { value: unknown }).value };
}

/** The TextBlocks of a card, as a person reads them. */
function textBlocks(card: unknown): string[] {
  const texts: string[] = [];
  JSON.stringify(card, (_key, value: { type?: string; text?: unknown }) => {
    if (value?.type === 'TextBlock' && typeof value.text === 'string') texts.push(value.text);
    return value;
  });
  return texts;
}

const postedIn = (channel: string, reference: string) => connector.created().find((c) => c.body.isGroup && c.body.channelData?.channel?.id === channel && JSON.stringify(c.body).includes(reference));

beforeAll(async () => {
  connector = new FakeConnector();
  serviceUrl = await connector.start();
});

beforeEach(async () => {
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  dataDir = await mkdtemp(path.join(tmpdir(), 'aanmeld-spoed-'));
  server = await startBot({ DATA_DIR: dataDir });
});

afterAll(async () => {
  await server?.stop();
  await connector.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('SPOED', () => {
  it("goes to the jeugdconsulenten's channel, not the gezinscoaches', without the family's name", async () => {
    await link(COACHES, 'gezinscoach');
    await link(CONSULENTEN, 'jeugdconsulent');
    const { reference } = await referSpoed();
    const card = await connector.waitFor(() => postedIn(CONSULENTEN, reference), 'the SPOED card in the jeugdconsulenten channel');
    expect(JSON.stringify(card.body)).toContain('SPOED');
    expect(JSON.stringify(card.body)).not.toContain(FAMILY);
    expect(postedIn(COACHES, reference)).toBeUndefined();
  });

  it('@mentions the jeugdconsulent on duty in that post, so Teams notifies her; the card after pickup names her without notifying again', async () => {
    await link(CONSULENTEN, 'jeugdconsulent');
    const { reference } = await referSpoed();
    const posted = await connector.waitFor(() => postedIn(CONSULENTEN, reference), 'the SPOED card in the jeugdconsulenten channel');
    const card = posted.body.activity.attachments[0].content;
    expect(card.msteams.entities).toEqual([{ type: 'mention', text: '<at>Patti Fernandez</at>', mentioned: { id: PATTI.aadObjectId, name: PATTI.name } }]);
    expect(textBlocks(card).some((t) => /SPOED/.test(t))).toBe(true);
    expect(textBlocks(card).some((t) => t.includes('<at>Patti Fernandez</at>'))).toBe(true);
    expect(JSON.stringify(card)).not.toContain(FAMILY);

    // Patti picks it up: the card is updated in place for everyone, still naming her, with no mention to notify.
    const updatesBefore = connector.updates().length;
    let claim: Record<string, unknown> | undefined;
    JSON.stringify(card, (_key, value: { type?: string; verb?: string; data?: Record<string, unknown> }) => {
      if (value?.type === 'Action.Execute' && value.verb === 'claim') claim = value.data;
      return value;
    });
    const pressed = await press(PATTI, 'claim', claim!, posted.conversationId);
    expect(pressed.status).toBe(200);
    // The card Teams shows her at once (the invoke's answer) names her too, without a mention.
    expect(JSON.stringify(pressed.card)).not.toContain('msteams');
    expect(textBlocks(pressed.card).some((t) => /: Patti Fernandez$/.test(t))).toBe(true);
    const update = await connector.waitFor(() => connector.updates().slice(updatesBefore).find((u) => JSON.stringify(u.body).includes('Toegewezen aan Patti Fernandez')), 'the card update after pickup');
    const updated = update.body.attachments[0].content;
    expect(updated.msteams).toBeUndefined();
    expect(JSON.stringify(updated)).not.toContain('<at>');
    expect(textBlocks(updated).some((t) => /: Patti Fernandez$/.test(t))).toBe(true);
  });

  it('posts a non-urgent aanmelding as before, mentioning nobody', async () => {
    await link(COACHES, 'gezinscoach');
    const conversation = `personal-gewoon-${++chats}`;
    const c = new BotClient(server.url, serviceUrl, () => connector.activities(conversation), conversation, REFERRER);
    await toSummary(c, { family: FAMILY });
    const reference = /AM-\d{4}-\d{4}/.exec(allText(await c.click('Versturen')))![0];
    const posted = await connector.waitFor(() => postedIn(COACHES, reference), 'the card in the gezinscoaches channel');
    const card = posted.body.activity.attachments[0].content;
    expect(card.msteams).toBeUndefined();
    expect(JSON.stringify(card)).not.toContain('<at>');
  });

  it("goes to the gezinscoaches' channel while the jeugdconsulenten have none", async () => {
    await link(COACHES, 'gezinscoach');
    const { reference, done } = await referSpoed();
    await connector.waitFor(() => postedIn(COACHES, reference), 'the SPOED card in the gezinscoaches channel');
    expect(done).not.toContain('niet bereikbaar');
  });

  it('without any channel: the referrer gets the numbers to call at once, and the coordinator hears it 1:1', async () => {
    const { reference, done } = await referSpoed();
    expect(done).toContain('de jeugdconsulenten zijn via Teams nog niet bereikbaar');
    expect(done).toContain('bel de jeugdconsulent');
    expect(done).toContain('112');
    expect(done).toContain('0800-2000');
    const chat = await connector.waitFor(() => connector.created().find((c) => !c.body.isGroup && c.body.members?.[0]?.id === COORDINATOR.id), 'a 1:1 chat with the coordinator');
    const notice = await connector.waitFor(() => connector.activities(chat.conversationId).find((a) => allText([a]).includes(reference)), 'the SPOED notice');
    expect(allText([notice])).toContain('heeft geen kanaal');
    expect(allText([notice])).not.toContain(FAMILY);
    // Linking a channel now posts it there.
    await link(CONSULENTEN, 'jeugdconsulent');
    await connector.waitFor(() => postedIn(CONSULENTEN, reference), 'the waiting SPOED card once the jeugdconsulenten link their channel');
  });
});
