import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allText, BotClient } from '../support/bot-client.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { FakeConnector } from '../support/fake-connector.js';
import { b64, KeyServer, silentListener } from '../support/key-server.js';

/**
 * The door of /api/messages over HTTP against the real server (issue 12, points 1-3): local mode only for this
 * computer, Bot Framework tokens checked before anything is fetched, and only the municipality's own tenant.
 */

const APP_ID = '00000000-0000-0000-0000-000000000001';
const TENANT = '00000000-0000-0000-0000-00000000000a';
const OTHER_TENANT = '99999999-0000-0000-0000-00000000000f';
/** Bot Framework's Teams connector for Europe: never contacted, only named. */
const TEAMS_SERVICE_URL = 'https://smba.trafficmanager.net/emea/';

let connector: FakeConnector;
let serviceUrl: string;
let dir: string;
const bots: BotProcess[] = [];

beforeAll(async () => {
  connector = new FakeConnector();
  serviceUrl = await connector.start();
  dir = await mkdtemp(path.join(tmpdir(), 'aanmeld-security-'));
});

afterAll(async () => {
  for (const b of bots) await b.stop();
  await connector.stop();
  await rm(dir, { recursive: true, force: true });
});

async function bot(env: Record<string, string> = {}) {
  const dataDir = path.join(dir, randomUUID());
  const started = await startBot({ DATA_DIR: dataDir, ...env });
  bots.push(started);
  return Object.assign(started, { dataDir });
}

/** Settings of a bot in Teams mode whose keys come from a server on 127.0.0.1. */
async function teamsMode(openIdMetadataUrl: string): Promise<Record<string, string>> {
  const example = await readFile(path.resolve('data/teams/voorbeeld.json'), 'utf8');
  const file = path.join(dir, 'team-gemeente.json');
  await writeFile(file, example.replaceAll('00000000-0000-0000-0000-0000000000', '11111111-2222-3333-4444-5555555555'));
  return { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'geheim', MicrosoftAppTenantId: TENANT, TEAM_CONFIG: file, BOT_OPENID_METADATA_URL: openIdMetadataUrl };
}

/** What Teams posts: here a typing activity, which the bot accepts without answering (no reply, no token for it). */
function teamsActivity(extra: Record<string, unknown> = {}) {
  return {
    type: 'typing',
    id: `act-${randomUUID()}`,
    channelId: 'msteams',
    serviceUrl: TEAMS_SERVICE_URL,
    from: { id: '29:user', aadObjectId: 'aad-user', name: 'Dokter Jansen' },
    recipient: { id: `28:${APP_ID}`, name: 'Aanmeldbot' },
    conversation: { id: 'a:personal-1', conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    ...extra,
  };
}

function post(url: string, body: unknown, authorization?: string) {
  return fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  });
}

