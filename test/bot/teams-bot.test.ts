import type { Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';

import { buttonsOf, chatWithBot, textOf, type Chat, type Seen } from '../support/chat.js';

const NOW = new Date('2026-03-02T09:30:00.000Z');
const REFERENCE = /AM-\d{4}-\d{4}/;

const startBot = () => chatWithBot(NOW);
type Bot = Chat;

/** Answers every question up to the summary, for a family of 3 and 7 with consent, by typing and clicking. */
async function answerUpToSummary(bot: Bot): Promise<Seen[]> {
  await bot.say('aanmelden');
  await bot.click('Huisarts');
  await bot.say('nee');
  await bot.click('Verder', { value: '3 en 7' });
  // A huisarts is not asked whether the family's huisarts may know; the specialist question is the criteria card's last point.
  await bot.click('Ja, er is toestemming');
  await bot.click('Ouders met kinderen');
  await bot.say('oostrum');
  await bot.click('Verder', { value: 'pedagogisch,school' });
  await bot.click('Verder', { value: 'psychiatrie' });
  // The contact details and the toelichting share one card.
  return bot.click('Verder', { name: 'Anna Jansen', phone: '06 12345678' });
}

async function nothingStored(bot: Bot) {
  expect(await bot.stores.referrals.list()).toEqual([]);
  expect(await bot.stores.audit.entries()).toEqual([]);
}

describe('the bot in a personal chat', () => {
  it('answers a greeting with the welcome card', async () => {
    const bot = await startBot();
    const replies = await bot.say('hallo');
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toContain('Hallo User1!');
    expect(buttonsOf(replies[0]?.card).map((b) => b.title)).toEqual(['Aanmelding starten', 'Help']);
  });

  it.each(['help', '?'])('explains how it works on "%s" outside an aanmelding', async (text) => {
    const bot = await startBot();
    const replies = await bot.say(text);
    expect(textOf(replies)).toContain('Zo werkt het');
  });

  it('starts an aanmelding with the question about the role', async () => {
    const bot = await startBot();
    const replies = await bot.say('aanmelden');
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toContain('Stap 1 van 12');
    expect(replies[0]?.text).toContain('Wat is je rol?');
  });

  it('starts an aanmelding with the button on the welcome card too', async () => {
    const bot = await startBot();
    await bot.say('hallo');
    expect(textOf(await bot.click('Aanmelding starten'))).toContain('Stap 1 van 12');
  });

  it('takes a whole aanmelding by typing and clicking, stores it with its triage and writes it to the audit log', async () => {
    const bot = await startBot();
    const summary = textOf(await answerUpToSummary(bot));
    expect(summary).toContain('Stap 12 van 12');
    expect(summary).toContain('Voorgestelde route: Keukentafelgesprek');

    // The summary card becomes one line in place; the confirmation is the one new message.
    const [summaryRecord, ...sent] = await bot.click('Versturen');
    expect(summaryRecord?.text.trim()).toBe('Samenvatting gecontroleerd en verstuurd.');
    const replies = sent;
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toContain('Verstuurd');
    const reference = replies[0]?.text.match(REFERENCE)?.[0];
    expect(reference).toBe('AM-2026-0001');

    const stored = await bot.stores.referrals.list();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      reference,
      createdAt: NOW.toISOString(),
      status: 'nieuw',
      referrer: { identity: { id: 'user1', name: 'User1' }, role: 'huisarts', conversationId: 'Convo1' },
      answers: {
        safety: { concern: false },
        children: [{ age: 3 }, { age: 7 }],
        consent: { referral: 'ja', givenBy: ['ouders-met-gezag'], feedbackToHuisarts: true },
        wijk: 'Oostrum',
        hoofdvraag: ['pedagogisch', 'school'],
        criteria: ['psychiatrie'],
        specialistCareNeeded: false,
        contact: { name: 'Anna Jansen', phone: '06 12345678' },
      },
      triage: { route: 'keukentafelgesprek', urgent: false, criteria: ['psychiatrie'] },
    });
    expect(stored[0]?.answers.explanation).toBeUndefined();

    const audit = await bot.stores.audit.entries();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ event: 'aanmelding.aangemaakt', reference, actor: { id: 'user1', name: 'User1' }, source: 'Convo1' });
    // The audit log holds no family identifiers beyond the reference.
    expect(JSON.stringify(audit)).not.toContain('Anna');
  });

  it('confirms each answer while going through the steps', async () => {
    const bot = await startBot();
    await bot.say('aanmelden');
    const replies = await bot.click('Huisarts');
    expect(textOf(replies)).toContain('Genoteerd: je rol: Huisarts');
    expect(textOf(replies)).toContain('Stap 2 van 12');
  });

  it('replaces an answered question card in place by one line with the answer, so only the open question has buttons', async () => {
    const bot = await startBot();
    await bot.say('aanmelden');
    const [record, question, ...more] = await bot.click('Huisarts');
    expect(more).toEqual([]);
    // The role card, changed in place: one line, no buttons left to tap.
    expect(record?.text.trim()).toBe('Genoteerd: je rol: Huisarts');
    expect(buttonsOf(record?.card)).toEqual([]);
    // The new question carries Terug, Help and Stoppen, and no second copy of the answer.
    expect(buttonsOf(question?.card).map((b) => b.title)).toEqual(expect.arrayContaining(['Terug', 'Help', 'Stoppen']));
    expect(question?.text).not.toContain('Genoteerd');
    // A card answer that does not fit: the same card is asked again in place, with what was filled in.
    await bot.click('Nee');
    const [again, ...nothingNew] = await bot.click('Verder', { value: 'drie' });
    expect(nothingNew).toEqual([]);
    expect(again?.text).toContain('Hoe oud zijn de kinderen?');
  });

  it('asks again, with the reason, after an answer that does not fit', async () => {
    const bot = await startBot();
    await bot.say('aanmelden');
    await bot.say('huisarts');
    await bot.say('nee');
    const replies = await bot.say('drie');
    expect(textOf(replies)).toMatch(/Ik begrijp "drie" niet/);
    expect(textOf(replies)).toContain('Hoe oud zijn de kinderen?');
  });

  it('asks before throwing away a finished aanmelding: Nee goes back to the summary, Ja stops and stores nothing', async () => {
    const bot = await startBot();
    await answerUpToSummary(bot);
    expect(textOf(await bot.say('stop'))).toContain('Weet je het zeker? Wat je invulde gaat verloren.');
    const back = await bot.click('Nee, terug naar de samenvatting');
    expect(textOf(back)).toContain('Anna Jansen');
    expect(buttonsOf(back.at(-1)?.card).map((b) => b.title)).toContain('Versturen');
    await bot.click('Annuleren');
    await bot.click('Ja, stoppen');
    await nothingStored(bot);
    expect(textOf(await bot.say('versturen'))).not.toMatch(REFERENCE);
  });

  it('stops on "stop" and stores nothing', async () => {
    const bot = await startBot();
    await bot.say('aanmelden');
    await bot.say('huisarts');
    await bot.say('nee');
    const replies = await bot.say('stop');
    expect(textOf(replies)).toContain('gestopt');
    await nothingStored(bot);
    // Afterwards the bot is back at the start.
    expect(textOf(await bot.say('huisarts'))).toContain('Hallo');
  });

  it('answers a click on a card of an aanmelding already sent with its reference, and stores nothing twice', async () => {
    const bot = await startBot();
    await answerUpToSummary(bot);
    const summaryCard = bot.lastCard();
    await bot.click('Versturen');

    const replies = await bot.click('Versturen', {}, summaryCard);
    expect(textOf(replies)).toContain('al verstuurd (referentie AM-2026-0001)');
    expect(await bot.stores.referrals.list()).toHaveLength(1);
    expect(await bot.stores.audit.entries()).toHaveLength(1);
  });

  it('answers the same activity only once when Teams sends it again', async () => {
    const bot = await startBot();
    expect(await bot.receive({ id: 'activity-7', text: 'aanmelden' })).toHaveLength(1);
    expect(await bot.receive({ id: 'activity-7', text: 'aanmelden' })).toEqual([]);
    await bot.say('huisarts');
    expect(textOf(await bot.receive({ id: 'activity-9', text: 'ja' }))).toContain('Bij direct gevaar: bel 112');
    expect(await bot.receive({ id: 'activity-9', text: 'ja' })).toEqual([]);
    // The retry changed nothing: the next answer goes to the question after the advice.
    expect(textOf(await bot.say('meldcode'))).toContain('Nu met spoed versturen');
  });

  it('explains how to ask consent and offers an anoniem overleg when consent is refused, and stores nothing after stop', async () => {
    const bot = await startBot();
    await bot.say('aanmelden');
    await bot.say('huisarts');
    await bot.say('nee');
    await bot.say('13');
    const refused = await bot.say('nee');
    expect(textOf(refused)).toContain('Zonder toestemming kan ik de aanmelding niet doorsturen');
    expect(textOf(refused)).toContain('de ouders en het kind van 13');
    expect(buttonsOf(bot.lastCard()).map((b) => b.title)).toContain('Anoniem overleg starten');

    expect(textOf(await bot.say('stop'))).toContain('gestopt');
    await nothingStored(bot);
  });

  it('stores an anoniem overleg without contact details', async () => {
    const bot = await startBot();
    await bot.say('aanmelden');
    await bot.say('huisarts');
    await bot.say('nee');
    await bot.say('5');
    await bot.say('nee');
    await bot.click('Anoniem overleg starten');
    await bot.say('gescheiden ouders');
    await bot.say('smakt');
    await bot.say('opvoeding');
    await bot.say('geen');
    await bot.say('nee');
    const summary = await bot.say('overslaan');
    expect(textOf(summary)).toContain('Stap 11 van 11');
    expect(textOf(await bot.say('versturen'))).toMatch(REFERENCE);

    const [stored] = await bot.stores.referrals.list();
    expect(stored?.answers.consent?.referral).toBe('anoniem');
    expect(stored?.answers.contact).toBeUndefined();
    expect(stored?.triage.route).toBe('gezinscoach');
  });
});

