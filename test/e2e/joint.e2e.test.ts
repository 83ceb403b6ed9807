import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allText, BotClient } from '../support/bot-client.js';
import { storedReferrals } from '../support/stored-referrals.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { FakeConnector } from '../support/fake-connector.js';
import { channelActivities, TENANT } from '../support/teams-channel.js';

/**
 * Issue 15 over the Bot Framework protocol: a keukentafelgesprek picked up by a gezinscoach and a jeugdconsulent
 * pressing at the same moment (both succeed, each gets the dossier, the referrer hears both names), and an
 * assignment that goes over a professional's waakvlam norm (allowed, warned on the card, audited).
 */

type Json = Record<string, any>;
const PEOPLE = {
  referrer: { id: 'user-id-0', aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' },
  coordinator: { id: 'user-id-1', aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' },
  coach: { id: 'user-id-2', aadObjectId: '00000000-0000-0000-0000-0000000000022', name: 'Adele Vance' },
  consulent: { id: 'user-id-4', aadObjectId: '00000000-0000-0000-0000-0000000000024', name: 'Patti Fernandez' },
};

let connector: FakeConnector;
let serviceUrl: string;
let dataDir: string;
let server: BotProcess;
const inChannel = channelActivities(() => serviceUrl);

async function post(body: Json): Promise<Response> {
  return fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function press(from: Json, verb: string, data: Json, thread: string): Promise<{ card: Json; text: string }> {
  const response = await post({
    ...inChannel(from, {}),
    type: 'invoke',
    name: 'adaptiveCard/action',
    conversation: { id: thread, conversationType: 'channel', isGroup: true, tenantId: TENANT.id },
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as Json;
  return { card: body.value, text: allText([{ attachments: [{ content: body.value }] }]) };
}

/** A huisarts refers a family with a complex question (psychiatrie): the route is keukentafelgesprek. */
async function refer(conversationId: string, criteria: string): Promise<string> {
  const c = new BotClient(server.url, serviceUrl, () => connector.activities(conversationId), conversationId, PEOPLE.referrer);
  await c.say('aanmelden');
  // Alex Wilber is a huisarts in the team configuration: no role question, and none whether the huisarts may know.
  await c.click('Nee');
  await c.say('8');
  await c.click('Ja, er is toestemming');
  await c.click('Ouders met kinderen');
  await c.click('Verder', { wijk: 'Oostrum', hoofdvraag: 'pedagogisch,psychisch' });
  // The specialist question is the last point of the criteria card: not ticked, so no.
  if (criteria === '') await c.click('Geen van deze');
  else await c.click('Verder', { value: criteria });
  await c.say('Testgezin met een vraag.');
  await c.click('Verder', { name: 'Testgezin Joint', phone: '06 11112222', email: '', address: '' });
  const done = allText(await c.click('Versturen'));
  return /AM-\d{4}-\d{4}/.exec(done)![0];
}

async function stored(reference: string): Promise<Json> {
  return (await storedReferrals(dataDir)).find((r) => r.reference === reference)!;
}

async function audit(): Promise<Json[]> {
  return (await readFile(path.join(dataDir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
}

const channelPostOf = (reference: string) => connector.created().find((c) => c.body.isGroup && JSON.stringify(c.body).includes(reference));

beforeAll(async () => {
  connector = new FakeConnector();
  serviceUrl = await connector.start();
  dataDir = await mkdtemp(path.join(tmpdir(), 'aanmeld-joint-'));
  // The example team, with Adele's waakvlam norm at 1 so that a second waakvlam case goes over it.
  const team = JSON.parse(await readFile(path.resolve('data/teams/voorbeeld.json'), 'utf8')) as Json;
  team.professionals.find((p: Json) => p.aadObjectId === PEOPLE.coach.aadObjectId).capacity.maxWaakvlam = 1;
  await writeFile(path.join(dataDir, 'team.json'), JSON.stringify(team));
  server = await startBot({ DATA_DIR: dataDir, TEAM_CONFIG: path.join(dataDir, 'team.json') });
  const link = await post(inChannel(PEOPLE.coordinator, { type: 'message', text: '<at>Aanmeldbot</at> koppel dit kanaal voor gezinscoach', entities: [{ type: 'mention', text: '<at>Aanmeldbot</at>', mentioned: { id: 'bot', name: 'Aanmeldbot' } }] }));
  expect(link.status).toBe(200);
});

afterAll(async () => {
  await server?.stop();
  await connector.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('a keukentafelgesprek over HTTP', () => {
  it('is picked up by the gezinscoach and the jeugdconsulent pressing at once: both on it, both get the dossier, the referrer hears both', async () => {
    const reference = await refer('personal-joint-1', 'psychiatrie');
    const created = await connector.waitFor(() => channelPostOf(reference), 'the card in the channel');
    const card = created.body.activity.attachments[0].content;
    expect(allText([{ attachments: [{ content: card }] }])).toContain('Keukentafelgesprek');
    const version = (await stored(reference)).version;

    const [coach, consulent] = await Promise.all([
      press(PEOPLE.coach, 'claim', { reference, version }, created.conversationId),
      press(PEOPLE.consulent, 'claim', { reference, version }, created.conversationId),
    ]);
    expect(coach.text).toContain(`Je hebt ${reference} opgepakt`);
    expect(consulent.text).toContain(`Je hebt ${reference} opgepakt`);

    const record = await stored(reference);
    expect([record.assignee.name, record.coAssignee.name].sort()).toEqual(['Adele Vance', 'Patti Fernandez']);
    expect(record.status).toBe('toegewezen');

    for (const who of ['Adele Vance (gezinscoach)', 'Patti Fernandez (jeugdconsulent)']) {
      await connector.waitFor(() => connector.activities('personal-joint-1').find((a) => String(a.text ?? '').includes(`opgepakt door ${who}`)), `the referrer hearing ${who}`);
    }
    for (const person of [PEOPLE.coach, PEOPLE.consulent]) {
      const chat = await connector.waitFor(() => connector.created().find((c) => !c.body.isGroup && c.body.members?.[0]?.id === person.id), `a 1:1 chat with ${person.name}`);
      await connector.waitFor(() => connector.activities(chat.conversationId).find((a) => JSON.stringify(a).includes(`Dossier ${reference}`)), `the dossier for ${person.name}`);
    }
    const events = (await audit()).filter((e) => e.reference === reference && e.event === 'aanmelding.opgepakt');
    expect(events.map((e) => e.actor.name).sort()).toEqual(['Adele Vance', 'Patti Fernandez']);
  });

  it('assigns over a waakvlam norm with a warning on the card, and audits the norm', async () => {
    const first = await refer('personal-joint-2', '');
    const second = await refer('personal-joint-3', '');
    for (const reference of [first, second]) {
      const created = await connector.waitFor(() => channelPostOf(reference), 'the card');
      const { version } = await stored(reference);
      const answer = await press(PEOPLE.coordinator, 'assign', { reference, version, professional: PEOPLE.coach.aadObjectId, intensity: 'waakvlam' }, created.conversationId);
      expect(answer.text).toContain('Toegewezen aan Adele Vance');
      if (reference === second) {
        expect(answer.text).toContain('Let op, boven de norm: Adele Vance heeft nu 2 gezinnen met waakvlam (norm: 1).');
        expect(JSON.stringify(answer.card)).toContain('"verb":"agree"');
      } else {
        expect(answer.text).not.toContain('boven de norm');
      }
    }
    expect((await stored(second)).intensity).toMatchObject({ level: 'waakvlam', by: { name: 'Megan Bowen' } });
    const entry = (await audit()).find((e) => e.reference === second && e.event === 'aanmelding.toegewezen');
    expect(entry?.detail).toBe('toegewezen aan Adele Vance door Megan Bowen; boven de norm: waakvlam Adele Vance 2 van 1');
  });
});
