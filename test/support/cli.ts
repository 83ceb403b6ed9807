import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one of the npm CLIs (bot/cli/*.ts) as a user would: a child process with tsx, in the project folder. The
 * environment is this process's without the store and team settings, plus `env`: DATABASE_URL is empty unless given
 * (a .env file must not point a test at a real database).
 */
export function runCli(script: string, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const { TEAM_CONFIG: _team, DATABASE_URL: _db, DATA_DIR: _dir, GEMEENTE: _g, GEMEENTE_CONFIG: _gc, ...base } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...base, DATABASE_URL: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
