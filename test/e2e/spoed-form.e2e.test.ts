import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allText, asRead, BotClient, textOf } from '../support/bot-client.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { FakeConnector } from '../support/fake-connector.js';
import { channelActivities, TENANT } from '../support/teams-channel.js';
import { storedReferrals } from '../support/stored-referrals.js';

/**
 * The short acute form over the Bot Framework protocol (issue 14, point 1): after an acute concern the huisarts sends
 * at once with ages, wijk, one line and their own number; the jeugdconsulent sees a SPOED card without any of the
 * free text, and the one line and the number in the dossier on pickup; "De rest aanvullen" later completes the same
 * aanmelding (same reference, card updated, the assignee's dossier again), once.
 */

type Json = Record<string, any>;
const REFERRER = { id: 'user-id-0', aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' };
const COORDINATOR = { id: 'user-id-1', aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' };
const PATTI = { id: 'user-id-4', aadObjectId: '00000000-0000-0000-0000-0000000000024', name: 'Patti Fernandez' };
const CONSULENTEN = '19:jeugdconsulenten@thread.tacv2';
const SITUATION = 'Vader dreigt met geweld, kinderen nu bij de buren';
const PHONE = '06 11223344';
const FAMILY = 'Familie Kortformulier';

let connector: FakeConnector;
let serviceUrl: string;
let dataDir: string;
let server: BotProcess;
let chats = 0;
let createdBefore = 0;

async function link(): Promise<void> {
  const activity = channelActivities(() => serviceUrl, CONSULENTEN)(COORDINATOR, { type: 'message', text: '<at>Aanmeldbot</at> koppel dit kanaal voor jeugdconsulent' });
  const response = await fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  expect(response.status).toBe(200);
}

function referrer(): BotClient {
  const conversation = `personal-kort-${++chats}`;
  return new BotClient(server.url, serviceUrl, () => connector.activities(conversation), conversation, REFERRER);
}

/** Role, "acute zorg", what was done: the short form is next. Returns what the bot showed last. */
async function toSpoedForm(c: BotClient): Promise<string> {
  await c.say('aanmelden');
  // Alex Wilber is a huisarts in the team configuration: no role question.
  await c.click('Ja, acute zorgen');
  return allText(await c.click('Melding bij Veilig Thuis gedaan'));
}

async function sendShort(c: BotClient): Promise<{ reference: string; done: string }> {
  await toSpoedForm(c);
  const done = allText(await c.click('Nu met spoed versturen', { children: '4 en 9', wijk: 'Oostrum', situation: SITUATION, phone: PHONE }));
  return { reference: /AM-\d{4}-\d{4}/.exec(done)?.[0] ?? '', done };
}

async function stored(): Promise<Json[]> {
  return storedReferrals(dataDir);
}

async function audit(): Promise<Json[]> {
  return (await readFile(path.join(dataDir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
}

async function press(verb: string, data: Record<string, unknown>, thread: string): Promise<number> {
  const activity = { ...channelActivities(() => serviceUrl, CONSULENTEN)(PATTI, {}), type: 'invoke', name: 'adaptiveCard/action', conversation: { id: thread, conversationType: 'channel', isGroup: true, tenantId: TENANT.id }, value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } };
  const response = await fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
  return response.status;
}

/** The buttons (Action.Execute) of a card: title → data. */
function buttons(card: unknown): Map<string, { verb: string; data: Record<string, unknown> }> {
  const found = new Map<string, { verb: string; data: Record<string, unknown> }>();
  JSON.stringify(card, (_key, value: { type?: string; title?: string; verb?: string; data?: Record<string, unknown> }) => {
    if (value?.type === 'Action.Execute' && value.title && value.verb) found.set(value.title, { verb: value.verb, data: value.data ?? {} });
    return value;
  });
  return found;
}

const postedIn = (reference: string) => connector.created().find((c) => c.body.isGroup && c.body.channelData?.channel?.id === CONSULENTEN && JSON.stringify(c.body).includes(reference));
const pattisDossier = (reference: string, nth = 1) => {
  // Her chats started in this test: the connector outlives each test's bot, whose references start at 0001 again.
  const chats = connector.created().slice(createdBefore).filter((c) => !c.body.isGroup && c.body.members?.[0]?.id === PATTI.id);
  return chats.flatMap((chat) => connector.activities(chat.conversationId)).filter((a) => textOf(a).includes(`Dossier ${reference}`))[nth - 1];
};

beforeAll(async () => {
  connector = new FakeConnector();
  serviceUrl = await connector.start();
});

beforeEach(async () => {
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  dataDir = await mkdtemp(path.join(tmpdir(), 'aanmeld-kort-'));
  server = await startBot({ DATA_DIR: dataDir });
  createdBefore = connector.created().length;
});

afterAll(async () => {
  await server?.stop();
  await connector.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('the short acute form', () => {
  it('reads in the chat as it went: the safety answer noted on its own, then "Spoedmelding verstuurd."', async () => {
    await link();
    const c = referrer();
    await sendShort(c);
    const shown = connector.activities(c.conversationId).map((a) => asRead(textOf(a)));
    const noted = shown.filter((line) => line.startsWith('Genoteerd:'));
    // The steps the short form leaves for later are not listed as answered ("–").
    expect(noted.join('\n')).not.toContain('–');
    expect(noted.join('\n')).not.toMatch(/gezinssamenstelling|toestemming|hoofdvraag/i);
    // Each answer noted once: what was done does not repeat the acute zorgen noted just before.
    expect(noted.filter((line) => /acute zorgen/i.test(line))).toHaveLength(1);
    expect(noted.filter((line) => /al gedaan/i.test(line))).toHaveLength(1);
    expect(shown).toContain('Spoedmelding verstuurd.');
    expect(shown.join('\n')).not.toContain('Samenvatting gecontroleerd');
  });

  it('is offered right after what was done, and sends at once: a SPOED card without the one line or any number, the dossier with both on pickup', async () => {
    await link();
    const c = referrer();
    const form = await toSpoedForm(c);
    expect(form).toContain('Nu met spoed versturen');

    const { reference, done } = await sendShort(c);
    expect(reference).toMatch(/^AM-/);
    expect(done).toContain('Vul de rest aan');
    expect(done).toContain('zo snel mogelijk');

    const posted = await connector.waitFor(() => postedIn(reference), 'the SPOED card in the jeugdconsulenten channel');
    const card = posted.body.activity.attachments[0].content;
    const shown = JSON.stringify(card);
    expect(shown).toContain('SPOED');
    expect(shown).toContain('Kort spoedformulier');
    expect(shown).toContain('Oostrum');
    expect(shown).not.toContain(SITUATION);
    expect(shown).not.toContain(PHONE);
    // No consent asked yet: the team calls the referrer back, it does not approach a family.
    const claim = buttons(card).get('Ik overleg met de verwijzer');
    expect(claim).toBeDefined();

    expect(await press(claim!.verb, claim!.data, posted.conversationId)).toBe(200);
    const dossier = await connector.waitFor(() => pattisDossier(reference), "the dossier in Patti's 1:1 chat");
    expect(asRead(textOf(dossier))).toContain(SITUATION);
    expect(asRead(textOf(dossier))).toContain(PHONE);

    const [record] = await stored();
    expect(record!.answers).toMatchObject({ children: [{ age: 4 }, { age: 9 }], wijk: 'Oostrum', spoed: { situation: SITUATION, referrerPhone: PHONE } });
    expect(record!.answers.consent).toBeUndefined();
    expect(record!.answers.contact).toBeUndefined();
    expect(record!.triage).toMatchObject({ route: 'jeugdconsulent', urgent: true });
  });

  it('names every problem of the form at once and stores nothing until it is right', async () => {
    await link();
    const c = referrer();
    await toSpoedForm(c);
    const problem = allText(await c.click('Nu met spoed versturen', { children: '4', wijk: 'Nergensdorp', situation: '', phone: 'bel me' }));
    expect(problem).toContain('Kies een wijk of dorp uit de lijst.');
    expect(problem).toContain('Beschrijf in een paar woorden wat er speelt.');
    expect(problem).toContain('Je telefoonnummer klopt niet.');
    expect(problem).toContain('Nu met spoed versturen');
    await expect(stored()).resolves.toEqual([]);
  });

  it('"De rest aanvullen" completes the same aanmelding: one record, the card updated without family data, the assignee gets the full dossier, and only once', async () => {
    await link();
    const c = referrer();
    const { reference } = await sendShort(c);
    const posted = await connector.waitFor(() => postedIn(reference), 'the SPOED card');
    const claim = buttons(posted.body.activity.attachments[0].content).get('Ik overleg met de verwijzer')!;
    expect(await press(claim.verb, claim.data, posted.conversationId)).toBe(200);
    await connector.waitFor(() => pattisDossier(reference), 'the first dossier');

    const asked = allText(await c.click('De rest aanvullen'));
    expect(asked).toContain(`Je vult ${reference} aan`);
    expect(asked).toContain('toestemming');
    await c.click('Ja, er is toestemming');
    await c.click('Alleenstaande moeder');
    await c.click('Verder', { value: 'Oostrum' });
    await c.click('Verder', { value: 'pedagogisch' });
    await c.click('Geen van deze');
    const summary = allText(await c.click('Verder', { name: FAMILY, phone: '06 99887766' }));
    expect(summary).toContain('Klopt alles?');
    const updatesBefore = connector.updates().length;
    const done = allText(await c.click('Versturen'));
    expect(done).toContain(`Aangevuld. **${reference}** is nu een volledige aanmelding.`);
    expect(done).toContain('Patti Fernandez heeft hem opgepakt');

    const records = await stored();
    expect(records).toHaveLength(1);
    expect(records[0]!.reference).toBe(reference);
    expect(records[0]!.answers).toMatchObject({ consent: { referral: 'ja' }, household: 'alleenstaande-moeder', hoofdvraag: ['pedagogisch'], contact: { name: FAMILY }, spoed: { situation: SITUATION } });
    expect(records[0]!.answers.spoed.completedAt).toBeDefined();
    expect(records[0]!.status).toBe('toegewezen');

    const update = await connector.waitFor(() => connector.updates().slice(updatesBefore).find((u) => JSON.stringify(u.body).includes(reference)), 'the card update');
    const card = JSON.stringify(update.body);
    expect(card).toContain('Alleenstaande moeder');
    expect(card).not.toContain('Kort spoedformulier');
    expect(card).not.toContain(FAMILY);
    expect(card).not.toContain(SITUATION);

    const second = await connector.waitFor(() => pattisDossier(reference, 2), 'the completed dossier for Patti');
    expect(asRead(textOf(second))).toContain(FAMILY);
    expect((await audit()).filter((e) => e.event === 'aanmelding.aangevuld' && e.reference === reference)).toHaveLength(1);

    // The old button again: nothing is completed twice.
    expect(allText(await c.click('De rest aanvullen'))).toContain(`${reference} is al aangevuld`);
    expect(await stored()).toHaveLength(1);
  });

  it('"Eerst de hele aanmelding invullen" goes on with the children, still as SPOED', async () => {
    const c = referrer();
    await toSpoedForm(c);
    expect(allText(await c.click('Eerst de hele aanmelding invullen'))).toContain('Hoe oud zijn de kinderen?');
  });

  it('"aanvullen" typed without a short form to complete says so', async () => {
    const c = referrer();
    expect(allText(await c.say('aanvullen'))).toContain('Er is geen spoedaanmelding van jou die nog aangevuld moet worden.');
  });
});
