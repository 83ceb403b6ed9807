import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BotClient } from '../support/bot-client.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { runCli } from '../support/cli.js';
import { FakeConnector } from '../support/fake-connector.js';
import { toSummary } from '../support/teams-channel.js';

/**
 * The lowdb folder as the operator finds it (issue 12, points 6 and 7): 0700 and 0600, no temporary file left from
 * a crash, and a missing or broken store file stops the bot with one line that names it, instead of an empty store
 * that would hand out AM-2026-0001 again.
 */

const FAMILY_NAME = 'Fatima El Amrani';
const mode = async (file: string) => (await stat(file)).mode & 0o777;
const EMPTY_REFERRALS = JSON.stringify({ sequences: {}, referrals: [] });

let root: string;
let connector: FakeConnector;
let serviceUrl: string;
let bot: BotProcess | undefined;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'data-dir-e2e-'));
  connector = new FakeConnector();
  serviceUrl = await connector.start();
});

afterEach(async () => {
  await bot?.stop();
  bot = undefined;
});

afterAll(async () => {
  await connector.stop();
  await rm(root, { recursive: true, force: true });
});

let count = 0;
const freshDir = () => path.join(root, `data-${++count}`);

/** Starts the bot as `npm start` does, expecting it to refuse: its exit code and what it printed. */
const refusedStart = (dataDir: string) => runCli('bot/main.ts', [], { DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'info' });

describe('the data folder', () => {
  it('is created 0700 with every file 0600 on a fresh start, also the files written during an intake', async () => {
    const dataDir = freshDir();
    bot = await startBot({ DATA_DIR: dataDir });
    const client = new BotClient(bot.url, serviceUrl, () => connector.activities(), `personal-${count}`);
    await client.say('aanmelden');
    await client.click('Huisarts');
    // The conversation's state reaches its file just after the turn (data/conversation-state.store.ts).
    for (let tries = 0; tries < 50; tries++) {
      const names = await readdir(path.join(dataDir, 'conversations'));
      if (names.length > 0 && names.every((name) => /^[0-9a-f]{40}(\.1)?\.json$/.test(name))) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await mode(dataDir)).toBe(0o700);
    expect(await mode(path.join(dataDir, 'conversations'))).toBe(0o700);
    const files = [...(await readdir(dataDir, { withFileTypes: true }))].filter((e) => e.isFile()).map((e) => path.join(dataDir, e.name));
    const conversations = (await readdir(path.join(dataDir, 'conversations'))).map((name) => path.join(dataDir, 'conversations', name));
    const referrals = (await readdir(path.join(dataDir, 'referrals'))).map((name) => path.join(dataDir, 'referrals', name));
    expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['audit.jsonl', 'people.json']));
    expect(await mode(path.join(dataDir, 'referrals'))).toBe(0o700);
    expect(referrals.map((f) => path.basename(f))).toContain('sequences.json');
    // One conversation, in one or two copies (data/two-copies.ts).
    expect(conversations.length).toBeGreaterThan(0);
    expect(new Set(conversations.map((file) => path.basename(file).slice(0, 40))).size).toBe(1);
    for (const file of [...files, ...conversations, ...referrals]) expect([file, await mode(file)]).toEqual([file, 0o600]);
  });

  it('removes temporary files a crash left and narrows wide permissions at start, logging counts and no names', async () => {
    const dataDir = freshDir();
    await mkdir(path.join(dataDir, 'conversations'), { recursive: true });
    await chmod(dataDir, 0o755);
    await writeFile(path.join(dataDir, 'referrals.json'), EMPTY_REFERRALS, { mode: 0o644 });
    await writeFile(path.join(dataDir, 'audit.jsonl'), '', { mode: 0o644 });
    // What DurableJSONFile and lowdb leave when the process dies between writing and renaming.
    await writeFile(path.join(dataDir, 'referrals.json.4242.7.tmp'), JSON.stringify({ name: FAMILY_NAME }), { mode: 0o644 });
    await writeFile(path.join(dataDir, 'conversations', 'aaaa.json.4242.8.tmp'), JSON.stringify({ name: FAMILY_NAME }));
    await writeFile(path.join(dataDir, 'conversations', '.bbbb.json.tmp'), JSON.stringify({ name: FAMILY_NAME }));

    bot = await startBot({ DATA_DIR: dataDir });
    expect((await readdir(dataDir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(await readdir(path.join(dataDir, 'conversations'))).toEqual([]);
    expect(await mode(dataDir)).toBe(0o700);
    // The referrals.json of an earlier version, narrowed first, is now the folder of the aanmeldingen.
    expect(await readdir(dataDir)).not.toContain('referrals.json');
    expect(await mode(path.join(dataDir, 'referrals'))).toBe(0o700);
    expect(await mode(path.join(dataDir, 'audit.jsonl'))).toBe(0o600);
    const prepared = bot.logs.find((line) => line.includes('"store.prepared"'));
    // Narrowed: the folder, conversations/, the lock folder (proper-lockfile makes it 0755), referrals.json, audit.jsonl.
    expect(JSON.parse(prepared!)).toMatchObject({ temporaryFilesRemoved: 3, permissionsFixed: 5, fresh: false });
    expect(bot.logs.join('\n')).not.toContain(FAMILY_NAME);
  });
});

describe('a missing store is not an empty store', () => {
  it('refuses to start when the aanmeldingen are gone but the access log names them, naming the folder in one line', async () => {
    // Made by a real bot: an aanmelding sent, then the bot stopped and the folder of the aanmeldingen lost.
    const dataDir = freshDir();
    bot = await startBot({ DATA_DIR: dataDir });
    const c = new BotClient(bot.url, serviceUrl, () => connector.activities('personal-missing'), 'personal-missing');
    await toSummary(c);
    await c.click('Versturen');
    await bot.stop();
    bot = undefined;
    await rm(path.join(dataDir, 'referrals'), { recursive: true });
    const run = await refusedStart(dataDir);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      `${path.join(dataDir, 'referrals')} ontbreekt, terwijl het toegangslog (audit.jsonl) 1 aanmelding noemt: de bot start niet met een lege lijst aanmeldingen (hij zou kenmerken opnieuw uitdelen). Zet de map terug uit een back-up.`,
    ]);
    expect(await readdir(dataDir)).not.toContain('referrals');
  });

  it('starts on the folder of an earlier version in which no aanmelding was ever sent, and writes the empty store', async () => {
    const dataDir = freshDir();
    await mkdir(path.join(dataDir, 'conversations'), { recursive: true });
    await writeFile(path.join(dataDir, 'conversations', `${'a'.repeat(40)}.json`), '{}');
    await writeFile(path.join(dataDir, 'people.json'), JSON.stringify({ people: {} }));
    await writeFile(path.join(dataDir, 'audit.jsonl'), '');
    bot = await startBot({ DATA_DIR: dataDir });
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    expect(await readdir(path.join(dataDir, 'referrals'))).toContain('sequences.json');
  });

  it('starts on a fresh, empty folder, and writes the empty store so that its loss shows later', async () => {
    const dataDir = freshDir();
    await mkdir(dataDir);
    bot = await startBot({ DATA_DIR: dataDir });
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    expect(await readdir(dataDir)).toEqual(expect.arrayContaining(['referrals', 'audit.jsonl']));
  });
});

