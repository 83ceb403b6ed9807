import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allText, asRead, BotClient, textOf } from '../support/bot-client.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { FakeConnector } from '../support/fake-connector.js';
import { CHANNEL, channelActivities, pressCard } from '../support/teams-channel.js';
import { storedReferrals } from '../support/stored-referrals.js';

/**
 * An anonymous consultation over the Bot Framework protocol (issue 14, point 5): the referrer hears at Versturen
 * what happens next and by when; the card offers "Ik overleg met de verwijzer" instead of picking up a family; the
 * professional who presses it is the assignee, the referrer hears that this person will consult them, and a second
 * professional finds it taken.
 */

type Json = Record<string, any>;
const PEOPLE = {
  referrer: { id: 'user-id-0', aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' },
  coordinator: { id: 'user-id-1', aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' },
  coach: { id: 'user-id-2', aadObjectId: '00000000-0000-0000-0000-0000000000022', name: 'Adele Vance' },
  otherCoach: { id: 'user-id-3', aadObjectId: '00000000-0000-0000-0000-0000000000023', name: 'Isaiah Langer' },
};
/** What the referrer types about the situation: no name, as the intake asks, but nothing of it may reach the channel. */
const SITUATION = 'Moeder is overbelast sinds de scheiding; de oudste verzuimt school.';
const REFERRER_CHAT = 'personal-anoniem-1';

let connector: FakeConnector;
let serviceUrl: string;
let dataDir: string;
let server: BotProcess;

const inChannel = channelActivities(() => serviceUrl);

async function post(body: Json): Promise<Response> {
  return fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Presses a button on the channel card: Teams sends an adaptiveCard/action invoke and shows the card it gets back. */
async function press(from: Json, verb: string, data: Json, thread: string): Promise<{ card: Json; text: string }> {
  const { status, card, text } = await pressCard(server.url, inChannel(from, {}), verb, data, thread);
  expect(status).toBe(200);
  return { card, text };
}

async function stored(reference: string): Promise<Json> {
  return (await storedReferrals(dataDir)).find((r) => r.reference === reference)!;
}

async function audit(): Promise<Json[]> {
  return (await readFile(path.join(dataDir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
}

/** The Action.Execute buttons under a card: title and the data they send. */
function executes(card: Json): { title: string; verb: string; data: Json }[] {
  return ((card.actions ?? []) as Json[]).filter((a) => a.type === 'Action.Execute').map((a) => ({ title: a.title, verb: a.verb, data: a.data }));
}

beforeAll(async () => {
  connector = new FakeConnector();
  serviceUrl = await connector.start();
  dataDir = await mkdtemp(path.join(tmpdir(), 'aanmeld-anoniem-'));
  server = await startBot({ DATA_DIR: dataDir });
  const linked = await post(inChannel(PEOPLE.coordinator, { type: 'message', text: '<at>Aanmeldbot</at> koppel dit kanaal voor gezinscoach' }));
  expect(linked.status).toBe(200);
});

afterAll(async () => {
  await server?.stop();
  await connector.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('an anonymous consultation', () => {
  let reference: string;
  let thread: string;
  let postedCard: Json;

  it('tells the referrer at Versturen that a professional will contact them within 2 working days, and not the family', async () => {
    const c = new BotClient(server.url, serviceUrl, () => connector.activities(REFERRER_CHAT), REFERRER_CHAT, PEOPLE.referrer);
    await c.say('aanmelden');
    // Alex Wilber is a huisarts in the team configuration: no role question.
    await c.click('Nee');
    await c.say('4 en 9');
    await c.click('Anoniem overleg');
    await c.click('Alleenstaande moeder');
    await c.click('Verder', { wijk: 'Oostrum', hoofdvraag: 'pedagogisch,school' });
    await c.click('Geen van deze');
    await c.say(SITUATION);
    const done = allText(await c.click('Versturen'));
    reference = /AM-\d{4}-\d{4}/.exec(done)![0];
    expect(done).toContain('Een professional van het team neemt binnen 2 werkdagen contact met je op om te overleggen. Het gezin wordt niet benaderd.');
    expect((await stored(reference)).answers.contact).toBeUndefined();
  });

  it('reaches the channel with "Ik overleg met de verwijzer" instead of "Ik pak deze op"', async () => {
    const created = await connector.waitFor(() => connector.created().find((c) => c.body.isGroup && JSON.stringify(c.body).includes(reference)), 'the card in the channel');
    thread = created.conversationId;
    postedCard = created.body.activity.attachments[0].content;
    const seen = textOf({ attachments: [{ content: postedCard }] });
    expect(seen).toContain('Anoniem overleg — neem geen contact op met het gezin, overleg met de verwijzer');
    expect(seen).not.toContain('Ik pak deze op');
    expect(executes(postedCard).map((b) => b.title)).toContain('Ik overleg met de verwijzer');
  });

  it('makes the professional who presses it the assignee; the referrer hears who will consult them; the professional gets the dossier', async () => {
    const button = executes(postedCard).find((b) => b.title === 'Ik overleg met de verwijzer')!;
    const pressed = await press(PEOPLE.coach, button.verb, button.data, thread);
    expect(pressed.text).toContain('Status: In overleg met de verwijzer: Adele Vance (gezinscoach)');
    expect(pressed.text).toContain('neem geen contact op met het gezin');
    expect((await stored(reference)).assignee).toMatchObject({ aadObjectId: PEOPLE.coach.aadObjectId, role: 'gezinscoach' });

    const told = await connector.waitFor(
      () => connector.activities(REFERRER_CHAT).find((a) => String(a.text ?? '').includes('overlegt met jou')),
      'the referrer hearing who consults them',
    );
    expect(told.text).toContain(reference);
    expect(told.text).toContain('Adele Vance overlegt met jou en neemt daarvoor contact met je op; het gezin wordt niet benaderd.');

    const dossierChat = await connector.waitFor(() => connector.created().find((c) => !c.body.isGroup && c.body.members?.[0]?.id === PEOPLE.coach.id), 'a 1:1 chat with the coach');
    const dossier = await connector.waitFor(() => connector.activities(dossierChat.conversationId).find((a) => textOf(a).includes(`Dossier ${reference}`)), 'the dossier');
    expect(asRead(textOf(dossier))).toContain('Geen gegevens (geen toestemming): neem contact op met de verwijzer');
    expect(asRead(textOf(dossier))).toContain('Alex Wilber');

    const entry = (await audit()).find((e) => e.reference === reference && e.event === 'aanmelding.opgepakt');
    expect(entry).toMatchObject({ actor: { id: PEOPLE.coach.aadObjectId, name: 'Adele Vance' }, detail: 'in overleg met de verwijzer: Adele Vance' });
  });

  it('tells a second professional that it is taken already, and by whom', async () => {
    const now = await stored(reference);
    const second = await press(PEOPLE.otherCoach, 'claim', { reference, version: now.version }, thread);
    expect(second.text).toContain('Deze aanmelding is al opgepakt door Adele Vance, die met de verwijzer overlegt.');
    expect(executes(second.card).map((b) => b.title)).not.toContain('Ik overleg met de verwijzer');
    expect((await stored(reference)).version).toBe(now.version);
  });

  it('keeps the situation and the referrer out of the channel', async () => {
    const toChannel = JSON.stringify(connector.calls.filter((c) => c.conversationId.startsWith(CHANNEL)).map((c) => c.body));
    for (const secret of [SITUATION, 'overbelast', PEOPLE.referrer.name]) expect(toChannel, secret).not.toContain(secret);
  });
});