const events = (b: BotProcess, event: string) => b.logs.filter((l) => l.includes(`"event":"${event}"`)).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('local mode (no app id)', () => {
  it('listens on 127.0.0.1 only: not on ::1, not on any other address of the machine', async () => {
    const server = await bot();
    expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
    // localhost, as the Agents Playground uses it, still reaches the bot.
    expect((await fetch(`http://localhost:${server.port}/healthz`)).status).toBe(200);
    await expect(fetch(`http://[::1]:${server.port}/healthz`)).rejects.toThrow();
    expect(events(server, 'server.listening')[0]).toMatchObject({ host: '127.0.0.1' });
  });

  it('answers a serviceUrl on this computer (localhost, as the Playground sends) and refuses any other with 403, sending nothing', async () => {
    const server = await bot();
    const port = new URL(serviceUrl).port;
    const viaLocalhost = new BotClient(server.url, `http://localhost:${port}/`, () => connector.activities('personal-localhost'), 'personal-localhost');
    expect(allText(await viaLocalhost.say('hallo'))).toContain('Ik help je een gezin aan te melden');

    const before = connector.calls.length;
    for (const foreign of [TEAMS_SERVICE_URL, 'http://10.0.0.7:3978/', 'http://192.168.1.20/', 'http://127.0.0.1.nip.io/', 'http://localhost.evil.example/', 'http://[::ffff:a00:7]/', 'file:///etc/passwd']) {
      const c = new BotClient(server.url, foreign, () => [], `personal-${randomUUID()}`, { id: 'user-id-1', aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' });
      const response = await c.post(c.activity({ text: 'status' }));
      expect([400, 403], foreign).toContain(response.status);
      if (response.status === 403) expect((await response.json()) as object).toMatchObject({ error: expect.stringContaining('lokale modus') });
    }
    expect(connector.calls.length).toBe(before);

    // A token in local mode is ignored, not checked: no key is fetched for it.
    const token = [b64({ alg: 'RS256', kid: 'x' }), b64({ iss: 'https://api.botframework.com', aud: 'x', exp: 4102444800 }), 'c2ln'].join('.');
    expect((await viaLocalhost.post(viaLocalhost.activity({ text: 'hallo' }), { authorization: `Bearer ${token}` })).status).toBe(200);
    expect(server.stderr.join('')).not.toContain('OUTBOUND');
  });
});

describe('authentication in Teams mode', () => {
  let keys: KeyServer;
  let openId: string;
  let server: BotProcess & { dataDir: string };
  const good = (extra: Record<string, unknown> = {}) => keys.token({ aud: APP_ID, serviceurl: TEAMS_SERVICE_URL, ...extra });

  beforeAll(async () => {
    keys = new KeyServer();
    openId = await keys.start();
    server = await bot(await teamsMode(openId));
  });
  afterAll(() => keys.stop());

  it('refuses a burst of 50 junk tokens with 401 without fetching a single key', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = [b64({ alg: 'none', typ: 'JWT' }), b64({ iss: 'https://api.botframework.com', aud: APP_ID, exp: now + 3600, serviceurl: TEAMS_SERVICE_URL })];
    const junk = [
      undefined,
      'Bearer',
      'Basic dXNlcjpwYXNz',
      'Bearer niet-een-jwt',
      `Bearer ${unsigned.join('.')}.`,
      `Bearer ${unsigned.join('.')}.eA`,
      `Bearer ${await keys.token({ aud: APP_ID, serviceurl: TEAMS_SERVICE_URL }, { alg: 'HS256', key: new TextEncoder().encode(keys.publicPem) as never })}`,
      `Bearer ${await good({})}`.replace(/\.[^.]+$/, '.%%%'),
      `Bearer ${await keys.token({ aud: APP_ID, serviceurl: TEAMS_SERVICE_URL }, { kid: null })}`,
      `Bearer ${await good({ iss: 'https://sts.windows.net/evil/' })}`,
      `Bearer ${await good({ aud: 'een-andere-bot' })}`,
      `Bearer ${await good({ exp: now - 3600 })}`,
      `Bearer ${await good({ nbf: now + 3600 })}`,
      `Bearer ${await good({ serviceurl: 'https://evil.example/' })}`,
    ];
    const burst = Array.from({ length: 50 }, (_, i) => junk[i % junk.length]);
    const statuses = await Promise.all(burst.map((authorization) => post(server.url, teamsActivity(), authorization).then((r) => r.status)));
    expect(statuses).toEqual(burst.map(() => 401));
    expect(keys.requests).toEqual([]);
  });

  it('accepts a good token (one key fetch for all requests) and answers 401 to each bad kind, never 500', async () => {
    const other = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const accepted = await Promise.all(Array.from({ length: 5 }, async () => (await post(server.url, teamsActivity(), `Bearer ${await good()}`)).status));
    expect(accepted).toEqual([200, 200, 200, 200, 200]);
    expect(keys.requests).toEqual(['/openid', '/keys']);

    const bad: [string, string][] = [
      ['alg none', [b64({ alg: 'none', kid: keys.kid }), b64({ iss: 'https://api.botframework.com', aud: APP_ID, exp: now + 3600, serviceurl: TEAMS_SERVICE_URL }), ''].join('.')],
      ['HS256 with the public key as secret', await keys.token({ aud: APP_ID, serviceurl: TEAMS_SERVICE_URL }, { alg: 'HS256', key: new TextEncoder().encode(keys.publicPem) as never })],
      ['bad signature', await keys.token({ aud: APP_ID, serviceurl: TEAMS_SERVICE_URL }, { key: other.privateKey })],
      ['expired', await good({ exp: now - 600 })],
      ['future nbf', await good({ nbf: now + 600 })],
      ['wrong audience', await good({ aud: '00000000-0000-0000-0000-000000000002' })],
      ['wrong issuer', await good({ iss: 'https://login.microsoftonline.com/common/v2.0' })],
      ['wrong serviceurl', await good({ serviceurl: 'https://smba.trafficmanager.net/amer/' })],
      ['unknown key id', await keys.token({ aud: APP_ID, serviceurl: TEAMS_SERVICE_URL }, { kid: 'onbekend' })],
    ];
    for (const [kind, token] of bad) {
      const response = await post(server.url, teamsActivity(), `Bearer ${token}`);
      expect(response.status, kind).toBe(401);
      expect(await response.json(), kind).toEqual({ error: 'Niet geautoriseerd.' });
    }
    // A token signed by a key meant for another channel is refused too (Bot Framework's endorsements).
    expect((await post(server.url, teamsActivity({ channelId: 'webchat' }), `Bearer ${await good()}`)).status).toBe(401);

    // The log lines come through the bot's stdout a moment after the answers: wait for the last one.
    for (let i = 0; i < 100 && !events(server, 'request.rejected').some((e) => e.reason === 'endorsement'); i++) await new Promise((r) => setTimeout(r, 50));
    // Neither the token nor the key is written anywhere.
    const written = server.stderr.join('') + server.logs.join('\n');
    expect(written).not.toContain(String(keys.publicJwk.n).slice(0, 40));
    expect(written).not.toContain(bad[2]![1].split('.')[2]!.slice(0, 40));
    expect(written).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    expect(server.stderr.join('')).not.toContain('OUTBOUND');
    expect(events(server, 'request.rejected').map((e) => e.reason)).toEqual(expect.arrayContaining(['algorithm', 'signature', 'expired', 'not-yet-valid', 'audience', 'issuer', 'serviceurl', 'unknown-key', 'endorsement']));
  });

  it('serves only the configured tenant: another tenant gets 403 and a tenant.refused line', async () => {
    const token = `Bearer ${await good()}`;
    expect((await post(server.url, teamsActivity(), token)).status).toBe(200);
    const foreign = teamsActivity({ conversation: { id: 'a:personal-2', conversationType: 'personal', tenantId: OTHER_TENANT }, channelData: { tenant: { id: OTHER_TENANT } } });
    const refused = await post(server.url, foreign, token);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'Deze bot bedient alleen de eigen organisatie (tenant) van de gemeente.' });
    // The bot's stdout reaches this process through a pipe: under load the line may come just after the 403.
    for (let i = 0; i < 100 && !events(server, 'tenant.refused').some((e) => e.tenantId === OTHER_TENANT); i++) await new Promise((r) => setTimeout(r, 50));
    expect(events(server, 'tenant.refused').at(-1)).toMatchObject({ level: 'warn', tenantId: OTHER_TENANT });
    // And in the access log (NEN 7513): who knocked and from which tenant, ids only.
    // (Written right after the 403 went out.)
    const refusedEntries = async () =>
      (await readFile(path.join(server.dataDir, 'audit.jsonl'), 'utf8'))
        .split('\n')
        .filter((line) => line.includes('tenant.geweigerd'))
        .map((line) => JSON.parse(line));
    for (let i = 0; i < 100 && (await refusedEntries()).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await refusedEntries()).at(-1)).toMatchObject({ detail: `tenant ${OTHER_TENANT} wordt niet bediend`, source: 'a:personal-2' });
    // No tenant at all, or two that disagree (the token's tid against the activity's), is no tenant of ours either.
    const { channelData: _c, ...withoutTenant } = teamsActivity({ conversation: { id: 'a:personal-3', conversationType: 'personal' } });
    expect((await post(server.url, withoutTenant, token)).status).toBe(403);
    expect((await post(server.url, teamsActivity(), `Bearer ${await good({ tid: OTHER_TENANT })}`)).status).toBe(403);
  });
});

