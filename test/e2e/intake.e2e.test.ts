import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allText, BotClient } from '../support/bot-client.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { FakeConnector } from '../support/fake-connector.js';
import { storedReferrals } from '../support/stored-referrals.js';

/** The real server as a child process, talking the Bot Framework protocol to a fake connector. */

const FAMILY = {
  name: 'Fatima El Amrani',
  phone: '06 12345678',
  explanation: 'Moeder is overbelast sinds de geboorte van de jongste.',
};

let connector: FakeConnector;
let serviceUrl: string;
let dataDir: string;
const bots: BotProcess[] = [];

/** A bot on the shared DATA_DIR: lowdb is one process's store, so the one before is stopped first. */
async function bot(env: Record<string, string> = {}) {
  for (const running of bots.splice(0)) await running.stop('SIGTERM');
  const started = await startBot({ DATA_DIR: dataDir, ...env });
  bots.push(started);
  return started;
}

function client(botUrl: string, conversationId: string) {
  return new BotClient(botUrl, serviceUrl, () => connector.activities(conversationId), conversationId);
}

async function readStore() {
  const referrals = await storedReferrals(dataDir);
  const audit = (await readFile(path.join(dataDir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  return { referrals, audit };
}

/** Answers the steps up to and including the children. */
async function startAndAnswerUntilConsent(c: BotClient) {
  await c.say('aanmelden');
  await c.click('Huisarts');
  await c.click('Nee'); // no acute safety concern
  return c.say('3 en 7');
}

beforeAll(async () => {
  connector = new FakeConnector();
  serviceUrl = await connector.start();
  dataDir = await mkdtemp(path.join(tmpdir(), 'aanmeld-e2e-'));
});

afterAll(async () => {
  for (const b of bots) await b.stop();
  await connector.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('an aanmelding over HTTP', () => {
  it('is completed step by step and stored with a reference', async () => {
    const server = await bot();
    const c = client(server.url, 'personal-whole');

    expect(allText(await c.say('hallo'))).toContain('Ik help je een gezin aan te melden');
    expect(allText(await c.click('Aanmelding starten'))).toContain('Stap 1 van 12');
    expect(allText(await c.click('Huisarts'))).toContain('Maak je je acuut zorgen over de veiligheid');
    expect(allText(await c.click('Nee'))).toContain('Hoe oud zijn de kinderen?');
    const consent = allText(await c.say('3, 7 en 12'));
    expect(consent).toContain('kinderen: 3, 7 en 12 jaar');
    expect(consent).toContain('Hebben de ouders en het kind van 12 toestemming gegeven');
    // A huisarts is the family's huisarts: not asked whether the huisarts may know.
    expect(allText(await c.click('Ja, er is toestemming'))).toContain('Hoe is het gezin samengesteld?');
    expect(allText(await c.click('Ouders met kinderen'))).toContain('Waar woont het gezin, en waar gaat de vraag over?');
    expect(allText(await c.click('Verder', { wijk: 'Oostrum', hoofdvraag: 'pedagogisch,psychisch' }))).toContain('Welke van deze punten');
    expect(allText(await c.click('Verder', { value: 'psychiatrie,cultuur-taal' }))).toContain('Hoe kan de professional het gezin bereiken?');
    const summary = allText(await c.click('Verder', { name: FAMILY.name, phone: FAMILY.phone, email: '', address: '', value: FAMILY.explanation }));
    expect(summary).toContain('Voorgestelde route: Keukentafelgesprek');
    expect(summary).toContain('Onderliggende psychiatrische problematiek');
    expect(summary).toContain(FAMILY.name);

    const done = allText(await c.click('Versturen'));
    const reference = /AM-\d{4}-0001/.exec(done)?.[0];
    expect(reference).toBeDefined();

    const { referrals, audit } = await readStore();
    expect(referrals).toHaveLength(1);
    expect(referrals[0]).toMatchObject({
      reference,
      status: 'nieuw',
      referrer: { role: 'huisarts', identity: { name: 'Dokter Jansen', aadObjectId: 'aad-huisarts' } },
      answers: { wijk: 'Oostrum', children: [{ age: 3 }, { age: 7 }, { age: 12 }], contact: { name: FAMILY.name, phone: FAMILY.phone } },
      triage: { route: 'keukentafelgesprek', urgent: false, criteria: ['psychiatrie', 'cultuur-taal'] },
    });
    expect(audit).toEqual([expect.objectContaining({ event: 'aanmelding.aangemaakt', reference, seq: 1 })]);

    // Logs never hold what was said about the family.
    const logs = server.logs.join('\n');
    for (const secret of [FAMILY.name, FAMILY.phone, FAMILY.explanation, 'Oostrum']) expect(logs).not.toContain(secret);
    expect(server.logs.every((line) => line === '' || JSON.parse(line).event)).toBe(true);
  });

  it('resumes at the same step with the same answers after a restart mid-intake', async () => {
    let server = await bot();
    let c = client(server.url, 'personal-restart');
    expect(allText(await startAndAnswerUntilConsent(c))).toContain('toestemming gegeven');

    expect(await server.stop('SIGTERM')).toBe(0);
    server = await bot();
    // Same conversation; the card from before the restart is still the current question.
    const resumed = new BotClient(server.url, serviceUrl, () => connector.activities('personal-restart'), 'personal-restart');
    resumed.fresh();
    expect(allText(await resumed.click('Anoniem overleg'))).toContain('Hoe is het gezin samengesteld?');
    await resumed.click('Alleenstaande moeder');
    await resumed.click('Verder', { value: 'Venray (kern)' });
    await resumed.click('Verder', { value: 'pedagogisch' });
    // Anonymous: no contact details, so the toelichting has a card of its own.
    await resumed.click('Geen van deze');
    const summary = allText(await resumed.click('Overslaan'));
    expect(summary).toContain('Kinderen: 3 en 7 jaar');
    expect(summary).toContain('Voorgestelde route: Gezinscoach');
    expect(allText(await resumed.click('Versturen'))).toMatch(/AM-\d{4}-0002/);

    const { referrals, audit } = await readStore();
    const stored = referrals.find((r) => r.reference.endsWith('-0002'))!;
    expect(stored.answers.consent.referral).toBe('anoniem');
    expect(stored.answers.contact).toBeUndefined();
    expect(audit.map((e) => e.seq)).toEqual([1, 2]);
    c = resumed;
    // A late click on the summary's button does not send a second aanmelding.
    expect(allText(await c.click('Versturen'))).toContain('al verstuurd');
    expect((await readStore()).referrals).toHaveLength(2);
  });
});

/** Settings of a bot in Teams mode: an app id, the municipality's tenant and a team of its own (not the example). */
async function teamsMode(): Promise<Record<string, string>> {
  const example = await readFile(path.resolve('data/teams/voorbeeld.json'), 'utf8');
  const file = path.join(dataDir, 'team-gemeente.json');
  await writeFile(file, example.replaceAll('00000000-0000-0000-0000-0000000000', '11111111-2222-3333-4444-5555555555'));
  return { MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'geheim', MicrosoftAppTenantId: '00000000-0000-0000-0000-00000000000a', TEAM_CONFIG: file };
}

describe('safe defaults in Teams mode', () => {
  it('refuses to start without the tenant, without TEAM_CONFIG, or with the example team, one line each', async () => {
    const settings = await teamsMode();
    const { MicrosoftAppTenantId: _tenant, ...withoutTenant } = settings;
    await expect(bot(withoutTenant)).rejects.toThrow(/MicrosoftAppTenantId ontbreekt: een SingleTenant-bot \(de standaard\) hoort bij één tenant/);
    const { TEAM_CONFIG: _team, ...withoutTeam } = settings;
    await expect(bot(withoutTeam)).rejects.toThrow(/TEAM_CONFIG ontbreekt: met een MicrosoftAppId werkt de bot voor een echt team/);
    await expect(bot({ ...settings, TEAM_CONFIG: path.resolve('data/teams/voorbeeld.json') })).rejects.toThrow(/is het voorbeeldteam met de gebruikers van de Agents Playground/);
    // A MultiTenant bot says so itself and names the tenants it serves instead.
    await expect(bot({ ...withoutTenant, MicrosoftAppType: 'MultiTenant' })).rejects.toThrow(/ALLOWED_TENANT_IDS ontbreekt: een MultiTenant-bot bedient alleen de tenants die je noemt/);
    await expect(bot({ ...withoutTenant, MicrosoftAppType: 'MultiTenant', ALLOWED_TENANT_IDS: 'venray, groningen' })).rejects.toThrow(/ALLOWED_TENANT_IDS: moet een lijst tenant-id's \(GUID's\) zijn/);
    const multi = await bot({ ...withoutTenant, MicrosoftAppType: 'MultiTenant', ALLOWED_TENANT_IDS: '00000000-0000-0000-0000-00000000000a,00000000-0000-0000-0000-00000000000b' });
    expect((await fetch(`${multi.url}/healthz`)).status).toBe(200);
  }, 90_000);
});

describe('local mode is for one computer', () => {
  it('refuses to start without an app id when BOT_DOMAIN is set or NODE_ENV is production, in one line', async () => {
    for (const [env, named] of [
      [{ BOT_DOMAIN: 'aanmelden.voorbeeldstad.nl' }, 'BOT_DOMAIN \\(aanmelden\\.voorbeeldstad\\.nl\\)'],
      [{ NODE_ENV: 'production' }, 'NODE_ENV=production'],
    ] as const) {
      // One line on stderr (the whole of it), naming what points to a real environment.
      const line = new RegExp(`before listening:\\nMicrosoftAppId ontbreekt, maar ${named} wijst op een echte omgeving: zonder app-id draait de bot in lokale modus, zonder tokens en alleen voor je eigen computer\\. [^\\n]+\\n$`);
      await expect(bot(env)).rejects.toThrow(line);
    }
  }, 60_000);
});

describe('requests the bot refuses', () => {
  it('answers 400 with a short JSON error for malformed bodies and keeps serving', async () => {
    const server = await bot();
    const c = client(server.url, 'personal-malformed');
    const valid = c.activity({ text: 'hallo' });
    const { type: _t, ...noType } = valid;
    const { conversation: _c, ...noConversation } = valid;
    const { from: _f, ...noFrom } = valid;
    const { serviceUrl: _s, ...noServiceUrl } = valid;
    const cases: [unknown, string][] = [
      ['{ dit is geen json', 'JSON'],
      [noType, 'type'],
      [noConversation, 'conversation'],
      [noFrom, 'from'],
      [noServiceUrl, 'serviceUrl'],
      [[1, 2, 3], 'verwacht een object'],
      // Shapes that used to reach the bot and end in "Er ging iets mis" or a 500 (issue 12, point 10).
      [JSON.stringify(valid).replace(/}$/, `,"value":${'['.repeat(5000)}${']'.repeat(5000)}}`), 'te diep genest'],
      [{ ...valid, text: 42 }, 'text'],
      [{ ...valid, from: { id: 'user-huisarts', name: { first: 'Dokter' } } }, 'from.name'],
      [{ ...valid, conversation: { id: 'x'.repeat(5000) } }, 'conversation.id'],
      [{ ...valid, recipient: undefined }, 'recipient'],
      [{ ...valid, channelId: undefined }, 'channelId'],
      [{ ...valid, entities: [{ type: 'mention' }] }, 'entities.0'],
      [{ ...valid, entities: [{ type: 42 }] }, 'entities.0.type'],
      [{ ...valid, text: undefined, entities: [{ type: 'mention', mentioned: { id: 'bot' }, text: '<at>Aanmeldbot</at>' }] }, 'text'],
      [{ ...valid, membersAdded: 'iedereen' }, 'membersAdded'],
      [{ ...valid, channelData: { tenant: 'venray' } }, 'channelData.tenant'],
      [{ ...valid, serviceUrl: 'geen adres' }, 'serviceUrl'],
    ];
    for (const [body, named] of cases) {
      const response = await c.post(body);
      expect(response.status).toBe(400);
      expect(JSON.stringify(await response.json())).toContain(named);
    }
    expect(allText(await c.say('hallo'))).toContain('Ik help je een gezin aan te melden');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('answers 401 without a valid token when an app id is configured', async () => {
    const server = await bot(await teamsMode());
    const c = client(server.url, 'personal-auth');
    const activity = c.activity({ text: 'hallo' });
    const foreignToken = [
      Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'x' })).toString('base64url'),
      Buffer.from(JSON.stringify({ iss: 'https://issuer.invalid', aud: '00000000-0000-0000-0000-000000000001', exp: 4102444800 })).toString('base64url'),
      'c2lnbmF0dXJl',
    ].join('.');
    for (const authorization of [undefined, 'Bearer', 'Bearer niet-een-jwt', `Bearer ${foreignToken}`]) {
      const response = await c.post(activity, authorization ? { authorization } : {});
      expect(response.status, String(authorization)).toBe(401);
    }
    expect(connector.activities('personal-auth')).toHaveLength(0);
    // Refused on the token's form and issuer alone: no key set was fetched from anywhere.
    expect(server.stderr.join('')).not.toContain('OUTBOUND');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
