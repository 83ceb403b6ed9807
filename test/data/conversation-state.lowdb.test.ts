import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LowdbConversationStateStore, type ConversationRecord } from '../../data/conversation-state.store.js';
import { openStores } from '../../data/stores.js';
import type { AuditLog } from '../../data/audit-log.js';
import { readCopies, writeCopySync } from '../../data/two-copies.js';

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

/** The newest whole copy of each conversation on disk (data/two-copies.ts). */
async function onDisk(folder: string): Promise<ConversationRecord[]> {
  const bases = [...new Set((await readdir(folder)).filter((name) => name.endsWith('.json')).map((name) => name.replace(/(\.1)?\.json$/, '')))];
  return Promise.all(bases.map(async (base) => JSON.parse((await readCopies(path.join(folder, base))).text!) as ConversationRecord));
}

/** An intake at its summary, with a family's name in its answers. */
const answered = (n: number) => record(n, { flow: { id: 'intake', version: 2, snapshot: { value: 'summary', context: { family: 'Familie Jansen-Testgezin' } } } });

/** Two turns of an intake at its summary, each written: both copies of the conversation hold the family's name. */
async function answeredTwice(store: LowdbConversationStateStore, key: string): Promise<void> {
  for (const n of [1, 2]) {
    await store.put(key, answered(n));
    await store.flush();
  }
}

/** Everything in the folder's files, as text. */
async function rawFiles(folder: string): Promise<string> {
  const names = await readdir(folder);
  return (await Promise.all(names.map((name) => readFile(path.join(folder, name), 'utf8')))).join('\n');
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

  it('keeps the state before the last write whole: a write cut off by a crash leaves the one before it', async () => {
    const folder = path.join(dir, 'conversations');
    const store = await LowdbConversationStateStore.open(folder, noAudit);
    await store.put('chat-1', record(1));
    await store.flush();
    await store.put('chat-1', record(2));
    await store.flush();
    const names = (await readdir(folder)).sort();
    expect(names).toHaveLength(2);
    expect(await (await LowdbConversationStateStore.open(folder, noAudit)).get('chat-1')).toEqual(record(2));
    // The newer copy (the one written last) loses its second half, as a write cut off by a power failure would.
    const newer = names.find((name) => name.endsWith('.1.json'))!;
    const size = (await readFile(path.join(folder, newer))).length;
    await truncate(path.join(folder, newer), Math.floor(size / 2));
    const problems: string[] = [];
    const restarted = await LowdbConversationStateStore.open(folder, noAudit, (_key, problem) => problems.push(problem));
    expect(await restarted.get('chat-1')).toEqual(record(1));
    expect(problems).toEqual([]);
    // The next turn writes over the broken copy, and that is what is read after.
    await restarted.put('chat-1', record(3));
    await restarted.flush();
    expect(await (await LowdbConversationStateStore.open(folder, noAudit)).get('chat-1')).toEqual(record(3));
  });

  it('keeps no earlier copy once no intake runs: the answers of a sent or stopped intake leave the disk', async () => {
    const folder = path.join(dir, 'conversations');
    const store = await LowdbConversationStateStore.open(folder, noAudit);
    await answeredTwice(store, 'chat-1');
    expect(await rawFiles(folder)).toContain('Familie Jansen-Testgezin');
    const finished = record(3, { flow: undefined, last: { flowId: 'intake', instanceId: 'i-1', outcome: 'verstuurd', reference: 'AM-2026-0001' } });
    await store.put('chat-1', finished);
    await store.flush();
    expect(await readdir(folder)).toHaveLength(1);
    expect(await rawFiles(folder)).not.toContain('Familie Jansen-Testgezin');
    expect(await onDisk(folder)).toEqual([finished]);

    // Finished and a new intake begun within one wait (written as one change): the earlier copy still goes.
    await answeredTwice(store, 'chat-2');
    await store.put('chat-2', record(6, { flow: undefined }));
    await store.put('chat-2', record(7));
    await store.flush();
    expect(await rawFiles(folder)).not.toContain('Familie Jansen-Testgezin');
  });

  it('removes an earlier copy a stop left behind once no intake runs, when the conversation is next read', async () => {
    const folder = path.join(dir, 'conversations');
    const store = await LowdbConversationStateStore.open(folder, noAudit);
    await answeredTwice(store, 'chat-1');
    // The finished state written, and the process killed before the earlier copy was removed.
    const base = path.join(folder, createHash('sha256').update('chat-1').digest('hex').slice(0, 40));
    const finished = record(3, { flow: undefined });
    writeCopySync(base, (await readCopies(base)).state, JSON.stringify(finished), false);
    expect(await rawFiles(folder)).toContain('Familie Jansen-Testgezin');

    const restarted = await LowdbConversationStateStore.open(folder, noAudit);
    expect(await restarted.get('chat-1')).toEqual(finished);
    await restarted.flush();
    expect(await readdir(folder)).toHaveLength(1);
    expect(await rawFiles(folder)).not.toContain('Familie Jansen-Testgezin');
    expect(await onDisk(folder)).toEqual([finished]);
  });

  it('reads a conversation file of the earlier format (only JSON), and writes the next state beside it', async () => {
    const folder = path.join(dir, 'conversations');
    await import('node:fs/promises').then((fs) => fs.mkdir(folder, { recursive: true }));
    const base = createHash('sha256').update('chat-1').digest('hex').slice(0, 40);
    await writeFile(path.join(folder, `${base}.json`), JSON.stringify(record(1)));
    const store = await LowdbConversationStateStore.open(folder, noAudit);
    expect(await store.get('chat-1')).toEqual(record(1));
    await store.put('chat-1', record(2));
    await store.flush();
    expect((await readdir(folder)).sort()).toEqual([`${base}.1.json`, `${base}.json`]);
    expect(await (await LowdbConversationStateStore.open(folder, noAudit)).get('chat-1')).toEqual(record(2));
  });

  it('is written before the stores close (a bot stopped with SIGTERM loses nothing)', async () => {
    const stores = await openStores({ dataDir: dir });
    await stores.conversations.put('chat-1', record(7));
    await stores.close();
    expect(await onDisk(path.join(dir, 'conversations'))).toEqual([record(7)]);
  });
});