describe('a region of several tenants', () => {
  it('serves every tenant of ALLOWED_TENANT_IDS and no other', async () => {
    const keys = new KeyServer();
    const openId = await keys.start();
    try {
      const { MicrosoftAppTenantId: _t, ...settings } = await teamsMode(openId);
      const second = '00000000-0000-0000-0000-00000000000b';
      const server = await bot({ ...settings, MicrosoftAppType: 'MultiTenant', ALLOWED_TENANT_IDS: `${TENANT}, ${second.toUpperCase()}` });
      const token = `Bearer ${await keys.token({ aud: APP_ID, serviceurl: TEAMS_SERVICE_URL })}`;
      const from = (tenant: string) => teamsActivity({ conversation: { id: `a:${tenant}`, conversationType: 'personal', tenantId: tenant }, channelData: { tenant: { id: tenant } } });
      expect((await post(server.url, from(TENANT), token)).status).toBe(200);
      expect((await post(server.url, from(second), token)).status).toBe(200);
      expect((await post(server.url, from(OTHER_TENANT), token)).status).toBe(403);
    } finally {
      await keys.stop();
    }
  });
});

describe('keys that cannot be reached', () => {
  it('answers a well-formed token with 503 within about 5 s, with one fetch shared by concurrent requests', async () => {
    const silent = await silentListener();
    const keys = new KeyServer();
    await keys.start();
    try {
      const server = await bot(await teamsMode(`${silent.url}/openid`));
      const token = `Bearer ${await keys.token({ aud: APP_ID, serviceurl: TEAMS_SERVICE_URL })}`;
      const started = Date.now();
      const responses = await Promise.all(Array.from({ length: 5 }, () => post(server.url, teamsActivity(), token)));
      const waited = Date.now() - started;
      expect(responses.map((r) => r.status)).toEqual([503, 503, 503, 503, 503]);
      expect(responses[0]!.headers.get('retry-after')).toBe('30');
      expect(waited).toBeGreaterThan(4_000);
      expect(waited).toBeLessThan(7_000);
      expect(silent.connections()).toBe(1);
      // Junk is still refused at once with 401: it never waits for keys.
      const junkStarted = Date.now();
      expect((await post(server.url, teamsActivity(), 'Bearer niet-een-jwt')).status).toBe(401);
      expect(Date.now() - junkStarted).toBeLessThan(1_000);
      expect(server.stderr.join('')).toBe('');
    } finally {
      await silent.stop();
      await keys.stop();
    }
  }, 30_000);

  it('answers 503 at once when nothing listens where the keys should be', async () => {
    const closed = await silentListener();
    await closed.stop(); // the port is free again: connections are refused
    const keys = new KeyServer();
    await keys.start();
    try {
      const server = await bot(await teamsMode(`${closed.url}/openid`));
      const started = Date.now();
      const response = await post(server.url, teamsActivity(), `Bearer ${await keys.token({ aud: APP_ID, serviceurl: TEAMS_SERVICE_URL })}`);
      expect(response.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await keys.stop();
    }
  });
});
