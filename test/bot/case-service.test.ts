import { pino } from 'pino';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CaseService } from '../../bot/case-service.js';
import type { Aanmelding } from '../../data/aanmelding.schema.js';
import type { ChannelLink, LinkableService } from '../../data/channel-link.store.js';
import type { OutboxJob } from '../../data/outbox.store.js';
import { openStores, type Stores } from '../../data/stores.js';
import type { AdaptiveCard } from '../../dialogs/card.js';
import { referrerUpdate, SUBMIT_REFUSED } from '../../dialogs/referral.card.js';
import { adele, alex, config, CREATED, draft, isaiah, megan, ROUTE_ANSWERS, stranger, team, type AanmeldingOptions } from '../fixtures/referral.js';
import { walkAll } from '../support/cards.js';

const T = team();
const NOW = new Date('2026-03-03T08:00:00.000Z');
const CHANNEL = '19:coaches@thread.tacv2;messageid=1700000000000';


// ---------------------------------------------------------------------------------------------------------
// Reading what comes back

function textOf(card: unknown): string {
  const parts: string[] = [];
  walkAll(card, (element) => {
    for (const key of ['text', 'title'] as const) if (typeof element[key] === 'string') parts.push(element[key]);
  });
  return parts.join('\n');
}

const buttonsOf = (card: AdaptiveCard): string[] => (card.actions ?? []).map((action) => String(action.title));

/** The notice on top of the card: what it says and in which tone. */
function noticeOf(card: AdaptiveCard): { tone: string; text: string } | undefined {
  const notice = card.body.find((element) => element.type === 'Container' && !JSON.stringify(element).includes('SPOED'));
  if (!notice) return undefined;
  return { tone: String(notice.style), text: textOf(notice) };
}

// ---------------------------------------------------------------------------------------------------------
// The service on in-memory stores

let stores: Stores;
let service: CaseService;
let deliver: ReturnType<typeof vi.fn<() => void>>;
let now: Date;

beforeEach(async () => {
  stores = await openStores({ dataDir: undefined });
  deliver = vi.fn<() => void>();
  now = NOW;
  service = new CaseService({ stores, config, team: T, log: pino({ level: 'silent' }), now: () => now, deliver });
});

const later = (seconds: number) => void (now = new Date(now.getTime() + seconds * 1000));

/** An aanmelding as the intake stores it (Jan de Vries, 06 12345678, a free-text explanation). */
async function stored(options: AanmeldingOptions = {}): Promise<Aanmelding> {
  return (await stores.referrals.create(draft(options), CREATED)).aanmelding;
}

/** An aanmelding whose card is in the team channel. */
async function posted(options: AanmeldingOptions = {}): Promise<Aanmelding> {
  const a = await stored(options);
  const post = { service: 'gezinscoach' as const, conversationId: CHANNEL, activityId: '1700000000000', serviceUrl: 'https://smba.example/', postedAt: CREATED.toISOString() };
  const result = await stores.referrals.update(a.reference, a.version, (current) => ({ ...current, post }), CREATED);
  if (!result.ok) throw new Error('could not post');
  return result.aanmelding;
}

const current = async (a: Aanmelding) => (await stores.referrals.get(a.reference))!;
const jobs = () => stores.outbox.list();
const payloads = async (kind: OutboxJob['kind']) => (await jobs()).filter((j) => j.kind === kind).map((j) => j.payload);
const audit = () => stores.audit.entries();

/** What a family could be recognised by in the fixture's aanmelding, plus who referred. */
const FAMILY = ['Jan de Vries', '06 12345678', 'Ouders vragen hulp bij slapen', 'Alex Wilber', 'Oostrum'];