describe('the bot outside a personal chat', () => {
  it('tells a group chat it is added to where to refer a family, not how to link a team channel', async () => {
    const bot = await startBot();
    const added = (conversationType: string) =>
      bot.receive({ type: 'conversationUpdate', membersAdded: [{ id: 'bot', name: 'Bot' }], conversation: { id: `19:${conversationType}@thread.v2`, conversationType, isGroup: true } } as Partial<Activity>);
    const inGroupChat = textOf(await added('groupChat'));
    expect(inGroupChat).toContain('In een groepschat lezen meerdere mensen mee');
    expect(inGroupChat).toContain('persoonlijke chat met mij');
    expect(inGroupChat).not.toContain('koppel dit kanaal');
    expect(textOf(await added('channel'))).toContain('koppel dit kanaal voor gezinscoach');
  });

  it.each(['channel', 'groupChat'])('refuses to start an aanmelding in a %s and remembers nothing', async (conversationType) => {
    const bot = await startBot();
    const conversation = { id: `19:${conversationType}@thread.tacv2`, conversationType, isGroup: true };
    const replies = await bot.receive({ text: 'aanmelden', conversation } as Partial<Activity>);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toContain('persoonlijke chat');
    expect(replies[0]?.card).toBeUndefined();
    expect(await bot.stores.conversations.get(`${conversation.id}|user1`)).toBeUndefined();
    await nothingStored(bot);
  });
});
