/**
 * npm run bench: how long one intake turn takes over HTTP on this machine.
 *
 * Starts the real bot (as npm start does) with a fake Bot Framework connector, completes BENCH_INTAKES whole
 * aanmeldingen one after another (each about 15 turns: clicks, typed answers and a card with inputs), and times
 * every turn from the request until the bot's HTTP answer (its replies are posted to the connector before that).
 * Then fills the store to BENCH_STORED aanmeldingen (copies of the ones just made), restarts the bot and runs the
 * same intakes again: turns must not slow down with the number of stored aanmeldingen (conversation state has its
 * own small file per conversation). Prints median, p95 and max per turn for both, and the bot's memory.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BotClient } from '../support/bot-client.js';
import { startBot } from '../support/bot-process.js';
import { FakeConnector } from '../support/fake-connector.js';

const INTAKES = Number(process.env.BENCH_INTAKES ?? 40);
const STORED = Number(process.env.BENCH_STORED ?? 10_000);

async function runIntakes(botUrl: string, serviceUrl: string, connector: FakeConnector, label: string) {
  const timings: number[] = [];
  const submits: number[] = [];
  const timed = async <T>(turn: () => Promise<T>, into = timings) => {
    const started = performance.now();
    const result = await turn();
    into.push(performance.now() - started);
    return result;
  };
  const wall = performance.now();
  for (let i = 0; i < INTAKES; i++) {
    const conversationId = `${label}-${i}`;
    const c = new BotClient(botUrl, serviceUrl, () => connector.activities(conversationId), conversationId);
    await timed(() => c.say('aanmelden'));
    await timed(() => c.click('Huisarts'));
    await timed(() => c.click('Nee'));
    await timed(() => c.say('3, 7 en 12'));
    await timed(() => c.click('Ja, er is toestemming'));
    await timed(() => c.click('Ja'));
    await timed(() => c.click('Ouders met kinderen'));
    await timed(() => c.click('Verder', { value: 'Oostrum' }));
    await timed(() => c.click('Verder', { value: 'pedagogisch,psychisch' }));
    await timed(() => c.click('Verder', { value: 'psychiatrie' }));
    await timed(() => c.click('Nee'));
    await timed(() => c.say('Moeder is overbelast.'));
    await timed(() => c.click('Verder', { name: 'Test Ouder', phone: '06 12345678' }));
    const done = await timed(() => c.click('Versturen'), submits);
    if (!JSON.stringify(done).includes('Verstuurd')) throw new Error(`intake ${label}-${i} was not submitted`);
  }
  const seconds = (performance.now() - wall) / 1000;
  const memory = (await fetch(`${botUrl}/healthz`).then((r) => r.json())) as { rssMiB: number };
  const turns = timings.length + submits.length;
  return [
    `${label}: ${turns} turns in ${INTAKES} aanmeldingen, ${seconds.toFixed(1)} s, ${(turns / seconds).toFixed(0)} turns/s (one client, sequential); bot RSS ${memory.rssMiB} MiB`,
    `  question turns (${timings.length}): ${summary(timings)}`,
    `  submit turns (${submits.length}, store written with fsync): ${summary(submits)}`,
  ];
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`;
}

/** Copies the stored aanmeldingen until the store holds `total`, with fresh references and intake ids. */
async function fillStore(dataDir: string, total: number): Promise<number> {
  const file = path.join(dataDir, 'referrals.json');
  const data = JSON.parse(await readFile(file, 'utf8')) as { sequences: Record<string, number>; referrals: Record<string, unknown>[] };
  const templates = data.referrals;
  const year = Object.keys(data.sequences)[0]!;
  for (let n = templates.length + 1; n <= total; n++) {
    const template = templates[n % templates.length]!;
    data.referrals.push({ ...template, reference: `AM-${year}-${String(n).padStart(4, '0')}`, intakeId: `filler-${n}` });
  }
  data.sequences[year] = total;
  const json = JSON.stringify(data);
  await writeFile(file, json);
  return json.length;
}

async function main() {
  const connector = new FakeConnector();
  const serviceUrl = await connector.start();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'aanmeld-bench-'));
  const lines: string[] = [];
  try {
    let bot = await startBot({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    lines.push(...(await runIntakes(bot.url, serviceUrl, connector, 'empty store')));
    await bot.stop();
    const bytes = await fillStore(dataDir, STORED);
    const started = performance.now();
    bot = await startBot({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    lines.push(`store filled to ${STORED} aanmeldingen (referrals.json ${(bytes / 1024 / 1024).toFixed(1)} MiB); bot ready in ${(performance.now() - started).toFixed(0)} ms`);
    lines.push(...(await runIntakes(bot.url, serviceUrl, connector, `${STORED} stored`)));
    await bot.stop();
    process.stdout.write(`intake turns over HTTP on this machine\n${lines.join('\n')}\n`);
  } finally {
    await connector.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
