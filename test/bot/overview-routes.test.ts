import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import restify from '../../bot/restify.js';
import type Restify from 'restify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../bot/logger.js';
import { SettingsSchema, type Settings } from '../../bot/settings.js';
import { registerOverviewRoutes } from '../../bot/tab/overview-routes.js';
import { createTabAuth, isLoopback } from '../../bot/tab/tab-auth.js';
import { openStores, type Stores } from '../../data/stores.js';
import { writeSeededStore } from '../fixtures/monitoring-seed.js';
import { adele, config, megan, team } from '../fixtures/referral.js';

const APP_ID = '6f1c2b1e-3a0d-4f6b-9c2e-1234567890ab';
const TENANT = '11111111-2222-3333-4444-555555555555';
const OTHER_TENANT = '99999999-2222-3333-4444-555555555555';
const NOW = new Date('2027-02-01T12:00:00.000Z');

const keys = await generateKeyPair('RS256');
const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'test-key', alg: 'RS256' };
const jwks = createLocalJWKSet({ keys: [jwk] });
const strangerKeys = await generateKeyPair('RS256');

/** A Teams SSO token as Entra ID v2 would issue it for the tab; change a claim to make it wrong. */
async function token(claims: JWTPayload = {}, { expiresIn = '1h', key = keys.privateKey }: { expiresIn?: string | number; key?: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'] } = {}): Promise<string> {
  return new SignJWT({
    oid: megan.aadObjectId,
    tid: TENANT,
    name: megan.name,
    iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    aud: `api://aanmelden.voorbeeldstad.nl/${APP_ID}`,
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);
}

const settings = (env: Record<string, string>): Settings => SettingsSchema.parse(env);
const TEAMS_SETTINGS = settings({ MicrosoftAppId: APP_ID, MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: TENANT, BOT_DOMAIN: 'aanmelden.voorbeeldstad.nl' });

let dir: string;
const servers: Restify.Server[] = [];
let stores: Stores | undefined;
async function start(appSettings: Settings): Promise<string> {
  stores ??= await openStores({ dataDir: dir });
  const server = restify.createServer({ handleUncaughtExceptions: false });
  registerOverviewRoutes(server, { settings: appSettings, config, team: team(), referrals: stores.referrals, audit: stores.audit, log: createLogger('silent'), now: () => NOW, jwks });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

let teamsUrl: string;
let localUrl: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'overview-'));
  await writeSeededStore(dir);
  teamsUrl = await start(TEAMS_SETTINGS);
  localUrl = await start(settings({}));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  await stores?.close();
  await rm(dir, { recursive: true, force: true });
});

const get = (url: string, bearer?: string) => fetch(url, bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {});

