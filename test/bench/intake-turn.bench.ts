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
  // Many referrers at once, each answering one question after another: turn n of every conversation, then n+1.
  const clients = Array.from({ length: INTAKES }, (_, i) => {
    const conversationId = `${label}-${i}`;
    return new BotClient(botUrl, serviceUrl, () => connector.activities(conversationId), conversationId);
  });
  const script: ((c: BotClient) => Promise<unknown>)[] = [
    (c) => c.say('aanmelden'),
    (c) => c.click('Huisarts'),
    (c) => c.click('Nee'),
    (c) => c.say('3, 7 en 12'),
    (c) => c.click('Ja, er is toestemming'),
    (c) => c.click('Ja'),
    (c) => c.click('Ouders met kinderen'),
    (c) => c.click('Verder', { value: 'Oostrum' }),
    (c) => c.click('Verder', { value: 'pedagogisch,psychisch' }),
    (c) => c.click('Verder', { value: 'psychiatrie' }),
    (c) => c.click('Nee'),
    (c) => c.say('Moeder is overbelast.'),
    (c) => c.click('Verder', { name: 'Test Ouder', phone: '06 12345678' }),
  ];
  const wall = performance.now();
  for (const step of script) for (const c of clients) await timed(() => step(c));
  for (const [i, c] of clients.entries()) {
    const done = await timed(() => c.click('Versturen'), submits);
    if (!JSON.stringify(done).includes('Verstuurd')) throw new Error(`intake ${label}-${i} was not submitted`);
  }
  const seconds = (performance.now() - wall) / 1000;
  const memory = (await fetch(`${botUrl}/healthz`).then((r) => r.json())) as { rssMiB: number };
  const turns = timings.length + submits.length;
  return [
    `${label}: ${turns} turns in ${INTAKES} aanmeldingen, ${seconds.toFixed(1)} s, ${(turns / seconds).toFixed(0)} turns/s (40 referrers interleaved, one request at a time); bot RSS ${memory.rssMiB} MiB`,
    `  question turns (${timings.length}): ${summary(timings)}`,
    `  submit turns (${submits.length}, store written with fsync): ${summary(submits)}`,
  ];
}

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms`;
}

const CHANNEL = '19:bench@thread.tacv2';
const COORDINATOR = { id: 'user-id-1', aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' };
const COACH = { id: 'user-id-2', aadObjectId: '00000000-0000-0000-0000-0000000000022', name: 'Adele Vance' };

/**
 * Links a channel (the aanmeldingen of the last phase get posted), then presses "Ik pak deze op" on each card:
 * times the invoke answer (Teams allows 5 s) and how long until the card update (PUT) reaches the connector.
 */
async function runCardActions(botUrl: string, serviceUrl: string, connector: FakeConnector) {
  const inChannel = (from: typeof COORDINATOR, extra: Record<string, unknown>) => ({
    channelId: 'msteams',
    serviceUrl,
    from,
    recipient: { id: 'bot' },
    conversation: { id: `${CHANNEL};messageid=1`, conversationType: 'channel', isGroup: true },
    channelData: { team: { id: 'team' }, channel: { id: CHANNEL } },
    ...extra,
  });
  const postJson = (body: unknown) => fetch(`${botUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const linkStarted = performance.now();
  await postJson(inChannel(COORDINATOR, { type: 'message', id: 'link', text: 'koppel dit kanaal voor gezinscoach' }));
  const posts = await connector.waitFor(() => {
    const created = connector.created().filter((c) => c.body.isGroup);
    return created.length >= INTAKES && created;
  }, `${INTAKES} cards in the channel`, 120_000);
  const linkSeconds = (performance.now() - linkStarted) / 1000;
  const invokes: number[] = [];
  const updates: number[] = [];
  for (const posted of posts) {
    const card = posted.body.activity.attachments[0].content;
    const claim = JSON.stringify(card).match(/"verb":"claim","data":(\{[^}]*\})/);
    if (!claim) throw new Error('no claim button on a posted card');
    const before = connector.updates().length;
    const started = performance.now();
    const response = await postJson(inChannel(COACH, { type: 'invoke', name: 'adaptiveCard/action', id: `inv-${posted.activityId}`, conversation: { id: posted.conversationId, conversationType: 'channel' }, value: { action: { type: 'Action.Execute', verb: 'claim', data: JSON.parse(claim[1]!) } } }));
    invokes.push(performance.now() - started);
    const body = (await response.json()) as { value?: unknown };
    if (!JSON.stringify(body.value).includes('Toegewezen aan Adele Vance')) throw new Error('claim did not succeed');
    await connector.waitFor(() => connector.updates().length > before, 'the card update', 20_000);
    updates.push(performance.now() - started);
  }
  return [
    `card actions with ${STORED} stored: linking posted ${posts.length} waiting cards in ${linkSeconds.toFixed(1)} s`,
    `  "Ik pak deze op" invoke answered (limit 5000 ms): ${summary(invokes)}`,
    `  card updated for everyone (PUT) after the click: ${summary(updates)}`,
  ];
}

/** Copies the stored aanmeldingen until the store holds `total`, with fresh references and intake ids. */
async function fillStore(dataDir: string, total: number): Promise<number> {
  const file = path.join(dataDir, 'referrals.json');
  const data = JSON.parse(await readFile(file, 'utf8')) as { sequences: Record<string, number>; referrals: Record<string, unknown>[] };
  // Everything stored before counts as closed: linking a channel then posts only the next phase's aanmeldingen.
  data.referrals = data.referrals.map((r) => ({ ...r, status: 'afgesloten' }));
  const templates = data.referrals;
  const year = Object.keys(data.sequences)[0]!;
  for (let n = templates.length + 1; n <= total; n++) {
    const template = templates[n % templates.length]!;
    // Closed cases: they count for the store's size but are not posted when a channel is linked.
    data.referrals.push({ ...template, reference: `AM-${year}-${String(n).padStart(4, '0')}`, intakeId: `filler-${n}`, status: 'afgesloten' });
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
  let bot: Awaited<ReturnType<typeof startBot>> | undefined;
  try {
    bot = await startBot({ DATA_DIR: dataDir, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' });
    lines.push(...(await runIntakes(bot.url, serviceUrl, connector, 'empty store')));
    await bot.stop();
    const bytes = await fillStore(dataDir, STORED);
    const started = performance.now();
    bot = await startBot({ DATA_DIR: dataDir, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' });
    lines.push(`store filled to ${STORED} aanmeldingen (referrals.json ${(bytes / 1024 / 1024).toFixed(1)} MiB); bot ready in ${(performance.now() - started).toFixed(0)} ms`);
    lines.push(...(await runIntakes(bot.url, serviceUrl, connector, `${STORED} stored`)));
    lines.push(...(await runCardActions(bot.url, serviceUrl, connector)));
    await bot.stop();
    process.stdout.write(`intake turns over HTTP on this machine\n${lines.join('\n')}\n`);
  } catch (error) {
    // What the bot itself said last (warnings and errors) usually tells why.
    process.stderr.write(`${(bot?.logs ?? []).filter((l) => l.trim()).slice(-15).join('\n')}\n`);
    throw error;
  } finally {
    await bot?.stop();
    await connector.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
