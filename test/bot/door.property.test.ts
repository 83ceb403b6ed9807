import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../bot/logger.js';
import { createApp, type App } from '../../bot/server.js';
import { SettingsSchema } from '../../bot/settings.js';
import { FakeConnector } from '../support/fake-connector.js';
import { draft } from '../fixtures/referral.js';

/**
 * Property-based test of the door in local mode (issue 12): thousands of generated activities and card actions,
 * from plausible to absurd, sent over HTTP to the real server in this process with a fake connector. Whatever comes
 * in: never a 500, never a crash, never a turn that ends in "Er ging iets mis", and never a reply (or any connection)
 * to an address that is not this computer.
 */

/** Per property. Both together: about 25 s on an idle 2-core machine, about 60 s under a load of 6. */
const RUNS = Number(process.env.DOOR_PROPERTY_RUNS ?? 1000);

let app: App;
let url: string;
let connector: FakeConnector;
let connectorUrl: string;
let dataDir: string;
let reference: string;
const logLines: Record<string, unknown>[] = [];
/** Every connection this process tried to a host that is not loopback (refused before it leaves the machine). */
const outbound: string[] = [];
const connect = net.Socket.prototype.connect;

beforeAll(async () => {
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    const options = (typeof args[0] === 'object' && args[0] !== null ? args[0] : { port: args[0], host: args[1] }) as { host?: string; path?: string };
    const target = Array.isArray(options) ? (options[0] as typeof options) : options;
    if (target && !target.path && target.host !== undefined && !['127.0.0.1', 'localhost', '::1'].includes(target.host)) {
      outbound.push(String(target.host));
      this.destroy(new Error('niet-lokaal adres geblokkeerd in de test'));
      return this;
    }
    return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof net.Socket.prototype.connect;
  connector = new FakeConnector();
  connectorUrl = await connector.start();
  dataDir = await mkdtemp(path.join(tmpdir(), 'aanmeld-door-'));
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  app = await createApp(SettingsSchema.parse({ DATA_DIR: dataDir, LOG_LEVEL: 'info' }), { log: createLogger('info', sink) });
  // One real aanmelding, so that card actions about AM-…-0001 reach the case code, not only "unknown reference".
  reference = (await app.stores.referrals.create(draft(), new Date())).aanmelding.reference;
  url = `http://127.0.0.1:${await app.listen(0)}`;
}, 60_000);

afterAll(async () => {
  await app?.shutdown();
  await connector?.stop();
  net.Socket.prototype.connect = connect;
  await rm(dataDir, { recursive: true, force: true });
});

// ---- generators -------------------------------------------------------------------------------------------------

const people = [
  { id: 'user-id-0', aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' },
  { id: 'user-id-1', aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' },
  { id: 'user-id-2', aadObjectId: '00000000-0000-0000-0000-0000000000022', name: 'Adele Vance' },
  { id: 'buiten', aadObjectId: '99999999-0000-0000-0000-000000000099', name: 'Iemand Buiten Het Team' },
];

/** Anything JSON can be, now and then very deep or long. */
const anyJson = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.integer({ min: 20, max: 3000 }).map((depth) => JSON.parse('['.repeat(depth) + ']'.repeat(depth)) as unknown) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 40_000 }).map((n) => 'x'.repeat(n)) },
);
const someString = fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('', ' ', '\u202e', '<at>Aanmeldbot</at>', '../../etc/passwd', "'; DROP TABLE referrals; --"));

/** serviceUrls: the fake connector as 127.0.0.1 or localhost, and many that are not this computer. */
const serviceUrl = () =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(connectorUrl, connectorUrl.replace('127.0.0.1', 'localhost'), `${connectorUrl}/`) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'https://smba.trafficmanager.net/emea/',
        'http://10.0.0.7:3978/',
        'http://[fe80::1]/',
        'http://[::ffff:a00:7]/',
        'http://127.0.0.1.nip.io/',
        'http://localhost.evil.example/',
        'http://0x7f000001.evil.example/',
        'ftp://127.0.0.1/',
      ),
    },
    { weight: 1, arbitrary: fc.webUrl() },
    { weight: 1, arbitrary: someString },
  );