describe('a corrupt store file', () => {
  it.each([
    ['referrals.json', JSON.stringify({ sequences: {}, referrals: [{ intakeId: 'x' }] }), /^\S+referrals\.json is beschadigd: referrals\.0\.\S+: ontbreekt\. De bot start niet; zet het bestand terug uit een back-up of herstel het\.$/],
    ['referrals.json', `{"sequences":{},"referrals":[{"reference":"AM-2026-0001","contact":{"name":"${FAMILY_NAME}`, /^\S+referrals\.json is beschadigd: geen geldige JSON( \([^)]*\))?\. De bot start niet/],
    ['channels.json', '{"links": [}', /^\S+channels\.json is beschadigd: geen geldige JSON( \([^)]*\))?\. De bot start niet/],
    ['outbox.json', JSON.stringify({ jobs: 'geen lijst' }), /^\S+outbox\.json is beschadigd: jobs: verwacht een lijst, kreeg tekst\./],
  ])('names %s and its first problem in one line, never its content', async (file, content, message) => {
    const dataDir = freshDir();
    await mkdir(dataDir);
    await writeFile(path.join(dataDir, 'referrals.json'), EMPTY_REFERRALS);
    await writeFile(path.join(dataDir, file), content);
    const run = await refusedStart(dataDir);
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(lines[0]).toContain(path.join(dataDir, file));
    expect(run.stderr + run.stdout).not.toContain(FAMILY_NAME);
  });
});
