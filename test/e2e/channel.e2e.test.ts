import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allText, asRead, BotClient, textOf } from '../support/bot-client.js';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { FakeConnector } from '../support/fake-connector.js';
import { CHANNEL, channelActivities, pressCard } from '../support/teams-channel.js';
import { storedReferrals } from '../support/stored-referrals.js';

/**
 * The referral channel over the Bot Framework protocol: linking, posting as a new thread, the card's actions
 * (Action.Execute invokes), the card update for everyone (PUT), feedback to the referrer, the dossier to the
 * assignee, the audit log, a concurrent assignment, 429 back-off, and that the channel never sees the family.
 */

type Json = Record<string, any>;
const PEOPLE = {
  referrer: { id: 'user-id-0', aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' },
  coordinator: { id: 'user-id-1', aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' },
  coach: { id: 'user-id-2', aadObjectId: '00000000-0000-0000-0000-0000000000022', name: 'Adele Vance' },
  otherCoach: { id: 'user-id-3', aadObjectId: '00000000-0000-0000-0000-0000000000023', name: 'Isaiah Langer' },
  secondCoordinator: { id: 'user-id-6', aadObjectId: '00000000-0000-0000-0000-0000000000026', name: 'Nestor Wilke' },
  /** In the tenant, not in the team, never referred anything. */
  outsider: { id: 'user-id-9', aadObjectId: '00000000-0000-0000-0000-0000000000099', name: 'Olaf Buiten' },
  /** Another referrer, with an aanmelding of their own. */
  otherReferrer: { id: 'user-id-8', aadObjectId: '00000000-0000-0000-0000-0000000000098', name: 'Vera Verwijzer' },
};
const FAMILY = {
  name: 'Fatima El Amrani',
  phone: '06 98765432',
  email: 'fatima.elamrani@example.nl',
  address: 'Kerkstraat 12, Venray',
  explanation: 'Moeder Fatima is overbelast; zoon Youssef (geb. 12-03-2015) verzuimt school.',
};

let connector: FakeConnector;
let serviceUrl: string;
let dataDir: string;
let server: BotProcess;

async function post(body: Json): Promise<Response> {
  return fetch(`${server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

const inChannel = channelActivities(() => serviceUrl);

async function say(from: Json, text: string) {
  const before = connector.activities().length;
  const response = await post(inChannel(from, { type: 'message', text: `<at>Aanmeldbot</at> ${text}`, entities: [{ type: 'mention', text: '<at>Aanmeldbot</at>', mentioned: { id: 'bot', name: 'Aanmeldbot' } }] }));
  expect(response.status).toBe(200);
  return allText(connector.activities().slice(before));
}

/** Presses a button on the channel card: Teams sends an adaptiveCard/action invoke and shows the card it gets back. */
function press(from: Json, verb: string, data: Json, thread: string): Promise<{ status: number; card: Json; text: string }> {
  return pressCard(server.url, inChannel(from, {}), verb, data, thread);
}

/** A referrer completes an aanmelding in their 1:1 chat; returns the confirmation text. */
async function refer(conversationId: string, referrer: Json = PEOPLE.referrer, explanation = FAMILY.explanation) {
  const c = new BotClient(server.url, serviceUrl, () => connector.activities(conversationId), conversationId, referrer as typeof PEOPLE.referrer);
  await c.say('aanmelden');
  // The team configuration knows Alex Wilber as a huisarts: no role question, and none whether the huisarts may know.
  if (referrer !== PEOPLE.referrer) await c.click('Huisarts');
  await c.click('Nee');
  await c.say('3 en 9');
  await c.click('Ja, er is toestemming');
  await c.click('Alleenstaande moeder');
  await c.click('Verder', { wijk: 'Oostrum', hoofdvraag: 'pedagogisch,school' });
  // "Geen van deze" also says no specialist care is needed.
  await c.click('Geen van deze');
  await c.say(explanation);
  await c.click('Verder', { name: FAMILY.name, phone: FAMILY.phone, email: FAMILY.email, address: FAMILY.address });
  const done = allText(await c.click('Versturen'));
  return { client: c, done, reference: /AM-\d{4}-\d{4}/.exec(done)![0] };
}

async function stored(reference: string): Promise<Json> {
  return (await storedReferrals(dataDir)).find((r) => r.reference === reference)!;
}

async function audit(): Promise<Json[]> {
  return (await readFile(path.join(dataDir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
}

/** Polls until `check` gives a value: for what the bot does after it has answered. */
async function eventually<T>(check: () => Promise<T | false | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The data an Action.Execute on this card sends. */
function versionedData(card: Json, verb: string): Json {
  let found: Json | undefined;
  JSON.stringify(card, (_key, value) => {
    if (value && value.type === 'Action.Execute' && value.verb === verb) found = value.data;
    return value;
  });
  if (!found) throw new Error(`no ${verb} button on the card`);
  return found;
}

function channelPostOf(reference: string) {
  return connector.created().find((c) => c.body.isGroup && JSON.stringify(c.body).includes(reference));
}

beforeAll(async () => {
  connector = new FakeConnector();
  serviceUrl = await connector.start();
  dataDir = await mkdtemp(path.join(tmpdir(), 'aanmeld-channel-'));
  // The example team plus a second coordinator, to show that of two simultaneous assignments one wins.
  const team = JSON.parse(await readFile(path.resolve('data/teams/voorbeeld.json'), 'utf8')) as Json;
  team.coordinators.push({ aadObjectId: PEOPLE.secondCoordinator.aadObjectId, teamsUserId: PEOPLE.secondCoordinator.id, name: PEOPLE.secondCoordinator.name });
  await writeFile(path.join(dataDir, 'team.json'), JSON.stringify(team));
  server = await startBot({ DATA_DIR: dataDir, TEAM_CONFIG: path.join(dataDir, 'team.json') });
});

afterAll(async () => {
  await server?.stop();
  await connector.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the referral channel', () => {
  let reference: string;
  let thread: string;
  /** The card as the channel shows it: buttons send the version printed on it, not the stored one. */
  let postedCard: Json;

  it('keeps an aanmelding until a coordinator links the channel, then posts it as a new thread', async () => {
    const first = await refer('personal-referrer-1');
    reference = first.reference;
    expect(first.done).toContain('nog niet bereikbaar');

    expect(await say(PEOPLE.coach, 'koppel dit kanaal voor gezinscoach')).toContain('Alleen een coördinator');
    expect(await say(PEOPLE.coordinator, 'koppel dit kanaal')).toContain('Voor welke dienst');
    expect(await say(PEOPLE.coordinator, 'koppel dit kanaal voor gezinscoach')).toContain('1 aanmelding die op een kanaal wachtte');

    const created = await connector.waitFor(() => channelPostOf(reference), 'the card in the channel');
    expect(created.body.channelData.channel.id).toBe(CHANNEL);
    thread = created.conversationId;
    const card = created.body.activity.attachments[0].content;
    postedCard = card;
    const seen = textOf({ attachments: [{ content: card }] });
    expect(seen).toContain(`Aanmelding ${reference}`);
    expect(seen).toContain('Status: Nieuw');
    expect(seen).toContain('0 t/m 3 jaar (1), 4 t/m 11 jaar (1)');
    expect(seen).toContain('Huisarts, Huisartsenpraktijk De Linde');
    expect(JSON.stringify(card)).toContain('"verb":"claim"');
    expect((await stored(reference)).post).toMatchObject({ conversationId: thread, service: 'gezinscoach' });
    expect((await audit()).map((e) => e.event)).toEqual(expect.arrayContaining(['kanaal.gekoppeld', 'aanmelding.geplaatst']));
  });

  it('refuses an action to someone without the role, and changes nothing', async () => {
    const before = await stored(reference);
    const pressed = await press(PEOPLE.coach, 'assign', { reference, version: before.version, professional: PEOPLE.otherCoach.aadObjectId }, thread);
    expect(pressed.status).toBe(200);
    expect(pressed.text).toContain('Alleen een coördinator kan een aanmelding toewijzen');
    expect((await stored(reference)).version).toBe(before.version);
  });

  it('lets a gezinscoach claim it: the card updates for everyone, the referrer hears who, the coach gets the dossier', async () => {
    const before = await stored(reference);
    const updatesBefore = connector.updates().length;
    const pressed = await press(PEOPLE.coach, 'claim', versionedData(postedCard, 'claim'), thread);
    expect(pressed.text).toContain('Toegewezen aan Adele Vance');
    expect(pressed.text).toContain('opgepakt door Adele Vance');

    const update = await connector.waitFor(() => connector.updates().slice(updatesBefore).find((u) => u.path.endsWith(encodeURIComponent(before.post.activityId)) || u.path.includes(before.post.activityId)), 'the card update (PUT)');
    expect(textOf(update.body)).toContain('Toegewezen aan Adele Vance');

    const told = await connector.waitFor(() => connector.activities('personal-referrer-1').find((a) => String(a.text ?? '').includes('opgepakt door Adele Vance')), 'the referrer hearing who picked it up');
    expect(told.text).toContain(reference);

    const dossierChat = await connector.waitFor(() => connector.created().find((c) => !c.body.isGroup && c.body.members?.[0]?.id === PEOPLE.coach.id), 'a 1:1 chat with the coach');
    const dossier = await connector.waitFor(() => connector.activities(dossierChat.conversationId).find((a) => textOf(a).includes(`Dossier ${reference}`)), 'the dossier');
    for (const detail of [FAMILY.name, FAMILY.phone, FAMILY.explanation]) expect(asRead(textOf(dossier))).toContain(detail);

    // The dossier's sending is audited right after it went out.
    const logged = await eventually(async () => {
      const events = (await audit()).filter((e) => e.reference === reference).map((e) => e.event);
      return events.includes('dossier.verstuurd') && events;
    }, 'the dossier in the audit log');
    expect(logged).toEqual(expect.arrayContaining(['aanmelding.opgepakt', 'dossier.verstuurd']));
  });

  it('treats an invoke that Teams retries as the same action', async () => {
    const now = await stored(reference);
    const retried = await press(PEOPLE.coach, 'claim', { reference, version: now.version - 1 }, thread);
    expect(retried.text).toContain('Je hebt');
    const after = await stored(reference);
    expect(after.version).toBe(now.version);
    expect(after.history.filter((e: Json) => e.action === 'opgepakt')).toHaveLength(1);
  });

  it('sends a question to the referrer 1:1 and the answer back to whoever asked', async () => {
    const now = await stored(reference);
    const pressed = await press(PEOPLE.coach, 'ask', { reference, version: now.version, question: 'Is er al contact met school?' }, thread);
    expect(pressed.text).toContain('Je vraag is persoonlijk naar de verwijzer gestuurd');
    const questionCard = await connector.waitFor(
      () => connector.activities('personal-referrer-1').find((a) => textOf(a).includes('Is er al contact met school?')),
      'the question in the referrer chat',
    );
    const submit = JSON.stringify(questionCard).match(/"data":(\{"flow":"vraag"[^}]*\})/)![1]!;
    const referrer = new BotClient(server.url, serviceUrl, () => connector.activities('personal-referrer-1'), 'personal-referrer-1', PEOPLE.referrer);
    const thanks = allText(await referrer.send({ value: { ...JSON.parse(submit), answer: 'Ja, met de intern begeleider.' } }));
    expect(thanks).toContain('doorgestuurd naar Adele Vance');
    const chat = connector.created().find((c) => !c.body.isGroup && c.body.members?.[0]?.id === PEOPLE.coach.id)!;
    await connector.waitFor(() => connector.activities(chat.conversationId).find((a) => String(a.text ?? '').includes('Ja, met de intern begeleider.')), 'the answer to the coach');
    expect((await stored(reference)).status).toBe('toegewezen');
  });

  it('lets only the assignee (or a coordinator, for the team) close the case, with a reason', async () => {
    const now = await stored(reference);
    expect((await press(PEOPLE.otherCoach, 'close', { reference, version: now.version, reason: 'doelen-behaald' }, thread)).text).toContain('Alleen de professional');
    const closed = await press(PEOPLE.coach, 'close', { reference, version: now.version, reason: 'doelen-behaald' }, thread);
    expect(closed.text).toContain('Status: Afgesloten');
    expect(JSON.stringify(closed.card)).not.toContain('Action.Execute","title":"Ik pak');
    await connector.waitFor(() => connector.activities('personal-referrer-1').find((a) => String(a.text ?? '').includes('is afgesloten: doelen behaald')), 'the referrer hearing it closed');
  });

  it('gives exactly one of two simultaneous assignments, and shows the other the current state', async () => {
    const { reference: second } = await refer('personal-referrer-2');
    const card = await connector.waitFor(() => channelPostOf(second), 'the second card');
    const { version } = versionedData(card.body.activity.attachments[0].content, 'assign');
    const [a, b] = await Promise.all([
      press(PEOPLE.coordinator, 'assign', { reference: second, version, professional: PEOPLE.coach.aadObjectId }, card.conversationId),
      press(PEOPLE.secondCoordinator, 'assign', { reference: second, version, professional: PEOPLE.otherCoach.aadObjectId }, card.conversationId),
    ]);
    const winners = [a, b].filter((p) => p.text.includes('Die krijgt het dossier persoonlijk'));
    const losers = [a, b].filter((p) => p.text.includes('Iemand anders'));
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    const record = await stored(second);
    expect(record.history.filter((e: Json) => e.action === 'toegewezen')).toHaveLength(1);
    expect(losers[0]!.text).toContain(`Toegewezen aan ${record.assignee.name}`);
  });

  it('puts an aanmelding on the waiting list and tells the referrer how long the list is', async () => {
    const { reference: third } = await refer('personal-referrer-3');
    const card = await connector.waitFor(() => channelPostOf(third), 'the third card');
    const pressed = await press(PEOPLE.coordinator, 'waitlist', { ...versionedData(card.body.activity.attachments[0].content, 'waitlist'), reason: 'geen-ruimte' }, card.conversationId);
    expect(pressed.text).toContain('Status: Op de wachtlijst');
    await connector.waitFor(
      () => connector.activities('personal-referrer-3').find((a) => String(a.text ?? '').includes('Er staat nu 1 aanmelding op de wachtlijst')),
      'the referrer hearing about the waiting list',
    );
  });

  it('backs off and retries when Teams answers 429, and still posts', async () => {
    connector.failNext.push(429, 429);
    const { reference: fourth } = await refer('personal-referrer-4');
    await connector.waitFor(() => channelPostOf(fourth), 'the card after two 429s', 20_000);
    expect(server.logs.some((line) => line.includes('"teams.retry"') && line.includes('"status":429'))).toBe(true);
  });

  it('never shows the family in the channel: no name, phone, e-mail, address, date of birth or free text', async () => {
    const toChannel = connector.calls.filter((c) => c.conversationId.startsWith(CHANNEL));
    expect(toChannel.length).toBeGreaterThan(5);
    const everything = JSON.stringify(toChannel.map((c) => c.body));
    for (const secret of [FAMILY.name, 'Fatima', 'Youssef', FAMILY.phone, FAMILY.email, 'Kerkstraat', '12-03-2015', 'overbelast', PEOPLE.referrer.name]) {
      expect(everything, secret).not.toContain(secret);
    }
    // ...and the invoke answers (the card each person sees after pressing a button) neither.
    const seen = await press(PEOPLE.coordinator, 'refresh', { reference }, 'x');
    expect(JSON.stringify(seen.card)).not.toContain(FAMILY.name);
  });

  it('shows the team card on refresh to a member of the team, with their own buttons', async () => {
    const seen = await press(PEOPLE.coordinator, 'refresh', { reference }, thread);
    expect(seen.status).toBe(200);
    expect(seen.text).toContain(`Aanmelding ${reference}`);
    expect(seen.text).toContain('Status: Afgesloten');
    expect(seen.text).toContain('Wat er gebeurde');
  });

  it('refuses an outsider the card, the same for a real and a guessed reference, and audits who asked', async () => {
    const auditBefore = (await audit()).length;
    const real = await press(PEOPLE.outsider, 'refresh', { reference }, thread);
    const guessed = await press(PEOPLE.outsider, 'refresh', { reference: 'AM-2026-9999' }, thread);
    const button = await press(PEOPLE.outsider, 'claim', { reference, version: 1 }, thread);
    for (const answer of [real, guessed, button]) {
      expect(answer.status).toBe(200);
      expect(answer.text).toBe('Deze kaart kan ik je niet laten zien. Hoor je bij het team, vraag dan een coördinator om je toe te voegen.');
    }
    // Nothing in the answer tells whether the reference exists.
    expect(JSON.stringify(real.card)).toBe(JSON.stringify(guessed.card));
    const refused = (await audit()).slice(auditBefore).filter((e) => e.event === 'kaartactie.geweigerd');
    expect(refused.map((e) => [e.event, e.reference, e.actor.id, e.detail])).toEqual([
      ['kaartactie.geweigerd', reference, PEOPLE.outsider.aadObjectId, 'knop refresh; niet in het team'],
      ['kaartactie.geweigerd', 'AM-2026-9999', PEOPLE.outsider.aadObjectId, 'knop refresh; niet in het team'],
      ['kaartactie.geweigerd', reference, PEOPLE.outsider.aadObjectId, 'knop claim; niet in het team'],
    ]);
    expect(refused.every((e) => e.source === thread)).toBe(true);

    // An answer to a question, sent from a personal chat by someone who is not the referrer: the same for both.
    const chat = new BotClient(server.url, serviceUrl, () => connector.activities('personal-outsider'), 'personal-outsider', PEOPLE.outsider);
    const answers = [];
    for (const ref of [reference, 'AM-2026-9999']) answers.push(allText(await chat.send({ value: { flow: 'vraag', reference: ref, question: 'q1', answer: 'Ja hoor' } })));
    expect(answers).toEqual(['Dat kan ik niet voor je doen: deze aanmelding kan ik je niet laten zien.', 'Dat kan ik niet voor je doen: deze aanmelding kan ik je niet laten zien.']);
    expect(server.logs.some((line) => line.includes('"case.card-refused"') && !line.includes(reference))).toBe(true);
  });

  it('gives a referrer the view of their own aanmelding, and not of someone else\'s', async () => {
    const { reference: theirs } = await refer('personal-other-referrer', PEOPLE.otherReferrer);
    const own = await press(PEOPLE.otherReferrer, 'refresh', { reference: theirs }, 'personal-other-referrer');
    expect(own.text).toContain(`Je aanmelding ${theirs}`);
    expect(own.text).toContain('Status');
    expect(JSON.stringify(own.card)).not.toContain('Action.Execute');
    expect(own.text).not.toContain('Wat er gebeurde');

    const auditBefore = (await audit()).length;
    const other = await press(PEOPLE.referrer, 'refresh', { reference: theirs }, 'personal-referrer-1');
    expect(other.text).toBe('Deze kaart kan ik je niet laten zien. Hoor je bij het team, vraag dan een coördinator om je toe te voegen.');
    // (The new aanmelding's channel post may be audited meanwhile.)
    expect((await audit()).slice(auditBefore).filter((e) => e.event === 'kaartactie.geweigerd')).toEqual([expect.objectContaining({ event: 'kaartactie.geweigerd', reference: theirs, actor: { id: PEOPLE.referrer.aadObjectId, name: PEOPLE.referrer.name } })]);
  });

  it('shows free text as text: markdown, html and a bidi override in a toelichting, question and answer arrive literally', async () => {
    const markup = '[klik](https://evil.example) **vet** <b>x</b>';
    const escaped = '\\[klik\\]\\(https://evil.example\\) \\*\\*vet\\*\\* \\<b\\>x\\</b\\>';
    const bidi = 'Moeder \u202Efdp.exe\u202C en \u2066zoon\u2069';
    const { reference: sixth } = await refer('personal-referrer-6', PEOPLE.referrer, `${markup} ${bidi}`);
    const card = await connector.waitFor(() => channelPostOf(sixth), 'the sixth card');
    await press(PEOPLE.coach, 'claim', versionedData(card.body.activity.attachments[0].content, 'claim'), card.conversationId);
    const chat = connector.created().find((c) => !c.body.isGroup && c.body.members?.[0]?.id === PEOPLE.coach.id)!;
    const dossier = await connector.waitFor(() => connector.activities(chat.conversationId).find((a) => textOf(a).includes(`Dossier ${sixth}`)), 'the sixth dossier');
    const shown = textOf(dossier);
    expect(shown).toContain(`Toelichting: ${escaped} Moeder fdp.exe en zoon`);
    expect(shown).not.toContain('[klik](');
    expect(shown).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/u);
    // Stored as typed: the escaping is in the showing.
    expect((await stored(sixth)).answers.explanation).toContain(markup);

    const version = (await stored(sixth)).version;
    await press(PEOPLE.coach, 'ask', { reference: sixth, version, question: `Bedoel je ${markup}?` }, card.conversationId);
    const questionCard = await connector.waitFor(() => connector.activities('personal-referrer-6').find((a) => textOf(a).includes('vraagt:')), 'the question card');
    expect(textOf(questionCard)).toContain(`Bedoel je ${escaped}?`);
    expect(JSON.stringify(questionCard)).not.toContain('[klik](');

    const submit = JSON.stringify(questionCard).match(/"data":(\{"flow":"vraag"[^}]*\})/)![1]!;
    const referrer = new BotClient(server.url, serviceUrl, () => connector.activities('personal-referrer-6'), 'personal-referrer-6', PEOPLE.referrer);
    await referrer.send({ value: { ...JSON.parse(submit), answer: `Ja: ${markup} ${bidi}` } });
    const forwarded = await connector.waitFor(() => connector.activities(chat.conversationId).find((a) => String(a.text ?? '').includes(`Antwoord van de verwijzer over **${sixth}**`)), 'the forwarded answer');
    expect(forwarded.textFormat).toBe('markdown');
    expect(forwarded.text).toContain(`Je vroeg: Bedoel je ${escaped}?`);
    expect(forwarded.text).toContain(`Antwoord: Ja: ${escaped} Moeder fdp.exe en zoon`);
    expect(forwarded.text).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/u);
  });

  it('keeps the channel link across a restart', async () => {
    await server.stop();
    server = await startBot({ DATA_DIR: dataDir, TEAM_CONFIG: path.join(dataDir, 'team.json') });
    const { reference: fifth, done } = await refer('personal-referrer-5');
    expect(done).toContain('Het team ziet de aanmelding nu in zijn kanaal');
    await connector.waitFor(() => channelPostOf(fifth), 'the card after a restart');
  });
});