const cardData = fc.record(
  {
    flow: fc.oneof(fc.constantFrom('intake', 'gezinsverzorger', 'start', 'vraag', 'evaluatie'), someString),
    instance: someString,
    step: fc.oneof(fc.constantFrom('role', 'safety', 'children', 'consent', 'summary'), someString),
    action: fc.oneof(fc.constantFrom('answer', 'back', 'cancel', 'help', 'submit', 'edit', 'anonymous', 'start'), someString),
    value: fc.oneof(someString, anyJson),
    reference: fc.oneof(fc.constant('AM-2026-0001'), someString),
    question: someString,
    answer: someString,
    outcome: fc.oneof(fc.constantFrom('doorgaan', 'afschalen', 'afsluiten'), someString),
    dueOn: fc.oneof(fc.constant('2026-05-01'), someString),
  },
  { requiredKeys: [] },
);

const invokeValue = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        action: fc.record(
          {
            type: fc.oneof({ weight: 8, arbitrary: fc.constant('Action.Execute') }, someString),
            verb: fc.oneof(fc.constantFrom('refresh', 'claim', 'assign', 'waitlist', 'close', 'ask', 'dossier', 'evaluation-date'), someString),
            data: fc.oneof(
              fc.record(
                {
                  reference: fc.oneof(fc.constant('REFERENCE'), someString),
                  version: fc.oneof(fc.integer(), someString),
                  professional: fc.oneof(fc.constantFrom(...people.map((p) => p.aadObjectId)), someString),
                  reason: someString,
                  question: someString,
                  dueOn: someString,
                },
                { requiredKeys: [] },
              ),
              anyJson,
            ),
          },
          { requiredKeys: ['type'] },
        ),
        trigger: fc.constantFrom('manual', 'automatic'),
      },
      { requiredKeys: ['action'] },
    ),
  },
  { weight: 1, arbitrary: anyJson },
);

/** An activity as Teams or the Playground could send it, with any field possibly dropped or replaced by junk. */
const activity = (kind: 'message' | 'invoke') =>
  fc
    .record({
      type: kind === 'message' ? fc.oneof({ weight: 5, arbitrary: fc.constant('message') }, fc.constantFrom('conversationUpdate', 'typing', 'installationUpdate', 'messageReaction', 'event'), someString) : fc.constant('invoke'),
      name: kind === 'invoke' ? fc.oneof({ weight: 4, arbitrary: fc.constant('adaptiveCard/action') }, fc.constantFrom('task/fetch', 'signin/verifyState'), someString) : fc.constant(undefined),
      id: fc.oneof({ weight: 5, arbitrary: fc.uuid() }, someString),
      channelId: fc.oneof({ weight: 10, arbitrary: fc.constant('msteams') }, someString),
      serviceUrl: serviceUrl(),
      from: fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...people) }, fc.record({ id: someString, aadObjectId: someString, name: someString }, { requiredKeys: [] }), anyJson),
      recipient: fc.oneof({ weight: 20, arbitrary: fc.constant({ id: 'bot', name: 'Aanmeldbot' }) }, anyJson),
      conversation: fc.oneof(
        {
          weight: 20,
          // Many conversations: replies to one are paced to Teams' limits (60 in 30 s), which thousands of turns would hit.
          arbitrary: fc.record({
            id: fc.oneof(fc.nat(100_000).map((n) => `personal-${n}`), fc.nat(100_000).map((n) => `19:kanaal@thread.tacv2;messageid=${n}`)),
            conversationType: fc.constantFrom('personal', 'channel', 'groupChat', undefined),
          }),
        },
        fc.record({ id: someString, conversationType: someString, tenantId: someString }, { requiredKeys: [] }),
        anyJson,
      ),
      text: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('aanmelden', 'status', 'help', 'terug', 'stop', 'koppel dit kanaal voor gezinscoach', undefined) }, { weight: 3, arbitrary: someString }, anyJson),
      value: kind === 'invoke' ? invokeValue : fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: cardData }, anyJson),
      entities: fc.oneof(
        { weight: 6, arbitrary: fc.constant(undefined) },
        fc.array(fc.oneof(fc.record({ type: fc.constant('mention'), mentioned: fc.constant({ id: 'bot' }), text: fc.constant('<at>Aanmeldbot</at>') }), fc.record({ type: someString }, { requiredKeys: [] }), anyJson), { maxLength: 3 }),
      ),
      membersAdded: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, fc.array(fc.oneof(fc.constantFrom({ id: 'bot' }, people[0]!), anyJson), { maxLength: 3 })),
      channelData: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, fc.record({ tenant: fc.oneof(fc.constant({ id: 't' }), anyJson), channel: fc.oneof(fc.constant({ id: '19:kanaal@thread.tacv2' }), anyJson), team: anyJson }, { requiredKeys: [] }), anyJson),
    })
    .chain((a) =>
      // Drop some fields altogether, as a careless or hostile sender would.
      fc.oneof({ weight: 4, arbitrary: fc.constant([] as string[]) }, { weight: 1, arbitrary: fc.subarray(Object.keys(a), { maxLength: 3 }) }).map((dropped) => Object.fromEntries(Object.entries(a).filter(([k, v]) => v !== undefined && !dropped.includes(k)))),
    );

