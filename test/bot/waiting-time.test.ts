import { TestAdapter, type Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import type { NewAanmelding } from '../../data/aanmelding.schema.js';
import { submitted } from '../../dialogs/welcome.dialog.js';
import { waitingTime } from '../../machines/waiting-time.js';
import { inMemoryBot } from '../support/in-memory-bot.js';

/** The referrer hears the expected waiting time of the route: when sending, and in "status". */

const NOW = new Date('2026-11-23T10:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
const ALEX = { id: 'user-id-0', aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' };
const ADELE = { aadObjectId: '00000000-0000-0000-0000-0000000000022', name: 'Adele Vance' };

function draft(intakeId: string): NewAanmelding {
  return {
    intakeId,
    referrer: { identity: ALEX, role: 'huisarts', conversationId: 'personal-alex' },
    answers: {
      service: 'gezinscoach',
      safety: { concern: false },
      children: [{ age: 6 }],
      consent: { referral: 'ja', givenBy: ['ouders-met-gezag'], feedbackToHuisarts: true, recordedAt: NOW.toISOString() },
      household: 'ouders-met-kinderen',
      wijk: 'Oostrum',
      hoofdvraag: ['pedagogisch'],
      criteria: [],
      specialistCareNeeded: false,
      contact: { name: 'Petra Jansen', phone: '06 11122233' },
    },
    triage: { route: 'gezinscoach', urgent: false, criteria: [], reasons: ['Regel 7'] },
  };
}

type Bot = Awaited<ReturnType<typeof inMemoryBot>>;

/** `pickedUp` cases sent weeks ago, each picked up after `days` days, and one sent today that waits. */
async function practice(bot: Bot, days: number[]): Promise<string> {
  for (const [i, d] of days.entries()) {
    const sentAt = new Date(NOW.getTime() - (30 + i) * DAY);
    const { aanmelding: a } = await bot.stores.referrals.create(draft(`old-${i}`), sentAt);
    const at = new Date(sentAt.getTime() + d * DAY);
    await bot.stores.referrals.update(a.reference, a.version, (x) => ({ ...x, status: 'toegewezen', assignee: { ...ADELE, role: 'gezinscoach' }, history: [...x.history, { at: at.toISOString(), action: 'opgepakt', by: ADELE }] }), at);
  }
  return (await bot.stores.referrals.create(draft('today'), NOW)).aanmelding.reference;
}

async function statusFacts(bot: Bot, reference: string): Promise<Record<string, string>> {
  const adapter = new TestAdapter(async (context) => bot.bot.run(context));
  await adapter.receiveActivity({ type: 'message', text: 'status', from: ALEX } as Activity);
  const card = adapter.activeQueue[0]?.attachments?.[0]?.content as { body: Record<string, any>[] };
  const block = card.body.find((e) => e.type === 'Container' && JSON.stringify(e.items[0]).includes(reference))!;
  const factSet = block.items.find((e: Record<string, any>) => e.type === 'FactSet');
  return Object.fromEntries(factSet.facts.map((f: { title: string; value: string }) => [f.title, f.value]));
}

describe('the expected waiting time in status', () => {
  it('shows it for an aanmelding nobody has picked up yet, from the team’s last three months', async () => {
    const bot = await inMemoryBot(() => NOW);
    const waiting = await practice(bot, [1, 3, 5, 8, 13]);
    expect((await statusFacts(bot, waiting))['Verwachte wachttijd']).toBe('Meestal opgepakt na ongeveer 5 dagen (de afgelopen 3 maanden); nu wacht er 1 aanmelding op iemand.');
  });

  it('says there is no estimate yet with too few cases', async () => {
    const bot = await inMemoryBot(() => NOW);
    const waiting = await practice(bot, [2, 4]);
    expect((await statusFacts(bot, waiting))['Verwachte wachttijd']).toBe('Nog geen schatting (te weinig aanmeldingen de afgelopen 3 maanden); nu wacht er 1 aanmelding op iemand.');
  });

  it('shows none for an aanmelding that has been picked up', async () => {
    const bot = await inMemoryBot(() => NOW);
    await practice(bot, [1, 3, 5, 8, 13]);
    const [picked] = await bot.stores.referrals.list();
    expect(await statusFacts(bot, picked!.reference)).not.toHaveProperty('Verwachte wachttijd');
  });
});

describe('the expected waiting time when an aanmelding is sent', () => {
  it('is on the card that confirms it, for its route', async () => {
    const bot = await inMemoryBot(() => NOW);
    const reference = await practice(bot, [1, 1, 2, 2, 3, 40]);
    const sent = (await bot.stores.referrals.get(reference))!;
    const card = JSON.stringify(submitted(sent, bot.config, undefined, waitingTime(await bot.stores.referrals.list(), 'gezinscoach', NOW)));
    expect(card).toContain('**Verwachte wachttijd** (gezinscoach): meestal opgepakt na ongeveer 2 dagen (de afgelopen 3 maanden); nu wacht er 1 aanmelding op iemand.');
  });

  it('is not there for SPOED, which goes to the jeugdconsulent within minutes', async () => {
    const bot = await inMemoryBot(() => NOW);
    const { aanmelding } = await bot.stores.referrals.create({ ...draft('spoed'), triage: { route: 'jeugdconsulent', urgent: true, criteria: [], reasons: ['Regel 1'] } }, NOW);
    expect(JSON.stringify(submitted(aanmelding, bot.config, undefined, waitingTime([], 'jeugdconsulent', NOW)))).not.toContain('Verwachte wachttijd');
  });
});
