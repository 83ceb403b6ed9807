import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditKeyOf } from '../../data/audit-key.js';
import { openStores, type Stores } from '../../data/stores.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, postgresForTests, type TestDatabase } from '../support/postgres.js';

// npm run --silent audit -- verify, run as an operator would: a child process on the configured store.

const T0 = new Date('2026-03-02T10:00:00.000Z');
const verify = (env: Record<string, string>, args = ['verify']) => runCli('bot/cli/audit.ts', args, env);

async function threeEntries(stores: Stores) {
  for (let i = 0; i < 3; i++) {
    await stores.audit.append({ event: 'dossier.verstuurd', reference: 'AM-2026-0001', actor: { id: 'aad-megan', name: 'Megan Bowen' } }, new Date(T0.getTime() + i * 1000));
  }
}

describe('npm run audit -- verify on lowdb', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'audit-cli-'));
    const stores = await openStores({ dataDir: dir });
    await threeEntries(stores);
    await stores.close(); // a checkpoint at 3
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('exits 0 with one Dutch line when the log is in order (the local key of DATA_DIR)', async () => {
    const { code, stdout, stderr } = await verify({ DATA_DIR: dir });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(new RegExp(`^Toegangslog in orde \\(lowdb in ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\): 3 regels, keten intact, 1 controlepunt klopt \\(laatste bij regel 3\\); regels per sleutel: k[0-9a-f]{12}: 3\\.\\n$`));
  });

  it('exits 1 naming the first bad entry when an entry was changed, or the tail cut below a checkpoint', async () => {
    const file = path.join(dir, 'audit.jsonl');
    const original = await readFile(file, 'utf8');
    const lines = original.trim().split('\n');
    try {
      await writeFile(file, `${[lines[0], lines[1]!.replace('Megan Bowen', 'Iemand Anders'), lines[2]].join('\n')}\n`);
      const changed = await verify({ DATA_DIR: dir });
      expect(changed.code).toBe(1);
      expect(changed.stdout).toBe(`Toegangslog NIET in orde (lowdb in ${dir}): regel 2: regel gewijzigd.\n`);

      await writeFile(file, `${lines[0]}\n`);
      const cut = await verify({ DATA_DIR: dir });
      expect(cut.code).toBe(1);
      expect(cut.stdout).toMatch(/regel 2: regels 2 tot en met 3 ontbreken \(controlepunt van .*: log afgekapt of geleegd\)\.\n$/);
    } finally {
      await writeFile(file, original);
    }
  });

  it('names the key it lacks after a rotation, and verifies with the old key in AUDIT_KEYS_OLD', async () => {
    // The log moved to a folder without its local key, and a new AUDIT_KEY: the old key is needed.
    const moved = path.join(dir, 'verhuisd');
    await mkdir(moved);
    for (const file of ['audit.jsonl', 'audit-checkpoints.jsonl']) await copyFile(path.join(dir, file), path.join(moved, file));
    const oldKey = (await readFile(path.join(dir, 'audit.key'), 'utf8')).trim();
    const lacking = await verify({ DATA_DIR: moved, AUDIT_KEY: TEST_AUDIT_KEY });
    expect(lacking.code).toBe(1);
    expect(lacking.stdout).toContain(`regel 1: sleutel ${auditKeyOf(oldKey).id} is niet bekend (zet hem in AUDIT_KEYS_OLD).`);
    const rotated = await verify({ DATA_DIR: moved, AUDIT_KEY: TEST_AUDIT_KEY, AUDIT_KEYS_OLD: oldKey });
    expect(rotated).toMatchObject({ code: 0, stdout: expect.stringContaining('3 regels, keten intact') });
  });

  it('exits 2 with the usage for anything but verify', async () => {
    const { code, stdout, stderr } = await verify({ DATA_DIR: dir }, ['controleer']);
    expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: '', stderr: 'gebruik: npm run --silent audit -- verify\n' });
  });
});

const postgres = await postgresForTests();
if (postgres.failure) it('PostgreSQL is bereikbaar', () => expect.fail(postgres.failure));

describe.runIf(postgres.run)('npm run audit -- verify on PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('auditcli');
    const stores = await openStores({ dataDir: undefined, databaseUrl: db.url, auditKey: TEST_AUDIT_KEY });
    await threeEntries(stores);
    await stores.close();
  });
  afterAll(() => db?.drop());

  it('checks the database of DATABASE_URL with AUDIT_KEY, and names an emptied log', async () => {
    const env = { DATABASE_URL: db.url, AUDIT_KEY: TEST_AUDIT_KEY, DATA_DIR: path.join(tmpdir(), 'audit-cli-geen-map') };
    const ok = await verify(env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('Toegangslog in orde (PostgreSQL postgres://');
    expect(ok.stdout).toContain('3 regels, keten intact, 1 controlepunt klopt (laatste bij regel 3)');

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query('DELETE FROM audit_log');
    await client.end();
    const emptied = await verify(env);
    expect(emptied.code).toBe(1);
    expect(emptied.stdout).toMatch(/regel 1: regels 1 tot en met 3 ontbreken \(controlepunt van .*: log afgekapt of geleegd\)\.\n$/);
  });
});
