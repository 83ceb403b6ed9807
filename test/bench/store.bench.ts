/**
 * npm run bench: what a person waits for, at 0, 10,000 and 100,000 stored aanmeldingen, on each store, next to the
 * floor of a bare botbuilder echo bot measured in the same run.
 *
 * For each store (lowdb, PostgreSQL) and size: a fresh store is seeded with made-up aanmeldingen (bot/seed.ts: most
 * closed, about 150 open, as a team's work in hand), its open cases count as already posted and a channel is linked;
 * then the real bot is started as production starts it (`npm run build`, then `node dist/bot/main.js`), against a fake
 * Bot Framework connector, and measured once the bots and the database are idle (a bot's check of the access log after
 * its start and autovacuum after seeding are done). BENCH_REFERRERS referrers go through an aanmelding interleaved (question turns), send it
 * (submit turns; "card post" is from the submit until its card is in the channel), and once its card is in the channel
 * a gezinscoach presses "Ik pak deze op" (card action: the invoke's answer; "card update" is from the press until the
 * card in the channel is updated). Every measured request is paired with one echo-bot turn right before it, so a busy
 * machine slows both alike; ratios are per median. A question or submit turn, like the echo turn, counts until its
 * last reply reached the connector (what the person waits for); the time until the request was answered, which
 * includes writing the conversation state after the replies, is printed beside it. Then 50 new conversations at once each take BENCH_CONCURRENT_TURNS
 * question turns, right after 50 echo conversations did as many: throughput and p99 of both.
 *
 *   BENCH_STORES=lowdb,postgresql  BENCH_SIZES=0,10000,100000  BENCH_REFERRERS=30  npm run bench
 *
 * PostgreSQL: the server of TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres); a database is
 * made for each size and dropped afterwards. Unreachable: that store is left out with one line.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadGemeenteConfig } from '../../data/gemeente.config.js';
import { openStores, type Stores } from '../../data/stores.js';
import { loadTeamConfig } from '../../data/team.config.js';
import { seedAanmeldingen } from '../../bot/seed.js';
import { BotClient } from '../support/bot-client.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { FakeConnector } from '../support/fake-connector.js';
import { createTestDatabase, postgresProblem } from '../support/postgres.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';

type StoreKind = 'lowdb' | 'postgresql';
const STORES = (process.env.BENCH_STORES ?? 'lowdb,postgresql').split(',').map((s) => s.trim()) as StoreKind[];
const SIZES = (process.env.BENCH_SIZES ?? '0,10000,100000').split(',').map(Number);
const REFERRERS = Number(process.env.BENCH_REFERRERS ?? 30);
const CONCURRENT = 50;
/**
 * Four: the bot keeps to Teams' limits in one chat (7 sends a second, 8 in 2 seconds; bot/teams-sender.ts), and a
 * question turn sends two (the answered card's one-line record and the next question). A fifth turn within 2 seconds
 * would wait for room on purpose; no person answers that fast, and the burst measures the bot, not that wait.
 */
const CONCURRENT_TURNS = Number(process.env.BENCH_CONCURRENT_TURNS ?? 4);
/**
 * The least time between two turns of one referrer, and between two aanmeldingen sent into one channel: a person
 * reads and taps, and neither then runs into Teams' limits, which the bot keeps by waiting (see CONCURRENT_TURNS).
 */
const PERSON_PACE_MS = 700;
const CHANNEL_PACE_MS = 300;
/** The bot as production runs it (npm start: compiled, plain node). */
const BOT_SCRIPT = 'dist/bot/main.js';
const COACH = { id: 'user-id-2', aadObjectId: '00000000-0000-0000-0000-0000000000022', name: 'Adele Vance' };
const COORDINATOR = { aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' };

/** Many conversations at once: turns per second over the whole burst, and the slowest turns. */
interface Burst {
  turnsPerSecond: number;
  p99: number;
}

interface Row {
  store: StoreKind;
  size: number;
  referrers: number;
  startMs: number;
  rssMiB: number;
  /** Question turns until their last reply reached the connector: what the person waits for. */
  question: number[];
  /** The same turns until the bot answered the request (its state written after the replies included). */
  questionAnswered: number[];
  submitAnswered: number[];
  submit: number[];
  post: number[];
  claim: number[];
  update: number[];
  /** Echo turns until their reply arrived, and until the echo bot answered the request. */
  echo: number[];
  echoAnswered: number[];
  concurrent: { bot: Burst; echo: Burst };
}

const median = (values: number[]) => quantile(values, 0.5);
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}
const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

