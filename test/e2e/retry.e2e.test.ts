import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotClient } from '../support/bot-client.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { FakeConnector } from '../support/fake-connector.js';
import { channelActivities, toSummary } from '../support/teams-channel.js';

/**
 * One retry layer. The connector client's own pipeline retried every send three times, and our retry on top of it
 * made 24 calls (and 80 seconds) for one reply to a connector that keeps answering 502. Now a reply within a turn
 * is retried by us only (1 + 3 calls), and a send of the outbox is tried once per delivery attempt, the outbox
 * trying again later, never sooner than Teams' Retry-After; 403 and 404 are not tried again at all.
 */

const MEGAN = { id: 'user-id-1', aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' };
let connector: FakeConnector;
let serviceUrl: string;
let dir: string;
let bot: BotProcess;
const inChannel = channelActivities(() => serviceUrl);
const isNewConversation = (method: string, p: string) => method === 'POST' && /^\/v3\/conversations\/?$/.test(p);

beforeAll(async () => {
  connector = new FakeConnector();
  serviceUrl = await connector.start();
  dir = await mkdtemp(path.join(tmpdir(), 'aanmeld-retry-'));
  bot = await startBot({ DATA_DIR: dir });
  const linked = await fetch(`${bot.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(inChannel(MEGAN, { type: 'message', text: '<at>Aanmeldbot</at> koppel dit kanaal voor gezinscoach' })),
  });
  expect(linked.status).toBe(200);
});

afterAll(async () => {
  await bot?.stop();
  await connector?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The coordinator links the channel (again: a post Teams refuses for good unlinks it). */
async function relink(): Promise<void> {
  const linked = await fetch(`${bot.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(inChannel(MEGAN, { type: 'message', text: '<at>Aanmeldbot</at> koppel dit kanaal voor gezinscoach' })),
  });
  expect(linked.status).toBe(200);
}

async function submitted(n: number): Promise<number> {
  const c = new BotClient(bot.url, serviceUrl, () => connector.activities(`personal-retry-${n}`), `personal-retry-${n}`);
  await toSummary(c, { family: `Testgezin ${n}` });
  await c.click('Versturen');
  return Date.now();
}

describe('one retry layer', () => {
  it('makes 4 calls, not 24, for a reply to a connector that keeps answering 502, and answers within seconds', async () => {
    connector.failWhen = (method, p) => (method === 'POST' && p.includes('personal-always-502') ? 502 : undefined);
    const c = new BotClient(bot.url, serviceUrl, () => [], 'personal-always-502');
    const started = Date.now();
    const response = await c.post(c.activity({ text: 'hallo' }));
    expect(response.status).toBe(200);
    // The welcome (1 + 3 retries), then the "something went wrong" notice (1 + 3).
    expect(connector.refused.filter((r) => r.path.includes('personal-always-502'))).toHaveLength(8);
    expect(Date.now() - started).toBeLessThan(15_000);
    connector.failWhen = undefined;
  });

  it('sends a reply again when the connection to Teams was closed under it, and the person just gets the question', async () => {
    const c = new BotClient(bot.url, serviceUrl, () => connector.activities('personal-reset'), 'personal-reset');
    connector.failNext.push('reset');
    const replies = await c.say('aanmelden');
    expect(connector.refused.filter((r) => r.status === 0)).toHaveLength(1);
    expect(JSON.stringify(replies)).not.toContain('Er ging iets mis');
    expect(JSON.stringify(replies)).toContain('Huisarts');
    const retried = bot.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((l) => l.event === 'teams.retry' && l.code);
    expect(retried).toEqual([expect.objectContaining({ code: 'ECONNRESET', attempt: 1 })]);
  });

  it('tries a channel post once per delivery attempt and again later, not sooner than Retry-After', { timeout: 60_000 }, async () => {
    const refusedAt: number[] = [];
    connector.failWhen = (method, p) => {
      if (!isNewConversation(method, p)) return undefined;
      refusedAt.push(Date.now());
      return refusedAt.length < 3 ? { status: 429, retryAfter: '5' } : undefined;
    };
    const sentAt = await submitted(1);
    await connector.waitFor(() => connector.created().some((c) => c.body.isGroup), 'the card after two refusals', 40_000);
    expect(refusedAt).toHaveLength(3); // two refused, the third posted
    expect(refusedAt[0]! - sentAt).toBeLessThan(2000);
    // The outbox's own pause after a first failure is 2 s: 5 s is Teams' Retry-After.
    expect(refusedAt[1]! - refusedAt[0]!).toBeGreaterThanOrEqual(4900);
    expect(refusedAt[2]! - refusedAt[1]!).toBeGreaterThanOrEqual(4900);
    expect(connector.refused.filter((r) => r.status === 429)).toHaveLength(2);
    connector.failWhen = undefined;
  });

  it('starts a 1:1 chat (here: telling the coordinator the channel is gone) with one call per attempt, not four', { timeout: 30_000 }, async () => {
    // Teams refuses the post for good (the channel is gone) while every new 1:1 chat answers 502: the notice to the
    // coordinator, who never chatted with the bot, is tried once, and again by the outbox later.
    const chats: number[] = [];
    connector.failWhen = (method, p, body) => {
      if (!isNewConversation(method, p)) return undefined;
      if (body.isGroup) return 404;
      chats.push(Date.now());
      return 502;
    };
    await submitted(3);
    await connector.waitFor(() => chats.length >= 2, 'the outbox trying the 1:1 chat a second time', 20_000);
    connector.failWhen = undefined;
    await connector.waitFor(() => connector.created().some((c) => !c.body.isGroup && c.body.members?.[0]?.id === MEGAN.id), 'the notice once Teams answers again', 20_000);
    // Never more calls to Teams than attempts of the outbox (the connector client's own retries made four per
    // attempt): the refused ones and the one that went through. (Under load an attempt may end before its call.)
    const done = async () => {
      const jobs = JSON.parse(await readFile(path.join(dir, 'outbox.json'), 'utf8')).jobs as { kind: string; attempts: number; status: string }[];
      return jobs.find((j) => j.kind === 'notice' && j.status === 'done');
    };
    let notice = await done();
    for (let i = 0; !notice && i < 100; i++) notice = await new Promise((r) => setTimeout(r, 50)).then(done);
    expect(notice).toBeDefined();
    expect(chats.length).toBeGreaterThanOrEqual(2);
    expect(chats.length + 1).toBeLessThanOrEqual(notice!.attempts);
  });
  it('does not try again when Teams answers 403 (the bot is no longer in the team), and logs it', async () => {
    await relink();
    let calls = 0;
    connector.failWhen = (method, p, body) => (isNewConversation(method, p) && body.isGroup ? (calls++, 403) : undefined);
    await submitted(2);
    await new Promise((r) => setTimeout(r, 4000));
    expect(calls).toBe(1);
    expect(bot.logs.some((line) => line.includes('"outbox.failed"') && line.includes('HTTP 403'))).toBe(true);
    connector.failWhen = undefined;
  });

});
