import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestAdapter, type Activity } from 'botbuilder';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { assembleBot } from '../../bot/assemble.js';
import { loadGemeenteConfig } from '../../data/gemeente.config.js';
import { openStores, type Stores } from '../../data/stores.js';
import { loadTeamConfig } from '../../data/team.config.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';
import { findAction } from '../support/bot-client.js';
import { draft } from '../fixtures/referral.js';

/**
 * What a plain question turn of an intake costs on disk (issue 17): it writes nothing to the aanmeldingen, however many
 * are stored. Measured on the files of a real DATA_DIR, not on what the code means to do.
 */

const NOW = new Date('2026-11-23T10:00:00.000Z');
const ALEX = { id: 'user-id-0', aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' };

let dir: string;
let stores: Stores;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'question-turn-'));
  stores = await openStores({ auditKey: TEST_AUDIT_KEY, dataDir: dir });
});

afterEach(async () => {
  await stores.close();
  await rm(dir, { recursive: true, force: true });
});

/** Every file under the folder with a hash of its content and its modification time (a rewrite of the same content counts too). */
async function files(folder: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const { mtimeNs, ino } = await stat(file, { bigint: true });
    found.set(path.relative(folder, file), `${createHash('sha256').update(await readFile(file)).digest('hex')} ${mtimeNs} ${ino}`);
  }
  return found;
}

function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after].filter(([file, hash]) => before.get(file) !== hash).map(([file]) => file);
}

describe('a plain question turn', () => {
  it('writes nothing to the aanmeldingen, and in all one small file: the conversation state', async () => {
    // An aanmelding in the store already, so there is something that could be rewritten.
    await stores.referrals.create(draft({ intakeId: 'earlier' }), NOW);
    const { bot } = assembleBot({ stores, config: loadGemeenteConfig(), team: loadTeamConfig(), log: pino({ level: 'silent' }), now: () => NOW, deliver: () => {} });
    const adapter = new TestAdapter(async (context) => bot.run(context));
    let n = 0;
    // As Teams sends them: every activity with an id of its own.
    const say = (extra: Partial<Activity>) =>
      adapter.receiveActivity({ type: 'message', id: `activity-${++n}`, channelId: 'msteams', from: ALEX, conversation: { id: 'personal-alex', conversationType: 'personal' }, ...extra } as Activity);
    await say({ text: 'aanmelden' });
    // Alex is a huisarts the team knows: the first question is about safety.
    const role = findAction(adapter.activeQueue.splice(0) as unknown as Record<string, unknown>[], 'Nee');
    expect(role).toBeDefined();
    await stores.flush();

    const writes = ['create', 'update', 'annotate', 'purgeIdentifiers'].map((method) => vi.spyOn(stores.referrals, method as 'create'));
    const before = await files(dir);
    await say({ value: role!.data });
    const replies = JSON.stringify(adapter.activeQueue.splice(0));
    await stores.flush();
    const after = await files(dir);

    // The turn did its work: the next question came.
    expect(replies).not.toBe('[]');
    for (const write of writes) expect(write).not.toHaveBeenCalled();
    const written = changed(before, after);
    expect(written.filter((file) => file.startsWith('referrals'))).toEqual([]);
    // One copy of the conversation's two (data/two-copies.ts): the older one, written over.
    expect(written).toEqual([expect.stringMatching(/^conversations\/[0-9a-f]+(\.1)?\.json$/)]);
    expect((await stat(path.join(dir, written[0]!))).size).toBeLessThan(16_384);
  });
});

describe('the state of a question turn', () => {
  const turnOf = (log = pino({ level: 'silent' })) => {
    const { bot } = assembleBot({ stores, config: loadGemeenteConfig(), team: loadTeamConfig(), log, now: () => NOW, deliver: () => {} });
    const adapter = new TestAdapter(async (context) => bot.run(context));
    let n = 0;
    const say = (extra: Partial<Activity>) =>
      adapter.receiveActivity({ type: 'message', id: `activity-${++n}`, channelId: 'msteams', from: ALEX, conversation: { id: 'personal-alex', conversationType: 'personal' }, ...extra } as Activity);
    const replies = () => adapter.activeQueue.splice(0) as unknown as Record<string, unknown>[];
    return { say, replies };
  };
  const KEY = `personal-alex|${ALEX.aadObjectId}`;

  it('is written once, after the question went out, with the message that holds it', async () => {
    const { say, replies } = turnOf();
    await say({ text: 'aanmelden' });
    const role = findAction(replies(), 'Nee');
    const put = vi.spyOn(stores.conversations, 'put');
    const marked = vi.spyOn(stores.conversations, 'markQuestion');
    await say({ value: role!.data });
    const sent = replies();
    const question = sent.find((a) => JSON.stringify(a).includes('kinderen'));
    expect(question).toBeDefined();
    expect(put).toHaveBeenCalledTimes(1);
    expect(marked).not.toHaveBeenCalled();
    // TestAdapter numbers what the bot sends; the stored id is the one Teams gave the question's message.
    expect((await stores.conversations.get(KEY))?.questionActivityId).toBe(question!.id);
  });

  it('that cannot be written leaves the earlier state: the turn fails, and the next message asks that question again', async () => {
    const { say, replies } = turnOf();
    await say({ text: 'aanmelden' });
    const role = findAction(replies(), 'Nee');
    const before = await stores.conversations.get(KEY);
    vi.spyOn(stores.conversations, 'put').mockRejectedValueOnce(new Error('schijf vol'));
    await expect(say({ value: role!.data })).rejects.toThrow('schijf vol');
    // The question had gone out; the answer it followed is not taken.
    expect(JSON.stringify(replies())).toContain('kinderen');
    expect(await stores.conversations.get(KEY)).toEqual(before);

    // Typed at the card just sent: the safety question comes again, its card ready to be answered; then all goes on.
    await say({ text: '3, 7 en 12' });
    const again = replies();
    expect(JSON.stringify(again)).toContain('Maak je je acuut zorgen over de veiligheid');
    const safety = findAction(again, 'Nee');
    expect(safety?.data).toMatchObject({ step: 'safety' });
    await say({ value: safety!.data });
    expect(JSON.stringify(replies())).toContain('kinderen');
    expect((await stores.conversations.get(KEY))?.questionActivityId).toBeDefined();
  });
});