class Floor {
  /** Each echo turn until its reply reached the connector (what a person waits for). */
  readonly times: number[] = [];
  /** The same turns until the echo bot answered the request. */
  readonly answered: number[] = [];
  private n = 0;
  constructor(
    private readonly url: string,
    private readonly serviceUrl: string,
    private readonly connector: FakeConnector,
  ) {}

  /**
   * One echo turn, timed, then the measured request, timed into `into`. With `seenIn` (the measured conversation) the
   * request counts until its last reply reached the connector, as the echo turn does, and until it was answered into
   * `answeredInto`; without, until it was answered (a card action: its answer is what the person sees).
   */
  async pair<T>(measured: () => Promise<T>, into: number[], seenIn?: { conversationId: string; answeredInto: number[] }): Promise<T> {
    const conversationId = `echo-${this.n % 40}`;
    const started = performance.now();
    await this.turn(conversationId);
    this.answered.push(performance.now() - started);
    this.times.push(this.seenSince(conversationId, started));
    const begun = performance.now();
    const result = await measured();
    const done = performance.now() - begun;
    if (!seenIn) into.push(done);
    else {
      into.push(this.seenSince(seenIn.conversationId, begun));
      seenIn.answeredInto.push(done);
    }
    return result;
  }

  /** From `since` until the conversation's latest reply arrived (a turn without a reply fails the run). */
  private seenSince(conversationId: string, since: number): number {
    const at = this.connector.lastAt(conversationId);
    if (at === undefined || at < since) throw new Error(`no reply in ${conversationId} to time`);
    return at - since;
  }

