/**
 * npm run bench:startup — how long the bot takes from `node` to a 200 on /healthz, and its memory then: compiled
 * (dist/, as production runs it) against TypeScript through tsx (development), each next to the floor of a bare
 * botbuilder echo bot started the same way in the same round. Rounds are interleaved, so a busy machine slows all
 * alike; the table gives medians and the ratio to the floor. Empty lowdb store, local mode.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../support/bot-process.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

interface Started {
  ms: number;
  rssMiB: number;
}

async function startOnce(args: string[]): Promise<Started> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'aanmeld-startup-'));
  const began = performance.now();
  const child = spawn(process.execPath, args, { env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'silent', MicrosoftAppId: '' }, stdio: 'ignore' });
  try {
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (res.status === 200) {
          const ms = performance.now() - began;
          const { rssMiB } = (await res.json()) as { rssMiB: number };
          return { ms, rssMiB };
        }
      } catch {
        // not listening yet
      }
      if (performance.now() - began > 30_000) throw new Error(`did not start: node ${args.join(' ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await rm(dataDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
const variants = {
  'echo bot (floor, tsx)': ['--import', 'tsx', 'test/bench/echo-bot.ts'],
  'bot, compiled (node dist/bot/main.js)': ['dist/bot/main.js'],
  'bot, tsx (node --import tsx bot/main.ts)': ['--import', 'tsx', 'bot/main.ts'],
};
const results = new Map<string, Started[]>(Object.keys(variants).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, args] of Object.entries(variants)) results.get(name)!.push(await startOnce(args));
}
const floor = median(results.get('echo bot (floor, tsx)')!.map((r) => r.ms));
console.log(`\nStart to /healthz 200, median of ${ROUNDS} interleaved rounds (Node ${process.version}):\n`);
console.log('| variant | start | ratio to floor | RSS |');
console.log('| --- | --- | --- | --- |');
for (const [name, runs] of results) {
  const ms = median(runs.map((r) => r.ms));
  const rss = runs.map((r) => r.rssMiB);
  console.log(`| ${name} | ${(ms / 1000).toFixed(2)} s | ${(ms / floor).toFixed(2)}× | ${median(rss)} MiB (${Math.min(...rss)}–${Math.max(...rss)}) |`);
}
