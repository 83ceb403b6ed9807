import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allText, BotClient } from '../support/bot-client.js';
import { storedReferrals } from '../support/stored-referrals.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { FakeConnector } from '../support/fake-connector.js';
import { channelActivities, TENANT } from '../support/teams-channel.js';

/**
 * Issue 15 points 3 and 4 over the Bot Framework protocol: a keukentafelgesprek assigned to both its people gets a
 * goal (in the dossier, never in the channel), is afgeschaald to waakvlam from an evaluation in the coach's 1:1 chat,
 * and is closed with a receiving organisation and the family's mark, which the referrer hears and the log keeps.
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
  dataDir = await mkdtemp(path.join(tmpdir(), 'aanmeld-trajectory-'));
  server = await startBot({ DATA_DIR: dataDir });
  const link = await post(inChannel(PEOPLE.coordinator, { type: 'message', text: '<at>Aanmeldbot</at> koppel dit kanaal voor gezinscoach', entities: [{ type: 'mention', text: '<at>Aanmeldbot</at>', mentioned: { id: 'bot', name: 'Aanmeldbot' } }] }));
  expect(link.status).toBe(200);
});

afterAll(async () => {
  await server?.stop();
  await connector.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** A Action.Submit from the reminder card, in someone's 1:1 chat. */
async function submitInPersonal(from: Json, conversationId: string, value: Json): Promise<string> {
  const before = connector.activities(conversationId).length;
  const response = await post({
    type: 'message',
    id: `submit-${Math.random().toString(36).slice(2)}`,
    channelId: 'msteams',
    serviceUrl,
    from,
    recipient: { id: 'bot', name: 'Aanmeldbot' },
    conversation: { id: conversationId, conversationType: 'personal', tenantId: TENANT.id },
    channelData: { tenant: TENANT },
    value,
  });
  expect(response.status).toBe(200);
  const reply = await connector.waitFor(() => connector.activities(conversationId).slice(before).find((a) => a.text), 'the reply');
  return String(reply.text);
}

const GOAL = 'Ouders en kind maken samen een dagritme dat thuis werkt.';

describe('a keukentafelgesprek from assignment to closure, over HTTP', () => {
  it('gets a goal, is afgeschaald to waakvlam at its evaluation, and closes with the receiving organisation and the mark', async () => {
    const reference = await refer('personal-trajectory-1', 'psychiatrie');
    const created = await connector.waitFor(() => channelPostOf(reference), 'the card in the channel');
    const thread = created.conversationId;

    for (const person of [PEOPLE.coach, PEOPLE.consulent]) {
      const { version } = await stored(reference);
      expect((await press(PEOPLE.coordinator, 'assign', { reference, version, professional: person.aadObjectId }, thread)).text).toContain(`Toegewezen aan ${person.name}`);
    }
    const assigned = await stored(reference);
    expect(assigned.evaluation.dueOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    // The goal: stored and audited, but the channel card only says there is one.
    const withGoal = await press(PEOPLE.coach, 'goal', { reference, version: assigned.version, goal: GOAL }, thread);
    expect(withGoal.text).toContain('Het doel van');
    expect(withGoal.text).toContain('Doel');
    expect(withGoal.text).toContain('staat in het dossier');
    expect(JSON.stringify(withGoal.card)).not.toContain('dagritme');
    expect((await stored(reference)).goal.text).toBe(GOAL);

    // Afschalen from the evaluation, in the jeugdconsulent's 1:1 chat: the case becomes waakvlam.
    const { evaluation } = await stored(reference);
    const afgeschaald = await submitInPersonal(PEOPLE.consulent, 'personal-consulent', { flow: 'evaluatie', reference, dueOn: evaluation.dueOn, outcome: 'afschalen' });
    expect(afgeschaald).toContain('afgeschaald naar waakvlam');
    expect((await stored(reference)).intensity).toMatchObject({ level: 'waakvlam' });

    // The coordinator closes it for the team: referred on to specialist care, with the family's mark.
    const { version } = await stored(reference);
    const closed = await press(PEOPLE.coordinator, 'close', { reference, version, reason: 'doorverwezen-specialistisch', referredTo: 'Jeugd-GGZ', satisfaction: '8' }, thread);
    expect(closed.text).toContain('Afgesloten. De verwijzer hoort het.');
    expect(closed.text).toContain('Doorverwezen naar specialistische jeugdhulp — Jeugd-GGZ');
    const record = await stored(reference);
    expect(record.closure).toMatchObject({ reason: 'doorverwezen-specialistisch', referredTo: 'Jeugd-GGZ', satisfaction: 8 });
    await connector.waitFor(
      () => connector.activities('personal-trajectory-1').find((a) => String(a.text ?? '').includes('doorverwezen naar specialistische jeugdhulp — Jeugd-GGZ')),
      'the referrer hearing where the family went',
    );
    const events = (await audit()).filter((e) => e.reference === reference).map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['aanmelding.doel', 'aanmelding.evaluatie', 'aanmelding.intensiteit', 'aanmelding.afgesloten']));
    expect(JSON.stringify(await audit())).not.toContain('dagritme');
  });

  it('refuses a receiving organisation that is not in the list, and keeps the case open', async () => {
    const reference = await refer('personal-trajectory-2', '');
    const created = await connector.waitFor(() => channelPostOf(reference), 'the card');
    const { version } = await stored(reference);
    const refused = await press(PEOPLE.coordinator, 'close', { reference, version, reason: 'doorverwezen-wijkteam', referredTo: 'Ergens anders' }, created.conversationId);
    expect(refused.text).toContain('Kies de organisatie uit de lijst.');
    expect((await stored(reference)).status).not.toBe('afgesloten');
  });
});