  /** One echo turn in this conversation. */
  async turn(conversationId: string): Promise<void> {
    const response = await fetch(`${this.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: `echo-${++this.n}`,
        channelId: 'msteams',
        serviceUrl: this.serviceUrl,
        from: { id: 'user-echo', name: 'Echo' },
        recipient: { id: 'bot' },
        conversation: { id: conversationId, conversationType: 'personal' },
        text: 'hallo',
      }),
    });
    await response.arrayBuffer();
    // A floor that answered without a turn (400, 401) would make every ratio a lie.
    if (response.status !== 200) throw new Error(`the echo bot answered ${response.status}: it ran no turn`);
  }
}

/** CONCURRENT conversations at once, each taking `turns` turns one after another. */
async function burst(turn: (conversation: number, step: number) => Promise<unknown>, turns: number): Promise<Burst> {
  const times: number[] = [];
  const began = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENT }, async (_, c) => {
      for (let step = 0; step < turns; step++) {
        const started = performance.now();
        await turn(c, step);
        times.push(performance.now() - started);
      }
    }),
  );
  return { turnsPerSecond: (CONCURRENT * turns) / ((performance.now() - began) / 1000), p99: quantile(times, 0.99) };
}

/** A seeded store with its open cases already in the channel, and the channel linked. */
/** Each size has its own channel, so the cards of one are never taken for another's. */
const channelOf = (store: StoreKind, size: number) => `19:bench-${store}-${size}@thread.tacv2`;

async function prepare(stores: Stores, size: number, serviceUrl: string, channel: string): Promise<void> {
  const config = loadGemeenteConfig();
  const team = loadTeamConfig();
  // The team has seen its aanmeldingen: they are on its channel already, so the bot posts nothing old.
  const postedTo = [{ service: 'gezinscoach' as const, conversationId: channel, serviceUrl }];
  if (size > 0) await seedAanmeldingen(stores, size, { config, team, source: 'npm run bench', postedTo });
  await stores.channels.link({
    service: 'gezinscoach',
    teamId: 'team-bench',
    channelId: channel,
    reference: { serviceUrl, channelId: 'msteams', conversation: { id: channel } },
    linkedBy: COORDINATOR,
    linkedAt: new Date().toISOString(),
  });
}

/**
 * A database that has just taken 100,000 aanmeldingen and 500,000 audit entries in a few statements is not one a
 * gemeente runs: autovacuum would spend the first minutes of the measurement catching up, beside the bots. Vacuumed
 * and analysed once, as it would have been long before.
 */
async function settle(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('VACUUM (ANALYZE)');
  } finally {
    await client.end();
  }
}

const SCRIPT: ((c: BotClient) => Promise<unknown>)[] = [
  (c) => c.say('aanmelden'),
  (c) => c.click('Huisarts'),
  (c) => c.click('Nee'),
  (c) => c.say('3, 7 en 12'),
  (c) => c.click('Ja, er is toestemming'),
  (c) => c.click('Ouders met kinderen'),
  (c) => c.click('Verder', { wijk: 'Oostrum', hoofdvraag: 'pedagogisch,psychisch' }),
  (c) => c.click('Geen van deze'),
  (c) => c.say('Moeder is overbelast.'),
  (c) => c.click('Verder', { name: 'Testgezin Bench', phone: '06 00000000' }),
];

interface Running {
  store: StoreKind;
  size: number;
  channel: string;
  bot: BotProcess;
  clients: BotClient[];
  startMs: number;
  rssMiB: number;
  row: Pick<Row, 'question' | 'questionAnswered' | 'submit' | 'submitAnswered' | 'post' | 'claim' | 'update' | 'echo' | 'echoAnswered'>;
  references: string[];
  /** When each aanmelding's Versturen was sent (performance.now()), for the card post. */
  sentAt: number[];
}

/** Starts of each bot: the start-up printed is their median (one start swings by a second on a shared machine). */
const STARTS = 3;

/**
 * A seeded store of each size with its bot running; `stop` stops the bots and removes the stores. Every store is
 * seeded and on disk (`sync`: the writeback of a 600 MB seed would otherwise slow the start measured right after it)
 * before any bot starts; then each size is started STARTS times, the sizes in turn (0, 10,000, 100,000, 0, …), so that
 * a busier moment of the machine weighs on every size alike. The last start of each keeps running.
 */
async function startAll(store: StoreKind, serviceUrl: string, connector: FakeConnector) {
  const running: Running[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups) await cleanup();
  };
  try {
    const seededStores: { size: number; channel: string; env: Record<string, string> }[] = [];
    for (const size of SIZES) {
      const dir = await mkdtemp(path.join(tmpdir(), `aanmeld-bench-${store}-`));
      const db = store === 'postgresql' ? await createTestDatabase(`bench${size}`) : undefined;
      cleanups.push(async () => {
        await db?.drop();
        await rm(dir, { recursive: true, force: true });
      });
      const channel = channelOf(store, size);
      const seeded = performance.now();
      const stores = await openStores(db ? { auditKey: TEST_AUDIT_KEY, dataDir: undefined, databaseUrl: db.url } : { auditKey: TEST_AUDIT_KEY, dataDir: dir });
      await prepare(stores, size, serviceUrl, channel);
      await stores.close();
      if (db) await settle(db.url);
      process.stderr.write(`  ${store} ${size.toLocaleString('en')}: seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s\n`);
      seededStores.push({ size, channel, env: { ...(db ? { DATABASE_URL: db.url, DATA_DIR: path.join(dir, 'unused') } : { DATA_DIR: dir }), LOG_LEVEL: 'warn' } });
    }
    execFileSync('sync');
    const starts = new Map<number, number[]>();
    const last = new Map<number, { bot: BotProcess; rssMiB: number }>();
    for (let round = 1; round <= STARTS; round++) {
      for (const { size, env } of seededStores) {
        const started = performance.now();
        const bot = await startBot(env, BOT_SCRIPT);
        starts.set(size, [...(starts.get(size) ?? []), performance.now() - started]);
        const { rssMiB } = (await fetch(`${bot.url}/healthz`).then((res) => res.json())) as { rssMiB: number };
        if (round < STARTS) await bot.stop('SIGTERM');
        else {
          cleanups.unshift(async () => void (await bot.stop('SIGTERM')));
          last.set(size, { bot, rssMiB });
        }
      }
    }
    for (const { size, channel } of seededStores) {
      const { bot, rssMiB } = last.get(size)!;
      const startMs = median(starts.get(size)!);
      const clients = Array.from({ length: REFERRERS }, (_, i) => {
        const conversationId = `${store}-${size}-${i}`;
        const user = { id: `user-bench-${i}`, aadObjectId: `00000000-0000-0000-0000-3000000${String(i).padStart(5, '0')}`, name: `Testverwijzer Bench ${i}` };
        return new BotClient(bot.url, serviceUrl, () => connector.activities(conversationId), conversationId, user);
      });
      process.stderr.write(`  ${store} ${size.toLocaleString('en')}: bot ready in ${starts.get(size)!.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s (median ${(startMs / 1000).toFixed(1)} s)\n`);
      running.push({ store, size, channel, bot, clients, startMs, rssMiB, row: { question: [], questionAnswered: [], submit: [], submitAnswered: [], post: [], claim: [], update: [], echo: [], echoAnswered: [] }, references: [], sentAt: [] });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { running, stop };
}

/**
 * The same requests to the bots of every size in turn (size A, size B, size C, A, B, …), each paired with an echo
 * turn: a machine that gets busier or quieter during the run weighs on every size alike.
 */
async function measureInterleaved(running: Running[], floor: Floor, connector: FakeConnector, serviceUrl: string): Promise<void> {
  const paired = async <T>(r: Running, into: 'question' | 'submit' | 'claim', request: () => Promise<T>, seenIn?: string) => {
    const before = floor.times.length;
    const result = await floor.pair(request, r.row[into], seenIn === undefined ? undefined : { conversationId: seenIn, answeredInto: into === 'question' ? r.row.questionAnswered : r.row.submitAnswered });
    r.row.echo.push(...floor.times.slice(before));
    r.row.echoAnswered.push(...floor.answered.slice(before));
    return result;
  };
  const most = Math.max(...running.map((r) => r.clients.length));
  // Waits (untimed) until `ms` have passed since the last call with the same key.
  const last = new Map<string, number>();
  const pace = async (key: string, ms: number) => {
    const wait = (last.get(key) ?? -Infinity) + ms - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    last.set(key, performance.now());
  };
  for (const step of SCRIPT) {
    for (let i = 0; i < most; i++) {
      for (const r of running) {
        if (!r.clients[i]) continue;
        await pace(`${r.store}-${r.size}-${i}`, PERSON_PACE_MS);
        await paired(r, 'question', () => step(r.clients[i]!), r.clients[i]!.conversationId);
      }
    }
  }
  for (let i = 0; i < most; i++) {
    for (const r of running) {
      const c = r.clients[i];
      if (!c) continue;
      await pace(`${r.store}-${r.size}-${i}`, PERSON_PACE_MS);
      await pace(r.channel, CHANNEL_PACE_MS);
      const done = await paired(
        r,
        'submit',
        () => {
          r.sentAt.push(performance.now());
          return c.click('Versturen');
        },
        c.conversationId,
      );
      const reference = /AM-\d{4}-\d{4,}/.exec(JSON.stringify(done))?.[0];
      if (!reference) throw new Error(`${r.store} ${r.size}: an aanmelding was not sent`);
      r.references.push(reference);
    }
  }
  const postsOf = (r: Running) => {
    const inChannel = connector.created().filter((c) => c.body.isGroup && c.body.channelData?.channel?.id === r.channel);
    // AM-2026-1000 must not be found in AM-2026-10000.
    return r.references.map((reference) => inChannel.find((c) => new RegExp(`${reference}(?!\\d)`).test(JSON.stringify(c.body))));
  };
  // Every size's cards are in its channel before the claims begin: no size is still posting while another is timed.
  const posts = new Map<Running, NonNullable<ReturnType<typeof postsOf>[number]>[]>();
  for (const r of running) {
    posts.set(
      r,
      await connector.waitFor(() => {
        const found = postsOf(r);
        return found.every(Boolean) && (found as NonNullable<(typeof found)[number]>[]);
      }, `${r.store} ${r.size}: the cards in the channel`, 300_000),
    );
  }
  for (let i = 0; i < most; i++) {
    for (const r of running) {
      const posted = posts.get(r)![i];
      if (!posted) continue;
      r.row.post.push(posted.at! - r.sentAt[i]!);
      const pressed = performance.now();
      const claim = JSON.stringify(posted.body.activity.attachments[0].content).match(/"verb":"claim","data":(\{[^}]*\})/);
      if (!claim) throw new Error('no claim button on a posted card');
      const body = await paired(r, 'claim', async () => {
        const response = await fetch(`${r.bot.url}/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            type: 'invoke',
            name: 'adaptiveCard/action',
            id: `inv-${posted.activityId}`,
            channelId: 'msteams',
            serviceUrl,
            from: COACH,
            recipient: { id: 'bot' },
            conversation: { id: posted.conversationId, conversationType: 'channel' },
            channelData: { team: { id: 'team-bench' }, channel: { id: r.channel } },
            value: { action: { type: 'Action.Execute', verb: 'claim', data: JSON.parse(claim[1]!) } },
          }),
        });
        return (await response.json()) as { value?: unknown };
      });
      if (!JSON.stringify(body.value).includes('Toegewezen aan Adele Vance')) throw new Error(`${r.store} ${r.size}: the claim did not succeed`);
      // The card in the channel, updated by the outbox after the claim (the card update row).
      const updated = await connector.waitFor(
        () => connector.updates().find((u) => u.at! > pressed && u.path.includes(encodeURIComponent(posted.activityId!)) && JSON.stringify(u.body).includes('Adele Vance')),
        `${r.store} ${r.size}: the card update after the claim`,
        60_000,
      );
      r.row.update.push(updated.at! - pressed);
    }
  }
}

