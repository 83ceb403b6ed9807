import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LowdbConversationStateStore, type ConversationRecord } from '../../data/conversation-state.store.js';
import { openStores } from '../../data/stores.js';
import type { AuditLog } from '../../data/audit-log.js';

/**
 * The lowdb conversation state (issue 17): a turn does not wait for the disk, yet what it wrote is in its file just
 * after, survives a restart, and a write that fails is said and tried again, never dropped.
 */

const noAudit = { append: async () => undefined } as unknown as AuditLog;
const record = (n: number, extra: Partial<ConversationRecord> = {}): ConversationRecord => ({
  updatedAt: new Date(Date.UTC(2026, 10, 30, 10, 0, n)).toISOString(),
  seenActivityIds: [`activity-${n}`],
  flow: { id: 'intake', version: 2, snapshot: { value: 'children', context: { step: n } } },
  ...extra,
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'conversation-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function onDisk(folder: string): Promise<ConversationRecord[]> {
  const names = (await readdir(folder)).filter((name) => name.endsWith('.json'));
  return Promise.all(names.map(async (name) => JSON.parse(await readFile(path.join(folder, name), 'utf8')) as ConversationRecord));
}

describe('lowdb conversation state', () => {
  it('writes the newest of several changes in a row, and a new process reads it', async () => {
    const folder = path.join(dir, 'conversations');
    const store = await LowdbConversationStateStore.open(folder, noAudit);
    for (let n = 1; n <= 5; n++) await store.put('chat-1', record(n));
    await store.markQuestion('chat-1', 'card-5');
    // Read from memory at once, before any file is written.
    expect(await store.get('chat-1')).toEqual({ ...record(5), questionActivityId: 'card-5' });
    await store.flush();
    expect(await onDisk(folder)).toEqual([{ ...record(5), questionActivityId: 'card-5' }]);

    const restarted = await LowdbConversationStateStore.open(folder, noAudit);
    expect(await restarted.get('chat-1')).toEqual({ ...record(5), questionActivityId: 'card-5' });
    await restarted.delete('chat-1');
    expect(await restarted.get('chat-1')).toBeUndefined();
    await restarted.flush();
    expect(await onDisk(folder)).toEqual([]);
  });

  it('gives every reader its own copy: changing what get() returned changes nothing stored', async () => {
    const store = await LowdbConversationStateStore.open(path.join(dir, 'conversations'), noAudit);
    await store.put('chat-1', record(1));
    const read = await store.get('chat-1');
    read!.seenActivityIds.push('forged');
    expect(await store.get('chat-1')).toEqual(record(1));
  });

  it('says when a write fails, keeps the change, and writes it once the folder is back', async () => {
    const folder = path.join(dir, 'conversations');
    const failures: unknown[] = [];
    const store = await LowdbConversationStateStore.open(folder, noAudit, undefined, (error) => failures.push(error));
    await store.put('chat-1', record(1));
    await store.flush();
    await rm(folder, { recursive: true });

    await store.put('chat-1', record(2));
    // The turn goes on from memory; the file could not be written.
    expect(await store.get('chat-1')).toEqual(record(2));
    await expect(store.flush()).rejects.toThrow(/ENOENT/);
    expect(failures).not.toHaveLength(0);

    await import('node:fs/promises').then((fs) => fs.mkdir(folder));
    await store.flush();
    expect(await onDisk(folder)).toEqual([record(2)]);
  });

  it('keeps a bounded number of conversations in memory and reads the others from their files', async () => {
    const folder = path.join(dir, 'conversations');
    const store = await LowdbConversationStateStore.open(folder, noAudit);
    for (let n = 0; n < 1500; n++) await store.put(`chat-${n}`, record(n % 60));
    await store.flush();
    // The first ones left memory long ago: changed in its file behind the store's back, the file is what is read.
    const fileOf = (key: string) => path.join(folder, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
    await writeFile(fileOf('chat-0'), JSON.stringify(record(59)));
    await writeFile(fileOf('chat-1499'), JSON.stringify(record(59)));
    expect(await store.get('chat-0')).toEqual(record(59));
    // The newest ones are read from memory.
    expect(await store.get('chat-1499')).toEqual(record(1499 % 60));
    for (let n = 250; n < 1500; n += 250) expect(await store.get(`chat-${n}`)).toEqual(record(n % 60));
  });

  it('ignores a broken file as before (said once per read), and a turn writes a good one over it', async () => {
    const folder = path.join(dir, 'conversations');
    const problems: string[] = [];
    const store = await LowdbConversationStateStore.open(folder, noAudit, (_key, problem) => problems.push(problem));
    await store.put('chat-1', record(1));
    await store.flush();
    const [name] = await readdir(folder);
    const restarted = await LowdbConversationStateStore.open(folder, noAudit, (_key, problem) => problems.push(problem));
    await writeFile(path.join(folder, name!), '{"half":');
    expect(await restarted.get('chat-1')).toBeUndefined();
    expect(problems).toEqual(['onleesbaar bestand']);
    await restarted.put('chat-1', record(3));
    await restarted.flush();
    expect(await onDisk(folder)).toEqual([record(3)]);
  });

  it('is written before the stores close (a bot stopped with SIGTERM loses nothing)', async () => {
    const stores = await openStores({ dataDir: dir });
    await stores.conversations.put('chat-1', record(7));
    await stores.close();
    expect(await onDisk(path.join(dir, 'conversations'))).toEqual([record(7)]);
  });
});
