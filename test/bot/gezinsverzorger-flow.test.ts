import { describe, expect, it } from 'vitest';
import { serviceOf } from '../../bot/deliveries.js';
import type { ChannelLink, LinkableService } from '../../data/channel-link.store.js';
import type { TeamConfig } from '../../data/team.config.js';
import { draft, megan, team } from '../fixtures/referral.js';
import { buttonsOf, chatWithBot, textOf, type Chat, type Seen } from '../support/chat.js';

const NOW = new Date('2026-03-02T09:30:00.000Z');
const REFERENCE = /AM-\d{4}-\d{4}/;
const GOAL = 'Moeder houdt over drie maanden zelf de dagstructuur vol.';

/** Carla, whom the team knows as a casemanager of a WIJ-team (team configuration verwijzers[].rol). */
const CARLA = { id: '29:carla', name: 'Carla Casemanager', aadObjectId: 'carla-0000' };
const withCasemanager = (): TeamConfig => ({ ...team(), verwijzers: [...team().verwijzers, { aadObjectId: CARLA.aadObjectId, name: CARLA.name, praktijk: 'WIJ-team Beijum', rol: 'casemanager' }] });
const startBot = () => chatWithBot(NOW, { team: withCasemanager(), from: CARLA });
type Bot = Chat;

/** From the first question of the request (safety) to its summary, by typing and clicking. */
async function answerRequestUpToSummary(bot: Bot): Promise<Seen[]> {
  await bot.say('nee');
  await bot.click('Verder', { value: '0 en 3' });
  await bot.click('Ja, er is toestemming');
  await bot.say('ja');
  await bot.click('Alleenstaande moeder');
  await bot.say('wanssum');
  await bot.click('Verder', { value: 'praktisch' });
  await bot.click('Verder', { value: GOAL });
  await bot.click('Verder', { value: 'huishoudelijk,verzorgend' });
  await bot.click('Ondersteunend');
  await bot.say('4,5');
  await bot.click('6 maanden');
  await bot.click('Geboorte (tijdelijk)');
  await bot.click('Geen van deze');
  // The contact details and the toelichting share one card.
  return bot.click('Verder', { name: 'Anna Jansen', phone: '06 12345678' });
}

/** A casemanager who says who they are and asks for a gezinsverzorger in the intake. */
async function handedOver(bot: Bot): Promise<Seen[]> {
  await bot.say('aanmelden');
  await bot.click('Casemanager');
  return bot.click('Een gezinsverzorger (aanvraag)');
}

