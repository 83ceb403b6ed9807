import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../data/postgres/db.js';

/**
 * PostgreSQL for tests: on the development and CI machines it listens on 127.0.0.1:5432 (trust authentication,
 * user postgres). Each test file makes its own database and drops it afterwards. With CI=true an unreachable
 * server is a failure; elsewhere the PostgreSQL tests are skipped with one line that says why.
 */
export const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let probed: Promise<string | undefined> | undefined;

/** undefined when PostgreSQL answers; otherwise why not. */
export function postgresProblem(): Promise<string | undefined> {
  probed ??= (async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return undefined;
    } catch (error) {
      return `${(error as Error).message || (error as { code?: string }).code || 'geen verbinding'}`;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return probed;
}

/**
 * Whether this file's PostgreSQL tests run. The run's global setup (test/support/postgres-setup.ts) has looked once:
 * it failed the run under CI=true, or printed one line and the tests here are skipped. Outside vitest (the
 * benchmark) it looks itself.
 */
export async function postgresForTests(): Promise<{ run: boolean; failure?: string }> {
  const injected = await injectedProblem();
  const problem = injected ?? (await postgresProblem());
  if (!problem) return { run: true };
  if (process.env.CI === 'true') return { run: false, failure: `PostgreSQL niet bereikbaar (${problem}); onder CI=true is dat een fout.` };
  return { run: false };
}

async function injectedProblem(): Promise<string | undefined> {
  try {
    const { inject } = await import('vitest');
    const value = inject('postgresProblem');
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export interface TestDatabase {
  url: string;
  name: string;
  /** Empties every table (between tests). */
  truncate(): Promise<void>;
  drop(): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new, migrated database of this test run. */
export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const name = `aanmeldtest_${label.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 20)}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return {
    url: url.toString(),
    name,
    async truncate() {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        await client.query('TRUNCATE referrals, reference_counters, audit_log, audit_checkpoints, channel_links, people, conversations, outbox, send_slots');
      } finally {
        await client.end();
      }
    },
    async drop() {
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