/** 50 echo conversations at once, then 50 new conversations of the bot at once, each with the first question turns. */
async function measureConcurrent(r: Running, floor: Floor, connector: FakeConnector, serviceUrl: string): Promise<Row['concurrent']> {
  const echo = await burst((c) => floor.turn(`burst-echo-${r.store}-${r.size}-${c}`), CONCURRENT_TURNS);
  const clients = Array.from({ length: CONCURRENT }, (_, i) => {
    const conversationId = `burst-${r.store}-${r.size}-${i}`;
    const user = { id: `user-burst-${i}`, aadObjectId: `00000000-0000-0000-0000-4000000${String(i).padStart(5, '0')}`, name: `Testverwijzer Burst ${i}` };
    return new BotClient(r.bot.url, serviceUrl, () => connector.activities(conversationId), conversationId, user);
  });
  const bot = await burst((c, step) => SCRIPT[step % SCRIPT.length]!(clients[c]!), CONCURRENT_TURNS);
  return { bot, echo };
}

async function main() {
  const connector = new FakeConnector();
  const serviceUrl = await connector.start();
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  const echo = await startBot({}, 'test/bench/echo-bot.ts');
  const floor = new Floor(echo.url, serviceUrl, connector);
  const problem = STORES.includes('postgresql') ? await postgresProblem() : undefined;
  const stores = STORES.filter((s) => s !== 'postgresql' || !problem);
  if (problem) process.stderr.write(`PostgreSQL niet bereikbaar (${problem}): alleen lowdb gemeten.\n`);
  const rows: Row[] = [];
  try {
    for (const store of stores) {
      const all = await startAll(store, serviceUrl, connector);
      try {
        const waited = await quiet(all.running.map((r) => r.bot));
        process.stderr.write(`  ${store}: bots and database idle after ${(waited / 1000).toFixed(1)} s\n`);
        await measureInterleaved(all.running, floor, connector, serviceUrl).catch((error: unknown) => {
          throw withBotLog(error, ...all.running);
        });
        for (const r of all.running) {
          const concurrent = await measureConcurrent(r, floor, connector, serviceUrl).catch((error: unknown) => {
            throw withBotLog(error, r);
          });
          rows.push({ store, size: r.size, referrers: r.clients.length, startMs: r.startMs, rssMiB: r.rssMiB, ...r.row, concurrent });
        }
      } finally {
        await all.stop();
      }
    }
  } finally {
    await echo.stop('SIGTERM');
    await connector.stop();
  }
  process.stdout.write(report(rows));
}

