import { execFile, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allText, BotClient } from '../support/bot-client.js';
import { freePort } from '../support/bot-process.js';
import { ROOT } from '../support/cli.js';
import { FakeConnector } from '../support/fake-connector.js';

/**
 * The Dockerfile's steps, without Docker (CI has no engine): in a clean copy of what the Dockerfile copies, each RUN
 * of its build stage (npm ci, build, prune to production dependencies), then its CMD with plain node: /healthz, one
 * turn, and SIGTERM ends it with exit 0 within 10 seconds.
 */

const run = promisify(execFile);
let dir: string;
let buildSteps: string[];
let cmd: string[];

beforeAll(async () => {
  const dockerfile = await readFile(path.join(ROOT, 'Dockerfile'), 'utf8');
  const [buildStage, runStage] = dockerfile.split(/^FROM /m).slice(1) as [string, string];
  const sources = [...buildStage.matchAll(/^COPY (?!--)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
  buildSteps = [...buildStage.matchAll(/^RUN (.+)$/gm)].flatMap((m) => m[1]!.split(' && '));
  cmd = JSON.parse(/^CMD (\[.+\])$/m.exec(runStage)![1]!) as string[];
  dir = await mkdtemp(path.join(tmpdir(), 'aanmeld-production-'));
  for (const source of sources) await cp(path.join(ROOT, source), path.join(dir, source), { recursive: true });
  for (const step of buildSteps) {
    const [command, ...args] = step.trim().split(/\s+/) as [string, ...string[]];
    await run(command, args, { cwd: dir, env: { ...process.env, CI: 'true' }, maxBuffer: 16 * 1024 * 1024 });
  }
}, 300_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

describe("the Dockerfile's steps", () => {
  it('builds with npm ci, npm run build and npm prune --omit=dev, and keeps no development tool', async () => {
    expect(buildSteps).toEqual(['npm ci --no-audit --no-fund', 'npm run build', 'npm prune --omit=dev']);
    await expect(stat(path.join(dir, 'dist/bot/main.js'))).resolves.toBeTruthy();
    await expect(stat(path.join(dir, 'dist/data/postgres/migrations'))).resolves.toBeTruthy();
    await expect(stat(path.join(dir, 'node_modules/typescript'))).rejects.toThrow();
    await expect(stat(path.join(dir, 'node_modules/vitest'))).rejects.toThrow();
    await expect(stat(path.join(dir, 'node_modules/tsx'))).rejects.toThrow();
  });

  it('runs the operators\' commands compiled, without tsx', async () => {
    const env = { PATH: process.env.PATH, DATA_DIR: path.join(dir, 'data-cli') };
    const monitor = await run(process.execPath, ['dist/bot/cli/monitor.js', '--from', '2026-01-01', '--to', '2026-12-31'], { cwd: dir, env });
    expect(JSON.parse(monitor.stdout)).toMatchObject({ instroom: { total: 0 } });
    const purge = await run(process.execPath, ['dist/bot/cli/purge.js', '--dry-run'], { cwd: dir, env });
    expect(purge.stdout).toContain('er is niets veranderd');
    await expect(run(process.execPath, ['dist/bot/cli/db-migrate.js'], { cwd: dir, env })).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('DATABASE_URL ontbreekt') });
  });

  it('starts with plain node, answers /healthz and a turn, and stops on SIGTERM with exit 0 within 10 s', async () => {
    const connector = new FakeConnector();
    const serviceUrl = await connector.start();
    const port = await freePort();
    expect(cmd).toEqual(['node', 'dist/bot/main.js']);
    const child = spawn(process.execPath, cmd.slice(1), {
      cwd: dir,
      // Local mode (no app id), so not NODE_ENV=production as in the image: that combination refuses to start (below).
      env: { PATH: process.env.PATH, PORT: String(port), DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 20_000;
      while (!(await fetch(`${url}/healthz`).then((r) => r.ok, () => false))) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`did not start: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const c = new BotClient(url, serviceUrl, () => connector.activities('personal-production'), 'personal-production');
      expect(allText(await c.say('aanmelden'))).toContain('Je rol');
      const stopping = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Date.now() - stopping).toBeLessThan(10_000);
      expect(stderr).toBe('');
      // The image sets NODE_ENV=production: without an app id it stops at once, in one line.
      await expect(run(process.execPath, cmd.slice(1), { cwd: dir, env: { PATH: process.env.PATH, NODE_ENV: 'production', DATA_DIR: path.join(dir, 'data') } })).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/^MicrosoftAppId ontbreekt, maar NODE_ENV=production wijst op een echte omgeving: [^\n]+\n$/),
      });
    } finally {
      child.kill('SIGKILL');
      await connector.stop();
    }
  }, 60_000);
});
