import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allText, BotClient } from '../support/bot-client.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { FakeConnector } from '../support/fake-connector.js';
import { channelActivities, toSummary } from '../support/teams-channel.js';

/**
 * SPOED (an acute concern about safety) over the Bot Framework protocol: it goes to the jeugdconsulenten's channel
 * ("koppel dit kanaal voor jeugdconsulent"); without that channel to the gezinscoaches'; without any channel the
 * referrer gets the numbers to call at once and every coordinator hears it 1:1, by reference only.
 */

const REFERRER = { id: 'user-id-0', aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' };
const COORDINATOR = { id: 'user-id-1', aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' };
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