describe('GET /api/overzicht with an app id: a coordinator Teams SSO token', () => {
  it('answers a coordinator with the counts, the open cases and the waiting list, without family data', async () => {
    const res = await get(`${teamsUrl}/api/overzicht?from=2026-01-01&to=2026-12-31`, await token());
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
     
    const body = (await res.json()) as any;
    expect(body.gebruiker).toBe('Megan Bowen');
    expect(body.monitoring.instroom.total).toBe(7);
    expect(body.monitoring.stand.openPerStatus).toEqual({ nieuw: 2, toegewezen: 1, wachtlijst: 1, 'meer-informatie': 0 });
    expect(body.openCases.map((c: { reference: string }) => c.reference)).toEqual(['AM-2026-0001', 'AM-2026-0002', 'AM-2026-0003', 'AM-2026-0007']);
    // Standing still for 6 months or more today (stilstandMaanden): marked with the last change, to close.
    // AM-2026-0007 was sent a month ago; the others last changed in January, February and March 2026.
    expect(body.openCases.map((c: { reference: string; stilSinds: string | null }) => [c.reference, c.stilSinds])).toEqual([
      ['AM-2026-0001', '2026-01-15T10:00:00.000Z'],
      ['AM-2026-0002', '2026-02-10T09:00:00.000Z'],
      ['AM-2026-0003', '2026-03-05T10:00:00.000Z'],
      ['AM-2026-0007', null],
    ]);
    // Who has each case, and a link that opens its card in the channel thread (Teams deep link to a channel message).
    expect(body.openCases.map((c: { reference: string; assignee: string | null }) => [c.reference, c.assignee])).toEqual([
      ['AM-2026-0001', null],
      ['AM-2026-0002', null],
      ['AM-2026-0003', 'Lynne Robbins'],
      ['AM-2026-0007', null],
    ]);
    expect(body.openCases[0].link).toBe(
      `https://teams.microsoft.com/l/message/19%3Aaanmeldingen%40thread.tacv2/1768471200000?tenantId=${TENANT}&parentMessageId=1768471200000`,
    );
    expect(body.openCases[1].link).toBeNull(); // never posted: nothing to open
    // The words of the bot's own cards, not a copy in the page.
    expect(body.labels.leefgebied.psychisch).toBe('Psychische problemen');
    expect(body.labels.route.keukentafelgesprek).toBe(config.routes.keukentafelgesprek.label);
    expect(body.labels.age).toMatchObject({ '0-4': '0 t/m 3 jaar', '4-12': '4 t/m 11 jaar', '12-23': '12 t/m 23 jaar' });
    expect(body.monitoring.anoniemOverleg).toEqual({ instroom: 0, uitstroom: 0 });
    expect(body.wachtlijst).toMatchObject({ length: 1, longestWaitDays: 324, cases: [expect.objectContaining({ reference: 'AM-2026-0002', wijk: 'Ysselsteyn', route: 'gezinscoach', urgent: false })] });
    expect(JSON.stringify(body)).not.toMatch(/Jan de Vries|06 12345678|slapen|Alex Wilber/);
    // NEN 7513: the read is in the access log, with who read it and which period.
    expect((await stores!.audit.entries()).at(-1)).toMatchObject({
      event: 'overzicht.geopend',
      actor: { id: megan.aadObjectId, name: 'Megan Bowen' },
      detail: 'periode 2026-01-01 tot en met 2026-12-31',
    });
  });

  it('accepts the bare app id as audience and a v1 issuer of the tenant', async () => {
    const v1 = await token({ aud: APP_ID, iss: `https://sts.windows.net/${TENANT}/` });
    expect((await get(`${teamsUrl}/api/overzicht`, v1)).status).toBe(200);
  });

  it.each([
    ['no token', async () => undefined],
    ['an expired token', async () => token({}, { expiresIn: Math.floor(Date.now() / 1000) - 3600 })],
    ['a token for another audience', async () => token({ aud: 'api://elders.example/00000000-0000-0000-0000-000000000000' })],
    ['a token of another issuer', async () => token({ iss: 'https://evil.example/v2.0' })],
    ['a token of another tenant', async () => token({ tid: OTHER_TENANT, iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0` })],
    ['a token signed with another key', async () => token({}, { key: strangerKeys.privateKey })],
    ['something that is not a token', async () => 'geen-token'],
  ])('refuses %s with 401 and a Dutch error', async (_name, make) => {
    const res = await get(`${teamsUrl}/api/overzicht`, await make());
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/^Niet aangemeld/) });
  });

  it('refuses a valid token of someone who is not a coordinator with 403', async () => {
    const res = await get(`${teamsUrl}/api/overzicht`, await token({ oid: adele.aadObjectId }));
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'Alleen een coördinator van het team kan dit overzicht zien.' });
  });

  it('accepts any tenant for a multi-tenant app', async () => {
    const auth = createTabAuth({ settings: { ...TEAMS_SETTINGS, MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: undefined }, team: team(), jwks });
    const other = await token({ tid: OTHER_TENANT, iss: `https://sts.windows.net/${OTHER_TENANT}/` });
    expect(await auth({ authorization: `Bearer ${other}`, remoteAddress: '203.0.113.9' })).toMatchObject({ ok: true, user: { name: 'Megan Bowen' } });
    const mismatched = await token({ tid: OTHER_TENANT, iss: `https://sts.windows.net/${TENANT}/` });
    expect(await auth({ authorization: `Bearer ${mismatched}`, remoteAddress: '203.0.113.9' })).toMatchObject({ ok: false, status: 401 });
  });

  it('serves the CSV of the counts, as npm run monitor does', async () => {
    const res = await get(`${teamsUrl}/api/overzicht.csv?from=2026-01-01&to=2026-12-31`, await token());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain('monitoring-2026-01-01-tot-en-met-2026-12-31.csv');
    const lines = (await res.text()).split('\n');
    expect(lines[0]).toBe('dimensie;sleutel;waarde');
    expect(lines).toContain('instroom;totaal;7');
    expect((await stores!.audit.entries()).at(-1)).toMatchObject({ event: 'overzicht.geexporteerd', actor: { id: megan.aadObjectId } });
    const before = (await stores!.audit.entries()).length;
    expect((await get(`${teamsUrl}/api/overzicht.csv`)).status).toBe(401);
    expect(await stores!.audit.entries()).toHaveLength(before);
  });

  it('answers a bad period with 400 in Dutch', async () => {
    const res = await get(`${teamsUrl}/api/overzicht?from=2026-12-31&to=2026-01-01`, await token());
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('ligt na de einddatum');
  });
});

describe('GET /api/overzicht in local mode (no app id)', () => {
  it('answers requests from this computer', async () => {
    const res = await get(`${localUrl}/api/overzicht?from=2026-01-01&to=2026-12-31`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { monitoring: { instroom: { total: number } } }).monitoring.instroom.total).toBe(7);
  });

  it('refuses requests from elsewhere with 403', async () => {
    const auth = createTabAuth({ settings: settings({}), team: team() });
    expect(await auth({ authorization: undefined, remoteAddress: '192.168.1.20' })).toEqual({ ok: false, status: 403, error: expect.stringContaining('alleen op deze computer') });
    expect(await auth({ authorization: undefined, remoteAddress: '::ffff:127.0.0.1' })).toEqual({ ok: true, user: undefined });
  });

  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.5', false],
    ['::ffff:10.0.0.5', false],
    ['fe80::1', false],
    ['1270.0.0.1', false],
    [undefined, false],
  ])('treats %s as loopback: %s', (address, expected) => {
    expect(isLoopback(address)).toBe(expected);
  });
});

describe('the tab pages', () => {
  it('serves the page, its config page and the teams-js bundle from this server, framable only by Teams', async () => {
    const page = await fetch(`${teamsUrl}/tab/overzicht`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'self' https://teams.microsoft.com");
    // teams-js may fetch Teams' list of valid domains, and nothing else leaves this server.
    expect(csp).toContain("connect-src 'self' https://res.cdn.office.net/teams-js/validDomains/json/validDomains.json;");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*\.cdn|https:\s/);
    const html = await page.text();
    expect(html).toContain('<script src="/tab/teams-js.js"></script>');
    expect(html).toContain('<label for="from">Van</label>');
    const teamsJs = await fetch(`${teamsUrl}/tab/teams-js.js`);
    expect(teamsJs.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await teamsJs.text()).toContain('microsoftTeams');
    expect(await (await fetch(`${teamsUrl}/tab/config.js`)).text()).toContain('pages.config.setValidityState(true)');
  });
});