function link(service: LinkableService = 'gezinscoach'): ChannelLink {
  return {
    service,
    teamId: '19:team@thread.tacv2',
    channelId: `19:${service}@thread.tacv2`,
    reference: { serviceUrl: 'https://smba.example/', channelId: 'msteams', conversation: { id: `19:${service}@thread.tacv2` } },
    linkedBy: megan,
    linkedAt: NOW.toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------------------

describe('a professional picks up an aanmelding on the card', () => {
  it('assigns it, answers with the updated card, and queues the card update, the news for the referrer and the dossier', async () => {
    const a = await posted();
    const { card } = await service.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL);

    expect(textOf(card)).toContain('Status: Toegewezen aan Adele Vance (gezinscoach)');
    expect(noticeOf(card)).toEqual({ tone: 'good', text: `Je hebt ${a.reference} opgepakt. Het dossier staat in je persoonlijke chat met mij.` });
    expect(await current(a)).toMatchObject({ status: 'toegewezen', version: a.version + 1, assignee: { aadObjectId: adele.aadObjectId } });

    expect(await payloads('update-card')).toEqual([{ reference: a.reference }]);
    expect(await payloads('message')).toEqual([
      { reference: a.reference, to: { kind: 'referrer', reference: a.reference }, content: { kind: 'referrer-update', about: 'opgepakt', professional: adele.aadObjectId } },
      { reference: a.reference, to: { kind: 'person', aadObjectId: adele.aadObjectId, name: 'Adele Vance' }, content: { kind: 'dossier' } },
    ]);
    expect(await payloads('post')).toEqual([]);
    expect(deliver).toHaveBeenCalled();

    expect(await audit()).toEqual([
      expect.objectContaining({ event: 'aanmelding.opgepakt', reference: a.reference, actor: { id: adele.aadObjectId, name: 'Adele Vance' }, source: CHANNEL, detail: 'opgepakt door Adele Vance' }),
    ]);
  });

  it('keeps the family out of the outbox: jobs hold references, the message is made when it is sent', async () => {
    const a = await posted();
    await service.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL);
    const json = JSON.stringify(await jobs()).toLowerCase();
    expect(FAMILY.filter((secret) => json.includes(secret.toLowerCase()))).toEqual([]);
    // The same check finds the family in the store itself.
    const record = JSON.stringify(await current(a)).toLowerCase();
    expect(FAMILY.filter((secret) => record.includes(secret.toLowerCase()))).toEqual(FAMILY);
  });

  it('recognises the same click retried by Teams: the success card again, nothing done twice', async () => {
    const a = await posted();
    await service.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL);
    const [history, outbox, entries] = [(await current(a)).history, await jobs(), await audit()];

    later(3);
    const { card } = await service.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL);
    expect(noticeOf(card)).toEqual({ tone: 'good', text: `Je hebt ${a.reference} opgepakt. Het dossier staat in je persoonlijke chat met mij.` });
    expect((await current(a)).history).toEqual(history);
    expect((await current(a)).version).toBe(a.version + 1);
    expect(await jobs()).toEqual(outbox);
    expect(await audit()).toEqual(entries);
  });

  it('tells a coordinator acting on an older card that someone else changed it, and changes nothing', async () => {
    const a = await posted();
    await service.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL);
    const [before, outbox] = [await current(a), await jobs()];

    const { card } = await service.onCardAction('waitlist', { reference: a.reference, version: a.version, reason: 'geen-ruimte' }, megan, CHANNEL);
    expect(noticeOf(card)).toEqual({ tone: 'warning', text: 'Iemand anders heeft deze aanmelding net gewijzigd. Dit is de huidige stand; kijk of je actie nog nodig is.' });
    expect(textOf(card)).toContain('Toegewezen aan Adele Vance');
    expect(await current(a)).toEqual(before);
    expect(await jobs()).toEqual(outbox);
  });

  it('treats an older card of the same person, for another action, as a conflict too', async () => {
    const a = await posted();
    await service.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL);
    const before = await current(a);
    const { card } = await service.onCardAction('ask', { reference: a.reference, version: a.version, question: 'Wanneer kan ik langskomen?' }, adele, CHANNEL);
    expect(noticeOf(card)?.tone).toBe('warning');
    expect(await current(a)).toEqual(before);
  });

  it('refuses a second professional, naming who has it', async () => {
    const a = await posted();
    await service.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL);
    const before = await current(a);
    const { card } = await service.onCardAction('claim', { reference: a.reference, version: before.version }, isaiah, CHANNEL);
    expect(noticeOf(card)).toEqual({ tone: 'attention', text: 'Deze aanmelding is al opgepakt door Adele Vance.' });
    expect(await current(a)).toEqual(before);
  });
});

