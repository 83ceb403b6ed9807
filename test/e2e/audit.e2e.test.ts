import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditKeyOf } from '../../data/audit-key.js';
import { allText, BotClient } from '../support/bot-client.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { FakeConnector } from '../support/fake-connector.js';

/**
 * The access log (NEN 7513) as the bot keeps it: verified at start (a failure is an error event and a message to
 * the coordinators, and the bot keeps serving), a torn last line repaired and recorded, the local key made once.
 */

type Json = Record<string, any>;
const COORDINATOR = { id: 'user-id-1', aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' };

let connector: FakeConnector;
let serviceUrl: string;
let dir: string;
let bot: BotProcess | undefined;

beforeAll(async () => {
  connector = new FakeConnector();
  serviceUrl = await connector.start();
});
afterAll(() => connector.stop());
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function fresh(): Promise<string> {
  dir = await mkdtemp(path.join(tmpdir(), 'aanmeld-audit-'));
  return dir;
}

const auditFile = () => path.join(dir, 'audit.jsonl');
const entries = async (): Promise<Json[]> => (await readFile(auditFile(), 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Json);

/** Two entries: the coordinator overview read twice (local mode lets this computer in). */
async function someEntries(url: string) {
  for (let i = 0; i < 2; i++) expect((await fetch(`${url}/api/overzicht`)).status).toBe(200);
}

async function waitForLog(b: BotProcess, event: string): Promise<Json> {
  return connector.waitFor(() => b.logs.map((line) => JSON.parse(line) as Json).find((line) => line.event === event), `log event ${event}`);
}

describe('the access log at start', () => {
  it('reports a changed entry as audit.verify-failed and to the coordinator 1:1, and keeps serving', async () => {
    await fresh();
    bot = await startBot({ DATA_DIR: dir });
    // The coordinator has a personal chat with the bot: that is where the message goes.
    const coordinator = new BotClient(bot.url, serviceUrl, () => connector.activities('personal-coordinator'), 'personal-coordinator', COORDINATOR);
    await coordinator.say('hallo');
    await someEntries(bot.url);
    expect((await waitForLog(bot, 'audit.verified')).count).toBe(0);
    await bot.stop();

    const lines = (await readFile(auditFile(), 'utf8')).split('\n');
    lines[0] = lines[0]!.replace('Megan Bowen', 'Iemand Anders').replace('lokale gebruiker', 'iemand anders');
    await writeFile(auditFile(), lines.join('\n'));

    bot = await startBot({ DATA_DIR: dir });
    const failed = await waitForLog(bot, 'audit.verify-failed');
    expect(failed).toMatchObject({ level: 'error', seq: 1, problem: 'regel gewijzigd' });
    const told = await connector.waitFor(
      () => connector.activities('personal-coordinator').find((a) => String(a.text ?? '').includes('het toegangslog klopt niet meer')),
      'the message to the coordinator',
    );
    expect(told.text).toContain('De controle faalt bij regel 1: regel gewijzigd.');
    expect(told.text).toContain('npm run --silent audit -- verify');

    // Still serving: a referrer is answered as ever.
    const referrer = new BotClient(bot.url, serviceUrl, () => connector.activities('personal-after-failure'), 'personal-after-failure');
    expect(allText(await referrer.say('hallo'))).toContain('Ik help je een gezin aan te melden');
  });

  it('repairs a torn last line, records the repair, and the log verifies', async () => {
    await fresh();
    bot = await startBot({ DATA_DIR: dir });
    await someEntries(bot.url);
    await bot.stop();
    // What a crash in the middle of a write leaves: half a line, no newline.
    await appendFile(auditFile(), '{"event":"overzicht.geopend","actor":{"id":"lok');

    bot = await startBot({ DATA_DIR: dir });
    expect((await waitForLog(bot, 'audit.verified')).count).toBe(3);
    const log = await entries();
    expect(log.map((e) => e.event)).toEqual(['overzicht.geopend', 'overzicht.geopend', 'auditlog.hersteld']);
    expect(log[2]).toMatchObject({ seq: 3, actor: { id: 'bot' }, detail: 'onvolledige laatste regel verwijderd (47 bytes) na een onderbroken schrijfactie' });
    expect(bot.logs.some((line) => line.includes('audit.verify-failed'))).toBe(false);
  });

  it('makes the local key once in DATA_DIR, readable by the owner only, and keeps using it', async () => {
    await fresh();
    bot = await startBot({ DATA_DIR: dir });
    await someEntries(bot.url);
    await bot.stop();
    const keyFile = path.join(dir, 'audit.key');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const key = await readFile(keyFile, 'utf8');
    bot = await startBot({ DATA_DIR: dir });
    await someEntries(bot.url);
    expect((await waitForLog(bot, 'audit.verified')).count).toBe(2);
    await bot.stop();
    bot = undefined;
    expect(await readFile(keyFile, 'utf8')).toBe(key);
    expect(new Set((await entries()).map((e) => e.keyId))).toEqual(new Set([auditKeyOf(key).id]));
  });
});

describe('Teams mode', () => {
  it('refuses to start without AUDIT_KEY, with one Dutch line', async () => {
    await fresh();
    const example = await readFile(path.resolve('data/teams/voorbeeld.json'), 'utf8');
    const team = path.join(dir, 'team-gemeente.json');
    await writeFile(team, example.replaceAll('00000000-0000-0000-0000-0000000000', '11111111-2222-3333-4444-5555555555'));
    const teams = { DATA_DIR: dir, MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'geheim', MicrosoftAppTenantId: '00000000-0000-0000-0000-00000000000a', TEAM_CONFIG: team };
    await expect(startBot({ ...teams, AUDIT_KEY: '' })).rejects.toThrow(/AUDIT_KEY ontbreekt: met een MicrosoftAppId ondertekent de bot het toegangslog met een geheime sleutel van minstens 32 tekens/);
    await expect(startBot({ ...teams, AUDIT_KEY: 'te-kort' })).rejects.toThrow(/AUDIT_KEY: moet minstens 32 teken\(s\) lang zijn/);
    // With a key it starts, and makes no key file of its own.
    bot = await startBot(teams);
    await expect(stat(path.join(dir, 'audit.key'))).rejects.toThrow();
  });
});