/** CPU time (ms) of a process so far, from /proc; undefined where there is no /proc. */
function cpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100;

/** The PostgreSQL server's processes (autovacuum, the bots' connections), where there is a /proc to find them in. */
function postgresPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/stat`, 'utf8').includes('(postgres)');
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * Waits until the bots and the database server are idle (together under 5 % of a core for a second, at most 60 s):
 * what a bot does once after its start (checking the access log: seconds at 100,000 aanmeldingen, measured as
 * start-up work, see README "Toegangslog") and autovacuum after seeding would otherwise weigh on the turns of every
 * size measured meanwhile. Returns how long it waited.
 */
async function quiet(bots: BotProcess[]): Promise<number> {
  const began = performance.now();
  while (performance.now() - began < 60_000) {
    const pids = [...bots.map((b) => b.pid), ...postgresPids()];
    const before = pids.map(cpuMs);
    if (before.every((ms) => ms === undefined)) return 0;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const used = pids.map(cpuMs).reduce<number>((sum, ms, i) => sum + (ms !== undefined && before[i] !== undefined ? ms - before[i]! : 0), 0);
    if (used < 50) break;
  }
  return performance.now() - began;
}

/** A failed measurement says which bot it was and what that bot logged as a warning or error. */
function withBotLog(error: unknown, ...running: Running[]): Error {
  const logged = running.flatMap((r) => r.bot.logs.filter((line) => /"level":(40|50|60)/.test(line)).slice(-10).map((line) => `  ${r.store} ${r.size}: ${line}`));
  const message = error instanceof Error ? error.message : String(error);
  return new Error(`${message}\n${logged.length > 0 ? logged.join('\n') : '  (the bot logged no warning or error)'}`, { cause: error });
}

function report(rows: Row[]): string {
  const lines = [
    `Benchmark (npm run bench), ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, bot compiled (node ${BOT_SCRIPT})`,
    `Times in ms, medians; (×echo) = that median / the median of the echo turns paired with it in the same run. ${REFERRERS} referrers per size.`,
    'A turn counts until its last reply reached Teams (the connector), what the person waits for; "until the request was answered" also counts what the bot does after that (writing the conversation state).',
  ];
  for (const store of new Set(rows.map((r) => r.store))) {
    const of = rows.filter((r) => r.store === store).sort((a, b) => a.size - b.size);
    const line = (label: string, cell: (r: Row) => string) => `| ${label} | ${of.map(cell).join(' | ')} |`;
    const turn = (pick: (r: Row) => number[], floor: (r: Row) => number[] = (r) => r.echo) => (r: Row) => `${ms(median(pick(r)))} (${(median(pick(r)) / median(floor(r))).toFixed(1)}×)`;
    lines.push(
      '',
      `**${store}**`,
      '',
      `| | ${of.map((r) => `${r.size.toLocaleString('en')} stored`).join(' | ')} |`,
      `|---|${of.map(() => '---').join('|')}|`,
      line('echo turn (floor, same run)', (r) => ms(median(r.echo))),
      line('question turn', turn((r) => r.question)),
      line('… until the request was answered (echo: ' + of.map((r) => ms(median(r.echoAnswered))).join(' / ') + ')', turn((r) => r.questionAnswered, (r) => r.echoAnswered)),
      line('submit (Versturen)', turn((r) => r.submit)),
      line('… until the request was answered', turn((r) => r.submitAnswered, (r) => r.echoAnswered)),
      line('card post (submit → card in channel)', (r) => ms(median(r.post))),
      line('card action ("Ik pak deze op")', turn((r) => r.claim)),
      line('card update (press → card updated in channel)', (r) => ms(median(r.update))),
      line(`start-up to /healthz (median of ${STARTS})`, (r) => `${(r.startMs / 1000).toFixed(1)} s`),
      line('memory (RSS) after start', (r) => `${r.rssMiB} MiB`),
      line(`${CONCURRENT} conversations at once: turns/s (×echo), p99`, (r) => `${r.concurrent.bot.turnsPerSecond.toFixed(0)}/s (${(r.concurrent.bot.turnsPerSecond / r.concurrent.echo.turnsPerSecond).toFixed(2)}×), p99 ${ms(r.concurrent.bot.p99)}`),
      line(`… the echo bot, same run`, (r) => `${r.concurrent.echo.turnsPerSecond.toFixed(0)}/s, p99 ${ms(r.concurrent.echo.p99)}`),
    );
    const first = of[0];
    const last = of.at(-1);
    if (!first || !last || first === last) continue;
    // Each as a multiple of its own echo floor, so a machine that got busier between the two does not count.
    const growth = (pick: (r: Row) => number[]) => (median(pick(last)) / median(last.echo) / (median(pick(first)) / median(first.echo))).toFixed(2);
    lines.push(
      '',
      `${store} at ${last.size.toLocaleString('en')} against ${first.size.toLocaleString('en')} stored (ratios to echo compared): submit ${growth((r) => r.submit)}×, card action ${growth((r) => r.claim)}×, question ${growth((r) => r.question)}×; card post ${(median(last.post) / median(first.post)).toFixed(2)}×, card update ${(median(last.update) / median(first.update)).toFixed(2)}×, start-up ${(last.startMs / first.startMs).toFixed(2)}×`,
    );
  }
  return `${lines.join('\n')}\n`;
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
