import * as fs from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readCopies, writeCopySync } from '../../data/two-copies.js';

// writevSync may write less than it was given (a full disk, a file size limit) without throwing.
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return { ...actual, writevSync: vi.fn(actual.writevSync) };
});

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'two-copies-'));
});
afterEach(async () => {
  vi.mocked(fs.writevSync).mockClear();
  await rm(dir, { recursive: true, force: true });
});

describe('two copies of a small file', () => {
  it('never takes a copy the disk took only part of for the newest: the write fails, and the one before is read', async () => {
    const base = path.join(dir, 'conversation');
    let state = writeCopySync(base, (await readCopies(base)).state, JSON.stringify({ step: 1 }), false);
    state = writeCopySync(base, state, JSON.stringify({ step: 2 }), false);
    const actual = (await vi.importActual<typeof import('node:fs')>('node:fs')).writevSync;
    vi.mocked(fs.writevSync).mockImplementationOnce((fd, buffers, position) => actual(fd, [Buffer.concat(buffers as Buffer[]).subarray(0, 20)], position));
    expect(() => writeCopySync(base, state, JSON.stringify({ step: 3, family: 'x'.repeat(200) }), false)).toThrow(/20 of \d+ bytes written/);
    expect((await readCopies(base)).text).toBe(JSON.stringify({ step: 2 }));
    // Tried again (the store keeps the change pending), it lands.
    writeCopySync(base, state, JSON.stringify({ step: 3 }), false);
    expect((await readCopies(base)).text).toBe(JSON.stringify({ step: 3 }));
  });

  it('keeps the earlier copy beside the newest, and removes it when the newest is to stand alone', async () => {
    const base = path.join(dir, 'conversation');
    let state = writeCopySync(base, (await readCopies(base)).state, JSON.stringify({ step: 1 }), false);
    state = writeCopySync(base, state, JSON.stringify({ step: 2 }), false);
    expect((await readdir(dir)).sort()).toEqual(['conversation.1.json', 'conversation.json']);
    expect(await readCopies(base)).toMatchObject({ text: JSON.stringify({ step: 2 }), other: true, broken: false });
    state = writeCopySync(base, state, JSON.stringify({ done: true }), true);
    expect(await readdir(dir)).toEqual(['conversation.json']);
    expect(await readCopies(base)).toMatchObject({ text: JSON.stringify({ done: true }), other: false, state });
  });
});