function channelLink(service: LinkableService): ChannelLink {
  const channelId = `19:${service}@thread.tacv2`;
  return {
    service,
    teamId: '19:team@thread.tacv2',
    channelId,
    reference: { serviceUrl: 'https://smba.example/', channelId: 'msteams', conversation: { id: channelId } },
    linkedBy: megan,
    linkedAt: NOW.toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------------------

describe('a casemanager requests a gezinsverzorger in a personal chat', () => {
  it('asks a casemanager what they request after the role', async () => {
    const bot = await startBot();
    await bot.say('aanmelden');
    const replies = await bot.click('Casemanager');
    expect(textOf(replies)).toContain('Wat wil je aanvragen?');
    expect(buttonsOf(replies.at(-1)?.card).map((b) => b.title)).toEqual(expect.arrayContaining(['Een gezinscoach (aanmelding)', 'Een gezinsverzorger (aanvraag)']));
  });

  it('hands the casemanager over to the request, which starts at its step 1 of 16', async () => {
    const bot = await startBot();
    const replies = await handedOver(bot);
    const text = textOf(replies);
    expect(text).toContain('Stap 1 van 16');
    expect(text).toContain('Maak je je acuut zorgen over de veiligheid');
    expect(buttonsOf(replies.at(-1)?.card).every((b) => b.data.flow === 'gezinsverzorger')).toBe(true);
  });

  it('goes back from the first question of the request to the choice, and on to a gezinscoach from there', async () => {
    const bot = await startBot();
    await handedOver(bot);
    const back = textOf(await bot.say('terug'));
    expect(back).toContain('Wat wil je aanvragen?');
    const coach = textOf(await bot.click('Een gezinscoach (aanmelding)'));
    expect(coach).toContain('Stap 2 van 12');
    expect(coach).toContain('Genoteerd: je meldt het gezin aan voor een gezinscoach.');
    expect(coach).toContain('Maak je je acuut zorgen over de veiligheid');
  });

  it('goes on with the gezinscoach intake when the casemanager chooses a gezinscoach', async () => {
    const bot = await startBot();
    await bot.say('aanmelden');
    await bot.click('Casemanager');
    const text = textOf(await bot.click('Een gezinscoach (aanmelding)'));
    expect(text).toContain('van 12');
    expect(text).not.toContain('van 16');
  });

  it('stores a completed request with route gezinsverzorger and what the casemanager asked', async () => {
    const bot = await startBot();
    await handedOver(bot);
    const summary = textOf(await answerRequestUpToSummary(bot));
    expect(summary).toContain('Stap 16 van 16');

    const replies = await bot.click('Versturen');
    expect(textOf(replies)).toContain('Verstuurd');
    const reference = textOf(replies).match(REFERENCE)?.[0];

    const stored = await bot.stores.referrals.list();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      reference,
      status: 'nieuw',
      referrer: { role: 'casemanager' },
      triage: { route: 'gezinsverzorger', urgent: false },
      answers: {
        service: 'gezinsverzorger',
        wijk: 'Wanssum',
        specialistCareNeeded: false,
        contact: { name: 'Anna Jansen', phone: '06 12345678' },
        gezinsverzorger: {
          goal: GOAL,
          tasks: ['huishoudelijk', 'verzorgend'],
          supportForm: 'ondersteunend',
          hoursPerWeek: 4.5,
          durationMonths: 6,
          cause: 'geboorte',
          targetGroup: 'tijdelijk',
        },
      },
    });
    // The conversation is done: the next message is not an answer to the request.
    expect(textOf(await bot.say('4,5'))).toContain('Hallo');
  });

  it('starts the request directly on "gezinsverzorger aanvragen" outside a flow', async () => {
    const bot = await startBot();
    const replies = await bot.say('gezinsverzorger aanvragen');
    expect(textOf(replies)).toContain('Stap 1 van 16');
    expect(textOf(replies)).toContain('Maak je je acuut zorgen over de veiligheid');
  });

  it('does not start the request for someone the team does not know as a casemanager: the ordinary intake asks the role', async () => {
    for (const from of [undefined, { id: '29:alex', name: 'Alex Wilber', aadObjectId: '00000000-0000-0000-0000-0000000000020' }]) {
      const bot = await chatWithBot(NOW, { team: withCasemanager(), ...(from ? { from } : {}) });
      const text = textOf(await bot.say('gezinsverzorger aanvragen'));
      expect(text).toContain('Een gezinsverzorger vraagt een casemanager aan');
      // Someone unknown is asked the role; Alex, a huisarts the team knows, starts at the safety question.
      expect(text).toContain(from ? 'veiligheid' : 'Wat is je rol?');
      expect(text).not.toContain('van 16');
    }
  });

  it('stores the request with the role the team knows, not one taken from the phrase', async () => {
    const bot = await startBot();
    await bot.say('gezinsverzorger aanvragen');
    await answerRequestUpToSummary(bot);
    await bot.click('Versturen');
    const [a] = await bot.stores.referrals.list();
    expect(a!.referrer).toMatchObject({ role: 'casemanager', identity: { aadObjectId: CARLA.aadObjectId } });
  });

  it('treats "gezinsverzorger aanvragen" inside the intake as an answer there, not as a new request', async () => {
    const bot = await startBot();
    await bot.say('aanmelden');
    const text = textOf(await bot.say('gezinsverzorger aanvragen'));
    expect(text).toContain('Wat is je rol?');
    expect(text).not.toContain('van 16');
  });
});

describe('a submitted request goes to the gezinsverzorgers channel', () => {
  it('enqueues a post once the gezinsverzorgers channel is linked, and that channel is the one the post goes to', async () => {
    const bot = await startBot();
    await bot.cases.link(channelLink('gezinsverzorger'));
    await bot.say('gezinsverzorger aanvragen');
    await answerRequestUpToSummary(bot);
    const replies = await bot.click('Versturen');
    expect(textOf(replies)).toContain('Het team ziet de aanmelding nu in zijn kanaal');

    const [a] = await bot.stores.referrals.list();
    const posts = (await bot.stores.outbox.list()).filter((job) => job.kind === 'post');
    expect(posts.map((job) => job.payload)).toEqual([{ reference: a!.reference }]);
    expect(serviceOf(a!)).toBe('gezinsverzorger');
  });

  it('does not post a gezinscoach aanmelding to the gezinsverzorgers channel', async () => {
    const bot = await startBot();
    await bot.cases.link(channelLink('gezinsverzorger'));
    const { aanmelding } = await bot.stores.referrals.create(draft(), NOW);
    expect(serviceOf(aanmelding)).toBe('gezinscoach');
    expect(await bot.cases.afterSubmit(aanmelding)).toBe('no-channel');
    expect((await bot.stores.outbox.list()).filter((job) => job.kind === 'post')).toEqual([]);
  });

  it('waits for the gezinsverzorgers channel when only the gezinscoaches channel is linked', async () => {
    const bot = await startBot();
    await bot.cases.link(channelLink('gezinscoach'));
    await bot.say('gezinsverzorger aanvragen');
    await answerRequestUpToSummary(bot);
    const replies = await bot.click('Versturen');
    expect(textOf(replies)).toContain('nog geen kanaal gekoppeld');
    expect((await bot.stores.outbox.list()).filter((job) => job.kind === 'post')).toEqual([]);

    // Linked later: the waiting request is posted then.
    expect(await bot.cases.link(channelLink('gezinsverzorger'))).toBe(1);
    expect((await bot.stores.outbox.list()).filter((job) => job.kind === 'post')).toHaveLength(1);
  });
});
