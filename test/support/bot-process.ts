import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_AUDIT_KEY } from './audit-key.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface BotProcess {
  url: string;
  port: number;
  /** The bot's process id (a benchmark reads its CPU time from /proc). */
  pid: number;
  /** Every log line the bot printed (JSON lines on stdout). */
  logs: string[];
  stderr: string[];
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the real bot (bot/main.ts through tsx) on a free port and waits until it listens. A compiled script
 * (`dist/bot/main.js`, after npm run build) runs as production runs it: plain node, nothing preloaded.
 */
export async function startBot(env: Record<string, string | undefined>, script = 'bot/main.ts'): Promise<BotProcess> {
  const port = await freePort();
  const reportOutbound = path.join(ROOT, 'test/support/report-outbound.mjs');
  // Teams mode needs the access log's key; a test that wants to see the refusal passes AUDIT_KEY: undefined.
  const teamsMode = Boolean(env.MicrosoftAppId ?? process.env.MicrosoftAppId) && !('AUDIT_KEY' in env);
  const preload = script.endsWith('.ts') ? ['--import', reportOutbound, '--import', 'tsx'] : [];
  const child: ChildProcess = spawn(process.execPath, [...preload, script], {
    cwd: ROOT,
    // Production as in the image, except in local mode, which a production bot refuses (bot/settings.ts).
    env: { ...process.env, NODE_ENV: env.MicrosoftAppId ? 'production' : 'development', PORT: String(port), LOG_LEVEL: 'info', ...(teamsMode ? { AUDIT_KEY: TEST_AUDIT_KEY } : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const stderr: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // 'close' comes after the last of stderr was read: a refusal message is whole only then.
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    logs.push(...lines);
  });
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  // Listening means /healthz answers; polling works whatever LOG_LEVEL says.
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      await closed;
      throw new Error(`bot exited with ${child.exitCode} before listening:\n${stderr.join('')}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`bot did not start within 20 s:\n${stderr.join('')}${logs.join('\n')}`);
    }
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    logs,
    stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}