describe('a professional takes on an anonymous consultation ("Ik overleg met de verwijzer")', () => {
  const anonymous: AanmeldingOptions = { answers: { consent: { referral: 'anoniem', givenBy: [], feedbackToHuisarts: false, recordedAt: CREATED.toISOString() }, contact: undefined } };

  it('makes them the assignee, audits it, and queues the card update, the news for the referrer and the dossier', async () => {
    const a = await posted(anonymous);
    const { card } = await service.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL);

    expect(textOf(card)).toContain('Status: In overleg met de verwijzer: Adele Vance (gezinscoach)');
    expect(noticeOf(card)?.text).toBe(
      `Je overlegt met de verwijzer over ${a.reference}; neem geen contact op met het gezin. De verwijzer hoort dat je contact opneemt, en het dossier staat in je persoonlijke chat met mij.`,
    );
    const saved = await current(a);
    expect(saved).toMatchObject({ status: 'toegewezen', version: a.version + 1, assignee: { aadObjectId: adele.aadObjectId, role: 'gezinscoach' } });
    expect(await payloads('update-card')).toEqual([{ reference: a.reference }]);
    expect(await payloads('message')).toEqual([
      { reference: a.reference, to: { kind: 'referrer', reference: a.reference }, content: { kind: 'referrer-update', about: 'opgepakt', professional: adele.aadObjectId } },
      { reference: a.reference, to: { kind: 'person', aadObjectId: adele.aadObjectId, name: 'Adele Vance' }, content: { kind: 'dossier' } },
    ]);
    expect(await audit()).toEqual([
      expect.objectContaining({ event: 'aanmelding.opgepakt', reference: a.reference, actor: { id: adele.aadObjectId, name: 'Adele Vance' }, source: CHANNEL, detail: 'in overleg met de verwijzer: Adele Vance' }),
    ]);
    // What the queued message says when it is sent to the referrer.
    expect(referrerUpdate(saved, 'opgepakt', 0).text).toContain('Adele Vance overlegt met jou en neemt daarvoor contact met je op; het gezin wordt niet benaderd.');
  });

  it('tells a second professional it is taken already, by whom, and changes nothing', async () => {
    const a = await posted(anonymous);
    await service.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL);
    const [before, outbox, entries] = [await current(a), await jobs(), await audit()];

    later(60);
    const { card } = await service.onCardAction('claim', { reference: a.reference, version: before.version }, isaiah, CHANNEL);
    expect(noticeOf(card)).toEqual({ tone: 'attention', text: 'Deze aanmelding is al opgepakt door Adele Vance, die met de verwijzer overlegt.' });
    expect(await current(a)).toEqual(before);
    expect(await jobs()).toEqual(outbox);
    expect(await audit()).toEqual(entries);
  });
});

describe('what the card does not accept', () => {
  it.each([
    ['an unknown button', 'verwijder', {}, 'Deze knop ken ik niet.'],
    ['an assignment without a professional', 'assign', {}, 'Kies eerst aan wie je de aanmelding toewijst.'],
    ['the waiting list without a reason', 'waitlist', {}, 'Kies een reden voor de wachtlijst.'],
    ['the waiting list with an unknown reason', 'waitlist', { reason: 'zomaar' }, 'Kies een reden voor de wachtlijst.'],
    ['closing without a reason', 'close', {}, 'Kies een reden om af te sluiten.'],
    ['an empty question', 'ask', { question: '  \n ' }, 'Typ eerst je vraag aan de verwijzer.'],
    ['a question of 501 characters', 'ask', { question: 'x'.repeat(501) }, 'Je vraag is te lang (hoogstens 500 tekens).'],
  ])('answers %s with a notice and changes nothing', async (_what, verb, inputs, problem) => {
    const a = await posted();
    const { card } = await service.onCardAction(verb, { reference: a.reference, version: a.version, ...inputs }, megan, CHANNEL);
    expect(noticeOf(card)).toEqual({ tone: 'attention', text: problem });
    expect(await current(a)).toEqual(a);
    expect(await jobs()).toEqual([]);
    expect(await audit()).toEqual([]);
    expect(deliver).not.toHaveBeenCalled();
  });

  it('accepts a question of exactly 500 characters', async () => {
    const a = await posted();
    await service.onCardAction('ask', { reference: a.reference, version: a.version, question: 'x'.repeat(500) }, megan, CHANNEL);
    expect((await current(a)).questions[0]?.question).toHaveLength(500);
  });

  it('says so when the aanmelding does not exist, or the card sent no reference', async () => {
    for (const data of [{ reference: 'AM-2026-9999', version: 1 }, { version: 1 }, 'rubbish']) {
      const { card } = await service.onCardAction('claim', data, adele, CHANNEL);
      expect(textOf(card)).toBe('Deze aanmelding kan ik niet (meer) vinden.');
    }
  });
});

