import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { isRunning } from '../../data/data-dir-lock.js';
import { ADMIN_URL } from './postgres.js';

/**
 * Once per test run: is PostgreSQL there? Unreachable under CI=true fails the run at once with one line; elsewhere
 * the PostgreSQL tests are skipped and this one line says why. Also drops the databases that runs killed before
 * they could clean up left behind (aanmeldtest_<label>_<pid>_<random>, whose process no longer runs).
 */
export default async function setup(project: TestProject): Promise<void> {
  const where = ADMIN_URL.replace(/\/\/[^@]*@/, '//');
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  let problem: string | undefined;
  try {
    await client.connect();
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'aanmeldtest\\_%'");
    for (const { datname } of rows) {
      const pid = Number(/_(\d+)_[0-9a-f]{8}$/.exec(datname)?.[1]);
      if (pid && !isRunning(pid)) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => {});
    }
  } catch (error) {
    problem = (error as Error).message || (error as { code?: string }).code || 'geen verbinding';
  } finally {
    await client.end().catch(() => {});
  }
  if (problem) {
    const line = `PostgreSQL op ${where} niet bereikbaar (${problem})`;
    if (process.env.CI === 'true') throw new Error(`${line}: onder CI=true moeten de PostgreSQL-tests draaien.`);
    console.warn(`${line}: de PostgreSQL-tests worden overgeslagen (lowdb wordt wel getest).`);
  }
  project.provide('postgresProblem', problem ?? '');
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresProblem: string;
  }
}
