import { TestAdapter, type Activity } from 'botbuilder';
import { describe, expect, it } from 'vitest';
import type { NewAanmelding } from '../../data/aanmelding.schema.js';
import { inMemoryBot } from '../support/in-memory-bot.js';

const NOW = new Date('2026-11-23T10:00:00.000Z');
const ALEX = { id: 'user-id-0', aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' };
const ADELE = { id: 'user-id-2', aadObjectId: '00000000-0000-0000-0000-0000000000022', name: 'Adele Vance' };

function draft(intakeId: string, referrer = ALEX): NewAanmelding {
  return {
    intakeId,
    referrer: { identity: referrer, role: 'huisarts', conversationId: `personal-${referrer.id}` },
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

/** What a person sees after typing (or pressing) something in the personal chat: every activity, as JSON. */
const adapters = new WeakMap<Bot, TestAdapter>();
async function say(bot: Bot, person: typeof ALEX, input: { text?: string; value?: Record<string, unknown> }) {
  // One adapter per bot: it numbers the activities, and the bot ignores an id it has seen.
  const adapter = adapters.get(bot) ?? new TestAdapter(async (context) => bot.bot.run(context));
  adapters.set(bot, adapter);
  await adapter.receiveActivity({ type: 'message', ...input, from: person } as Activity);
  return adapter.activeQueue.splice(0);
}

async function statusAs(person: typeof ALEX, setup: (bot: Bot) => Promise<void>) {
  const bot = await inMemoryBot(() => NOW);
  await setup(bot);
  return JSON.stringify(await say(bot, person, { text: 'status' }));
}

/** The facts shown for one reference in the status card. */
function factsFor(activities: Partial<Activity>[], reference: string): Record<string, string> {
  const card = activities[0]?.attachments?.[0]?.content as { body: Record<string, any>[] };
  const block = card.body.find((e) => e.type === 'Container' && JSON.stringify(e.items[0]).includes(reference))!;
  const factSet = block.items.find((e: Record<string, any>) => e.type === 'FactSet');
  return Object.fromEntries(factSet.facts.map((f: { title: string; value: string }) => [f.title, f.value]));
}

const assignTo = (bot: Bot, reference: string, version: number, extra: Record<string, unknown> = {}) =>
  bot.stores.referrals.update(reference, version, (a) => ({ ...a, status: 'toegewezen', assignee: { aadObjectId: ADELE.aadObjectId, name: ADELE.name, role: 'gezinscoach' }, ...extra }), NOW);

describe('status in the personal chat', () => {
  it('lists per aanmelding the date, route, wijk, age bands and who has it, so a huisarts can tell which patient it is', async () => {
    const bot = await inMemoryBot(() => NOW);
    await bot.stores.referrals.create(draft('a'), NOW);
    const { aanmelding } = await bot.stores.referrals.create({ ...draft('b'), answers: { ...draft('b').answers, children: [{ age: 2 }, { age: 14 }] } }, NOW);
    await assignTo(bot, aanmelding.reference, 1);
    await bot.stores.referrals.create(draft('c', ADELE), NOW);
    const seen = await say(bot, ALEX, { text: 'status' });
    expect(factsFor(seen, 'AM-2026-0001')).toEqual({
      Aangemeld: '23 november 2026',
      Route: 'Gezinscoach',
      'Wijk of dorp': 'Oostrum',
      Kinderen: '4 t/m 11 jaar (1)',
      'Bij wie': 'nieuw, nog niet opgepakt',
      // Nobody has it yet: how long that usually takes (here: no practice to go on).
      'Verwachte wachttijd': 'Nog geen schatting (te weinig aanmeldingen de afgelopen 3 maanden); nu wachten er 2 aanmeldingen op iemand.',
    });
    expect(factsFor(seen, 'AM-2026-0002')).toMatchObject({ Kinderen: '0 t/m 3 jaar (1), 12 t/m 23 jaar (1)', 'Bij wie': 'bij Adele Vance (gezinscoach)' });
    const text = JSON.stringify(seen);
    expect(text).not.toContain('AM-2026-0003');
    expect(text).not.toContain('Petra');
  });

  it('shows the next evaluation of a gezinsverzorger trajectory', async () => {
    const bot = await inMemoryBot(() => NOW);
    const { aanmelding } = await bot.stores.referrals.create(draft('a'), NOW);
    await assignTo(bot, aanmelding.reference, 1, { evaluation: { dueOn: '2027-02-23' } });
    expect(factsFor(await say(bot, ALEX, { text: 'status' }), 'AM-2026-0001')['Volgende evaluatie']).toBe('23 februari 2027');
  });

  it('shows a professional the cases assigned to them, without a button for the patient record', async () => {
    const seen = await statusAs(ADELE, async (bot) => {
      const { aanmelding } = await bot.stores.referrals.create(draft('a'), NOW);
      await assignTo(bot, aanmelding.reference, 1);
    });
    expect(seen).toContain('Je hebt nog geen aanmeldingen gedaan.');
    expect(seen).toContain('Aan jou toegewezen (1)');
    expect(seen).toContain('AM-2026-0001');
    expect(seen).not.toContain('Kopieer voor het HIS');
  });
});

describe('"Kopieer voor het HIS"', () => {
  it('gives the huisarts a plain-text summary to paste into the patient record, without contact details, and audits it', async () => {
    const bot = await inMemoryBot(() => NOW);
    const { aanmelding } = await bot.stores.referrals.create({ ...draft('a'), answers: { ...draft('a').answers, explanation: 'Moeder is **erg** moe.\nVader werkt veel.' } }, NOW);
    await assignTo(bot, aanmelding.reference, 1);
    expect(JSON.stringify(await say(bot, ALEX, { text: 'status' }))).toContain('"title":"Kopieer voor het HIS"');

    const [reply] = await say(bot, ALEX, { value: { flow: 'his', reference: 'AM-2026-0001' } });
    const card = reply?.attachments?.[0]?.content as { body: Record<string, any>[]; actions?: unknown[] };
    const box = card.body.find((e) => e.type === 'Input.Text')!;
    expect(box.isMultiline).toBe(true);
    expect(box.value).toBe(
      [
        'Aanmelding gezinsondersteuning gemeente Standaard (regels uit domain.md, criteria van Venray), kenmerk AM-2026-0001',
        'Aangemeld: 23 november 2026 door Alex Wilber (huisarts)',
        'Route: Gezinscoach',
        'Toestemming: ja; huisarts op de hoogte houden: ja',
        'Kinderen: 6 jaar',
        'Gezin: ouders met kinderen',
        'Wijk of dorp: Oostrum',
        'Hoofdvraag: opvoeding',
        'Toelichting: Moeder is **erg** moe. Vader werkt veel.',
        'Stand: bij Adele Vance (gezinscoach)',
      ].join('\n'),
    );
    expect(box.value).not.toMatch(/Petra|06 111/);
    expect(card.actions).toBeUndefined();
    const audited = (await bot.stores.audit.entries()).filter((e) => e.event === 'aanmelding.his-samenvatting');
    expect(audited).toMatchObject([{ reference: 'AM-2026-0001', actor: { id: ALEX.aadObjectId, name: 'Alex Wilber' } }]);
  });

  it('is offered under a sent aanmelding of a huisarts or POH, not of a casemanager (who keeps no HIS)', async () => {
    const { submitted } = await import('../../dialogs/welcome.dialog.js');
    const { aanmelding, config } = await import('../fixtures/referral.js');
    const buttons = (role: 'huisarts' | 'poh' | 'casemanager') =>
      JSON.stringify(submitted(aanmelding({ referrer: { role } }), config).card).includes('"title":"Kopieer voor het HIS","data":{"flow":"his","reference":"AM-2026-0001"}');
    expect([buttons('huisarts'), buttons('poh'), buttons('casemanager')]).toEqual([true, true, false]);
  });

  it('gives the summary to nobody but the referrer, and audits nothing then', async () => {
    const bot = await inMemoryBot(() => NOW);
    await bot.stores.referrals.create(draft('a'), NOW);
    const [reply] = await say(bot, ADELE, { value: { flow: 'his', reference: 'AM-2026-0001' } });
    expect(reply?.text).toBe('Die samenvatting kan ik je niet geven: alleen wie de aanmelding deed, krijgt hem.');
    expect(JSON.stringify(reply)).not.toContain('Oostrum');
    expect((await bot.stores.audit.entries()).filter((e) => e.event === 'aanmelding.his-samenvatting')).toEqual([]);
  });
});

describe('help outside a flow', () => {
  it('tells about status and, where the gemeente offers one, the gezinsverzorger request', async () => {
    const { generalHelp } = await import('../../dialogs/welcome.dialog.js');
    const { loadGemeenteConfig, gemeenteConfigPath } = await import('../../data/gemeente.config.js');
    const standaard = JSON.stringify(generalHelp(loadGemeenteConfig(gemeenteConfigPath({ GEMEENTE: 'standaard' }))));
    const venray = JSON.stringify(generalHelp(loadGemeenteConfig(gemeenteConfigPath({ GEMEENTE: 'venray' }))));
    expect(standaard).toContain('**status**');
    expect(standaard).toContain('gezinsverzorger aanvragen');
    expect(venray).toContain('**status**');
    expect(venray).not.toContain('gezinsverzorger aanvragen');
  });
});