describe('refreshing the card for whoever looks at it', () => {
  it('shows the coordinator "Toewijzen aan…" and a professional "Ik pak deze op", without changing anything', async () => {
    const a = await posted();
    const forMegan = (await service.onCardAction('refresh', { reference: a.reference }, megan, CHANNEL)).card;
    const forAdele = (await service.onCardAction('refresh', { reference: a.reference }, adele, CHANNEL)).card;
    expect(buttonsOf(forMegan)).toContain('Toewijzen aan…');
    expect(buttonsOf(forMegan)).not.toContain('Ik pak deze op');
    expect(buttonsOf(forAdele)).toEqual(['Ik pak deze op']);
    expect(noticeOf(forMegan)).toBeUndefined();
    expect(await current(a)).toEqual(a);
    expect(await jobs()).toEqual([]);
  });

  it("counts the professionals' current caseloads in the choices", async () => {
    const first = await posted();
    await service.onCardAction('claim', { reference: first.reference, version: first.version }, adele, CHANNEL);
    const second = await posted();
    const { card } = await service.onCardAction('refresh', { reference: second.reference }, megan, CHANNEL);
    expect(JSON.stringify(card)).toContain('Adele Vance, gezinscoach — 1 van 15 gezinnen, nog 14 plekken, vaste coach van Oostrum');
  });
});

describe('the dossier button', () => {
  it('queues the dossier for the coordinator who asks, once per click', async () => {
    const a = await posted();
    const { card } = await service.onCardAction('dossier', { reference: a.reference, version: a.version }, megan, CHANNEL);
    expect(noticeOf(card)).toEqual({ tone: 'good', text: 'Het dossier staat in je persoonlijke chat met mij.' });
    await service.onCardAction('dossier', { reference: a.reference, version: a.version }, megan, CHANNEL); // Teams retries
    expect(await payloads('message')).toEqual([{ reference: a.reference, to: { kind: 'person', aadObjectId: megan.aadObjectId, name: 'Megan Bowen' }, content: { kind: 'dossier' } }]);
    expect(await payloads('update-card')).toEqual([]);
    expect(await current(a)).toEqual(a);
  });

  it('refuses a professional the case is not assigned to', async () => {
    const a = await posted();
    const { card } = await service.onCardAction('dossier', { reference: a.reference, version: a.version }, isaiah, CHANNEL);
    expect(noticeOf(card)?.tone).toBe('attention');
    expect(await jobs()).toEqual([]);
  });
});

describe('the referrer answers a question from the team', () => {
  async function asked(): Promise<{ a: Aanmelding; questionId: string }> {
    const a = await posted();
    await service.onCardAction('ask', { reference: a.reference, version: a.version, question: 'Spreekt moeder Nederlands?' }, megan, CHANNEL);
    const questionId = (await current(a)).questions[0]!.id;
    return { a, questionId };
  }

  it('sends the question to the referrer as a message job', async () => {
    const { a } = await asked();
    expect(await payloads('message')).toEqual([{ reference: a.reference, to: { kind: 'referrer', reference: a.reference }, content: { kind: 'referrer-update', about: 'vraag' } }]);
    expect((await current(a)).status).toBe('meer-informatie');
  });

  it('stores the answer, thanks the referrer and forwards it to whoever asked', async () => {
    const { a, questionId } = await asked();
    const reply = await service.onAnswer(a.reference, questionId, '  Ja, goed.  ', alex, 'a:alex-personal');
    expect(reply).toBe(`Dank je. Je antwoord over ${a.reference} is doorgestuurd naar Megan Bowen.`);
    expect(await current(a)).toMatchObject({ status: 'nieuw', questions: [{ id: questionId, answer: 'Ja, goed.', answeredAt: NOW.toISOString() }] });
    expect((await payloads('message')).at(-1)).toEqual({
      reference: a.reference,
      to: { kind: 'person', aadObjectId: megan.aadObjectId, name: 'Megan Bowen' },
      content: { kind: 'answer', questionId },
    });
    expect((await audit()).at(-1)).toMatchObject({ event: 'aanmelding.antwoord', reference: a.reference, actor: { id: alex.aadObjectId }, source: 'a:alex-personal' });
  });

  it.each([
    ['someone else', isaiah, 'Het antwoord.', SUBMIT_REFUSED],
    ['an outsider', stranger, 'Het antwoord.', SUBMIT_REFUSED],
    ['an empty answer', alex, '   ', 'Typ eerst je antwoord in het vak en kies dan Antwoord versturen.'],
    ['an answer of 2001 characters', alex, 'x'.repeat(2001), 'Je antwoord is 2001 tekens; het maximum is 2000.'],
  ])('refuses %s, and stores nothing', async (_who, actor, text, refusal) => {
    const { a, questionId } = await asked();
    const [before, outbox] = [await current(a), await jobs()];
    expect(await service.onAnswer(a.reference, questionId, text, actor, 'a:somewhere')).toBe(refusal);
    expect(await current(a)).toEqual(before);
    expect(await jobs()).toEqual(outbox);
  });

  it('answers a reference that does not exist as one that is not yours, and audits who tried', async () => {
    expect(await service.onAnswer('AM-2026-9999', 'q1', 'Ja', stranger, 'a:stranger-personal')).toBe(SUBMIT_REFUSED);
    expect((await audit()).at(-1)).toMatchObject({ event: 'kaartactie.geweigerd', reference: 'AM-2026-9999', actor: { id: stranger.aadObjectId }, source: 'a:stranger-personal', detail: 'vraag; niet voor deze persoon' });
  });
});

