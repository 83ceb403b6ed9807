import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { DurableJSONFile } from '../../data/durable-json-file.js';
import { JsonCollection } from '../../data/json-collection.js';

/** The small lowdb files (people, channels, outbox): every change durable before it is confirmed, written in groups. */

const Schema = z.object({ names: z.array(z.string()) });
const add = (name: string) => (data: z.infer<typeof Schema>) => ({ data: { names: [...data.names, name] }, result: name });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'json-collection-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const onDisk = async () => JSON.parse(await readFile(path.join(dir, 'names.json'), 'utf8')) as z.infer<typeof Schema>;

describe('JsonCollection', () => {
  it('confirms each of 50 changes at once only when it is on disk, in far fewer than 50 writes', async () => {
    const collection = await JsonCollection.open(dir, 'names.json', Schema, { names: [] });
    const writes = vi.spyOn(DurableJSONFile.prototype, 'writeText');
    const confirmed: string[] = [];
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const name = await collection.write(add(`persoon-${i}`));
        // Confirmed means written: the file holds it at that moment.
        expect((await onDisk()).names).toContain(name);
        confirmed.push(name);
      }),
    );
    expect(confirmed).toHaveLength(50);
    expect((await onDisk()).names).toEqual(Array.from({ length: 50 }, (_, i) => `persoon-${i}`));
    expect(writes.mock.calls.length).toBeLessThanOrEqual(3);
  });

  it('a change that changes nothing writes nothing', async () => {
    const collection = await JsonCollection.open(dir, 'names.json', Schema, { names: [] });
    await collection.write(add('een'));
    const writes = vi.spyOn(DurableJSONFile.prototype, 'writeText');
    expect(await collection.write((data) => ({ data, result: 'niets' }))).toBe('niets');
    expect(writes).not.toHaveBeenCalled();
  });

  it('when a write fails, rejects every change it held and undoes them; the next change is written as usual', async () => {
    const collection = await JsonCollection.open(dir, 'names.json', Schema, { names: [] });
    await collection.write(add('blijft'));
    vi.spyOn(DurableJSONFile.prototype, 'writeText').mockRejectedValueOnce(new Error('schijf vol'));
    const results = await Promise.allSettled([collection.write(add('weg-1')), collection.write(add('weg-2'))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(collection.read().names).toEqual(['blijft']);
    await collection.write(add('daarna'));
    expect(await onDisk()).toEqual({ names: ['blijft', 'daarna'] });
  });
});
