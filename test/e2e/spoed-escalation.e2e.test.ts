import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../bot/logger.js';
import { createApp, type App } from '../../bot/server.js';
import { SettingsSchema } from '../../bot/settings.js';
import { allText, BotClient } from '../support/bot-client.js';
import { FakeConnector } from '../support/fake-connector.js';
import { channelActivities, toSummary } from '../support/teams-channel.js';

/**
 * Escalation of an unclaimed SPOED aanmelding over the Bot Framework protocol, with the bot's clock in the test's
 * hand (the real server in this process, against a fake connector): the coordinator gets a 1:1 warning after 30
 * working minutes and the card in the channel says so; after a restart nothing is sent twice, and the second
 * level follows 30 minutes after the first. Outside working hours the referrer is told whom to call. 2 March 2026
 * is a Monday, winter time (UTC+1).
 */

const REFERRER = { id: 'user-id-0', aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' };
const COORDINATOR = { id: 'user-id-1', aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' };
const CONSULENTEN = '19:jeugdconsulenten@thread.tacv2';
const FAMILY = 'Familie Escalatietest';
const winter = (local: string) => new Date(`${local.replace(' ', 'T')}:00+01:00`);

let connector: FakeConnector;
let serviceUrl: string;
let dataDir: string;
let app: App | undefined;
let url: string;
let now = winter('2026-03-02 10:00');
let chats = 0;

async function start(): Promise<void> {
  const settings = SettingsSchema.parse({ DATA_DIR: dataDir, SPOED_CHECK_SECONDS: '1' });
  app = await createApp(settings, { log: createLogger('silent'), now: () => now });
  url = `http://127.0.0.1:${await app.listen(0)}`;
}

async function restart(): Promise<void> {
  await app?.shutdown();
  await start();
}

async function referSpoed(): Promise<{ reference: string; done: string }> {
  const conversation = `personal-escalatie-${++chats}`;
  const c = new BotClient(() => url, serviceUrl, () => connector.activities(conversation), conversation, REFERRER);
  await toSummary(c, { acute: true, family: FAMILY });
  const done = allText(await c.click('Versturen'));
  return { reference: /AM-\d{4}-\d{4}/.exec(done)![0], done };
}

/** What the coordinator was sent 1:1 (in chats the bot started with her), as text. */
function toCoordinator(): string[] {
  const chatsWithHer = connector.created().filter((c) => !c.body.isGroup && c.body.members?.[0]?.id === COORDINATOR.id);
  return chatsWithHer.flatMap((chat) => connector.activities(chat.conversationId).map((a) => allText([a])));
}
const warningsAbout = (reference: string, words: string) => toCoordinator().filter((text) => text.includes(`SPOED ${reference} is na`) && text.includes(words));
// The channel card's updates (the referrer's own chat changes its answered questions in place too).
const cardUpdatesSaying = (words: string) => connector.updates().filter((u) => u.conversationId.startsWith('19:') && JSON.stringify(u.body).includes(words));
/** Long enough for a few checks (every second) and the outbox to run. */
const aFewChecks = () => new Promise((r) => setTimeout(r, 2_500));

beforeAll(async () => {
  connector = new FakeConnector();
  serviceUrl = await connector.start();
  dataDir = await mkdtemp(path.join(tmpdir(), 'aanmeld-escalatie-'));
  await start();
  const link = channelActivities(() => serviceUrl, CONSULENTEN)(COORDINATOR, { type: 'message', text: '<at>Aanmeldbot</at> koppel dit kanaal voor jeugdconsulent' });
  const response = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(link) });
  expect(response.status).toBe(200);
});

afterAll(async () => {
  await app?.shutdown();
  await connector.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('an unclaimed SPOED aanmelding', () => {
  it('warns the coordinator after 30 working minutes, marks the card, once per level, also after a restart', async () => {
    now = winter('2026-03-02 10:00');
    const { reference, done } = await referSpoed();
    expect(done).not.toContain('buiten werktijd');
    await connector.waitFor(() => connector.created().find((c) => c.body.isGroup && JSON.stringify(c.body).includes(reference)), 'the SPOED card in the channel');

    now = winter('2026-03-02 10:29');
    await aFewChecks();
    expect(warningsAbout(reference, '30 minuten')).toEqual([]);

    now = winter('2026-03-02 10:30');
    const [warning] = await connector.waitFor(() => warningsAbout(reference, 'nog niet opgepakt').length > 0 && warningsAbout(reference, 'nog niet opgepakt'), 'the first warning to the coordinator');
    expect(warning).toContain('na 30 minuten');
    expect(warning).not.toContain(FAMILY);
    await connector.waitFor(() => cardUpdatesSaying('coördinatoren gewaarschuwd om 10:30').length > 0, 'the card saying the coordinators were warned');

    await restart();
    await aFewChecks();
    expect(warningsAbout(reference, 'nog niet opgepakt')).toHaveLength(1);

    now = winter('2026-03-02 11:00');
    await connector.waitFor(() => warningsAbout(reference, 'nog steeds niet opgepakt').length > 0, 'the second warning');
    await connector.waitFor(() => cardUpdatesSaying('opnieuw gewaarschuwd').length > 0, 'the card saying they were warned again');

    now = winter('2026-03-03 12:00');
    await aFewChecks();
    expect(warningsAbout(reference, '')).toHaveLength(2);
    expect(cardUpdatesSaying(FAMILY)).toEqual([]);
  });

  it('sent in the evening: the referrer is told at once whom to call', async () => {
    now = winter('2026-03-02 21:40');
    const { done } = await referSpoed();
    expect(done).toContain('Het is nu buiten werktijd');
    expect(done).toContain('112');
    expect(done).toContain('0800-2000');
  });
});