describe('after an aanmelding is sent', () => {
  it('keeps it waiting when no channel is linked for its service', async () => {
    expect(await service.afterSubmit(await stored())).toBe('no-channel');
    await stores.channels.link(link('gezinscoach'));
    expect(await service.afterSubmit(await stored({ answers: ROUTE_ANSWERS.gezinsverzorger }))).toBe('no-channel');
    expect(await jobs()).toEqual([]);
  });

  it('queues the post when the channel of its service is linked', async () => {
    await stores.channels.link(link('gezinscoach'));
    const a = await stored();
    expect(await service.afterSubmit(a)).toBe('posting');
    expect(await jobs()).toEqual([expect.objectContaining({ kind: 'post', payload: { reference: a.reference }, status: 'pending' })]);
    expect(deliver).toHaveBeenCalled();
  });

  it.each([
    ['outside the target group', { answers: ROUTE_ANSWERS['buiten-doelgroep'] }],
    ['without consent', { answers: { consent: { referral: 'nee' as const, givenBy: [], feedbackToHuisarts: false, recordedAt: CREATED.toISOString() }, contact: undefined, explanation: undefined } }],
  ])('does not bring an aanmelding %s to the team', async (_what, options) => {
    await stores.channels.link(link('gezinscoach'));
    const a = await stored(options);
    expect(await service.afterSubmit(a)).toBe('not-for-team');
    expect(await jobs()).toEqual([]);
  });
});

describe('linking a channel', () => {
  it('posts every aanmelding of that service that was waiting, and audits the link', async () => {
    const coach = await stored();
    const kitchen = await stored({ answers: ROUTE_ANSWERS.keukentafelgesprek });
    await stored({ answers: ROUTE_ANSWERS.gezinsverzorger });
    await posted(); // in the channel already
    await stored({ answers: ROUTE_ANSWERS['buiten-doelgroep'] });
    const gone = await stored();
    await stores.referrals.update(gone.reference, gone.version, (a) => ({ ...a, status: 'afgesloten' }), NOW);

    expect(await service.link(link('gezinscoach'))).toBe(2);
    expect((await payloads('post')).map((p) => p.reference)).toEqual([coach.reference, kitchen.reference]);
    expect(await stores.channels.get('gezinscoach')).toEqual(link('gezinscoach'));
    expect(await audit()).toEqual([
      expect.objectContaining({ event: 'kanaal.gekoppeld', actor: { id: megan.aadObjectId, name: 'Megan Bowen' }, source: '19:gezinscoach@thread.tacv2', detail: 'kanaal voor gezinscoach' }),
    ]);
    expect(await stores.audit.verify()).toMatchObject({ ok: true });
    expect(deliver).toHaveBeenCalled();
  });

  it('posts only the aanmeldingen of its own service', async () => {
    await stored();
    const gv = await stored({ answers: ROUTE_ANSWERS.gezinsverzorger });
    expect(await service.link(link('gezinsverzorger'))).toBe(1);
    expect((await payloads('post')).map((p) => p.reference)).toEqual([gv.reference]);
  });
});

describe('a press on a card the bot is still recording as posted', () => {
  it('keeps where the card was posted, so the card is still updated after the press', async () => {
    const a = await stored();
    // The press reads the case; the delivery records the post (bookkeeping, the version stays) just before the press writes.
    const get = stores.referrals.get.bind(stores.referrals);
    let raced = false;
    stores.referrals.get = async (reference: string) => {
      const read = await get(reference);
      if (!raced && read) {
        raced = true;
        const post = { service: 'gezinscoach' as const, conversationId: CHANNEL, activityId: '1700000000000', serviceUrl: 'https://smba.example/', postedAt: NOW.toISOString() };
        await stores.referrals.annotate(reference, (current) => ({ ...current, post }));
      }
      return read;
    };
    await service.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL);
    const saved = await get(a.reference);
    expect(raced).toBe(true);
    expect(saved?.assignee?.name).toBe('Adele Vance');
    expect(saved?.post?.activityId).toBe('1700000000000');
    const jobs = JSON.stringify(await stores.outbox.claim(new Date('2030-01-01T00:00:00Z'), 60_000, 100));
    expect(jobs).toContain('update-card');
  });
});
