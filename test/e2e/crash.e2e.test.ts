import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';
import { openStores } from '../../data/stores.js';
import { allText, BotClient } from '../support/bot-client.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { FakeConnector } from '../support/fake-connector.js';
import { channelActivities, toSummary } from '../support/teams-channel.js';
import { createTestDatabase, postgresForTests, type TestDatabase } from '../support/postgres.js';
import { storedReferrals } from '../support/stored-referrals.js';

/**
 * kill -9 during submits, round after round, on both stores: nothing the referrer was told is "verstuurd" is lost,
 * and after a restart every stored aanmelding reaches the team's channel. And lowdb, the store of one process,
 * refuses a second bot on the same folder.
 */

const ROUNDS = 20;
const MEGAN = { id: 'user-id-1', aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' };
const YEAR = new Date().getUTCFullYear();

const postgres = await postgresForTests();
if (postgres.failure) it('PostgreSQL is bereikbaar', () => expect.fail(postgres.failure));

let connector: FakeConnector;
let serviceUrl: string;
const inChannel = channelActivities(() => serviceUrl);

beforeAll(async () => {
  connector = new FakeConnector();
  serviceUrl = await connector.start();
});
afterAll(() => connector.stop());

let people = 0;

/** A referrer at the summary, one click from Versturen. */
async function atSummary(botUrl: () => string): Promise<BotClient> {
  const n = ++people;
  const conversation = `personal-crash-${n}`;
  const user = { id: `user-crash-${n}`, aadObjectId: `00000000-0000-0000-0000-2000000${String(n).padStart(5, '0')}`, name: `Verwijzer ${n}` };
  const c = new BotClient(botUrl, serviceUrl, () => connector.activities(conversation), conversation, user);
  await toSummary(c, { family: `Testgezin ${n}` });
  return c;
}

async function link(bot: BotProcess) {
  const response = await fetch(`${bot.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(inChannel(MEGAN, { type: 'message', text: '<at>Aanmeldbot</at> koppel dit kanaal voor gezinscoach' })),
  });
  expect(response.status).toBe(200);
}

/** Clicks Versturen; the reference when the bot acknowledged it, undefined when the process died first. */
async function submit(c: BotClient): Promise<string | undefined> {
  try {
    const text = allText(await c.click('Versturen'));
    return new RegExp(`AM-${YEAR}-\\d{4}`).exec(text)?.[0];
  } catch {
    return undefined;
  }
}

const postedReferences = () => new Set(connector.created().filter((c) => c.body.isGroup).flatMap((c) => JSON.stringify(c.body).match(new RegExp(`AM-${YEAR}-\\d{4}`, 'g')) ?? []));

interface Setup {
  env: Record<string, string>;
  storedReferences(): Promise<string[]>;
  cleanup(): Promise<void>;
}

/** Submits while the bot is killed, ROUNDS times; then checks what was acknowledged and what reached the channel. */
async function crashRounds(setup: Setup) {
  // A job leased by a killed process comes back after the lease: 5 s here instead of a minute.
  const env = { ...setup.env, OUTBOX_LEASE_SECONDS: '5' };
  let bot = await startBot(env);
  await link(bot);
  const acknowledged: string[] = [];
  let killedDuring = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const current = bot;
    const clients = await Promise.all([0, 1, 2].map(() => atSummary(() => current.url)));
    const submits = clients.map((c) => submit(c));
    // Somewhere before, in or after the three submits: the moment moves each round.
    await new Promise((r) => setTimeout(r, (round % 6) * 25));
    await current.stop('SIGKILL');
    const results = await Promise.all(submits);
    acknowledged.push(...results.filter((r): r is string => r !== undefined));
    killedDuring += results.filter((r) => r === undefined).length;
    bot = await startBot(env);
  }
  try {
    const stored = await setup.storedReferences();
    // Nothing acknowledged is lost; nothing is stored twice.
    for (const reference of acknowledged) expect(stored).toContain(reference);
    expect(new Set(stored).size).toBe(stored.length);
    // Every stored aanmelding reaches the channel (a job leased by a killed process comes back when its lease ends).
    await connector.waitFor(() => stored.every((r) => postedReferences().has(r)), 'every stored aanmelding in the channel', 60_000);
    return { acknowledged: acknowledged.length, killedDuring, stored: stored.length };
  } finally {
    await bot.stop('SIGTERM');
    await setup.cleanup();
  }
}

describe('kill -9 during submits', () => {
  it(`loses nothing acknowledged and posts every stored aanmelding, on lowdb (${ROUNDS} rounds)`, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'aanmeld-crash-'));
    const result = await crashRounds({
      env: { DATA_DIR: dir },
      async storedReferences() {
        return (await storedReferrals(dir)).map((r) => r.reference as string);
      },
      cleanup: () => rm(dir, { recursive: true, force: true }),
    });
    console.info(`lowdb: ${result.acknowledged} bevestigd, ${result.killedDuring} onderbroken, ${result.stored} opgeslagen`);
    expect(result.acknowledged).toBeGreaterThan(0);
  }, 400_000);

  it.runIf(postgres.run)(`loses nothing acknowledged and posts every stored aanmelding, on PostgreSQL (${ROUNDS} rounds)`, async () => {
    const db: TestDatabase = await createTestDatabase('crash');
    const dir = await mkdtemp(path.join(tmpdir(), 'aanmeld-crash-pg-'));
    const result = await crashRounds({
      env: { DATABASE_URL: db.url, AUDIT_KEY: TEST_AUDIT_KEY, DATA_DIR: path.join(dir, 'unused') },
      async storedReferences() {
        const stores = await openStores({ auditKey: TEST_AUDIT_KEY, dataDir: undefined, databaseUrl: db.url });
        try {
          return (await stores.referrals.list()).map((r) => r.reference);
        } finally {
          await stores.close();
        }
      },
      async cleanup() {
        await db.drop();
        await rm(dir, { recursive: true, force: true });
      },
    });
    console.info(`PostgreSQL: ${result.acknowledged} bevestigd, ${result.killedDuring} onderbroken, ${result.stored} opgeslagen`);
    expect(result.acknowledged).toBeGreaterThan(0);
  }, 400_000);
});

describe('lowdb is one process\'s store', () => {
  it('refuses a second bot on the same DATA_DIR, naming the folder and what to do, and the first keeps serving', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'aanmeld-twice-'));
    const first = await startBot({ DATA_DIR: dir });
    try {
      await expect(startBot({ DATA_DIR: dir })).rejects.toThrow(new RegExp(`De gegevensmap ${dir} is in gebruik door de bot \\(proces \\d+`));
      await expect(startBot({ DATA_DIR: dir })).rejects.toThrow(/gebruik PostgreSQL \(DATABASE_URL\)/);
      expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
      // After the first has stopped, the folder is free again.
      expect(await first.stop('SIGTERM')).toBe(0);
      const second = await startBot({ DATA_DIR: dir });
      expect(await second.stop('SIGTERM')).toBe(0);
    } finally {
      await first.stop('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('takes over the folder of a bot that was killed with kill -9', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'aanmeld-killed-'));
    await writeFile(path.join(dir, '.keep'), '');
    const first = await startBot({ DATA_DIR: dir });
    await first.stop('SIGKILL');
    const second = await startBot({ DATA_DIR: dir });
    expect(await second.stop('SIGTERM')).toBe(0);
    await rm(dir, { recursive: true, force: true });
  }, 60_000);
});