/** The body as text: mostly the activity, sometimes a cut-off or garbled version of it. */
const body = (kind: 'message' | 'invoke') =>
  fc.oneof(
    { weight: 12, arbitrary: activity(kind).map((a) => JSON.stringify(a).replaceAll('REFERENCE', reference)) },
    { weight: 1, arbitrary: fc.tuple(activity(kind), fc.nat()).map(([a, n]) => JSON.stringify(a).slice(0, n)) },
    { weight: 1, arbitrary: anyJson.map((j) => JSON.stringify(j)) },
  );

async function send(text: string): Promise<number> {
  // A request that hangs is a failure too (it used to, with a connector in this process).
  const response = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text, signal: AbortSignal.timeout(10_000) });
  await response.arrayBuffer();
  return response.status;
}

/** What the door may answer: the turn's own answer, or a refusal. 501 is botbuilder's answer to an invoke it does not know. */
const ANSWERS = [200, 400, 403, 413, 501];

function checkNothingBad(statuses: Map<number, number>) {
  expect([...statuses.keys()].filter((s) => !ANSWERS.includes(s)), JSON.stringify([...statuses])).toEqual([]);
  expect(outbound).toEqual([]);
  const errors = logLines.filter((l) => ['turn.error', 'request.failed', 'turn.error.reply-failed'].includes(String(l.event)));
  expect(errors.map((e) => JSON.stringify(e).slice(0, 400))).toEqual([]);
  const foreignReplies = connector.calls.filter((c) => !c.path.startsWith('/v3/'));
  expect(foreignReplies).toEqual([]);
}

describe('the door of /api/messages in local mode, for any input', () => {
  it(`never answers 500, never ends a turn in an error, never contacts another computer (${RUNS} activities)`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body('message'), async (text) => {
        const status = await send(text);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(status).not.toBe(500);
      }),
      { numRuns: RUNS },
    );
    checkNothingBad(statuses);
    // The mix reached the bot as well as the door's refusals.
    expect(statuses.get(200)).toBeGreaterThan(RUNS / 20);
    expect(statuses.get(400)).toBeGreaterThan(RUNS / 20);
    expect(statuses.get(403)).toBeGreaterThan(RUNS / 20);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  }, 240_000);

  it(`holds for card actions too: invokes and Action.Submit values (${RUNS} invokes)`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body('invoke'), async (text) => {
        const status = await send(text);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(status).not.toBe(500);
      }),
      { numRuns: RUNS },
    );
    checkNothingBad(statuses);
    expect(statuses.get(200)).toBeGreaterThan(RUNS / 20);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  }, 240_000);
});
