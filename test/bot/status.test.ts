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

async function statusAs(person: typeof ALEX, setup: (bot: Awaited<ReturnType<typeof inMemoryBot>>) => Promise<void>) {
  const bot = await inMemoryBot(() => NOW);
  await setup(bot);
  const adapter = new TestAdapter(async (context) => bot.bot.run(context));
  await adapter.receiveActivity({ type: 'message', text: 'status', from: person } as Activity);
  return JSON.stringify(adapter.activeQueue.splice(0));
}

describe('status in the personal chat', () => {
  it('lists the referrer’s own aanmeldingen with where each stands, without the family’s name', async () => {
    const seen = await statusAs(ALEX, async ({ stores }) => {
      await stores.referrals.create(draft('a'), NOW);
      const { aanmelding } = await stores.referrals.create(draft('b'), NOW);
      await stores.referrals.update(aanmelding.reference, 1, (a) => ({ ...a, status: 'toegewezen', assignee: { aadObjectId: ADELE.aadObjectId, name: ADELE.name, role: 'gezinscoach' } }), NOW);
      await stores.referrals.create(draft('c', ADELE), NOW);
    });
    expect(seen).toContain('AM-2026-0001** · Gezinscoach · nieuw, nog niet opgepakt');
    expect(seen).toContain('AM-2026-0002** · Gezinscoach · opgepakt door Adele Vance');
    expect(seen).not.toContain('AM-2026-0003');
    expect(seen).not.toContain('Petra');
  });

  it('shows a professional the cases assigned to them', async () => {
    const seen = await statusAs(ADELE, async ({ stores }) => {
      const { aanmelding } = await stores.referrals.create(draft('a'), NOW);
      await stores.referrals.update(aanmelding.reference, 1, (a) => ({ ...a, status: 'toegewezen', assignee: { aadObjectId: ADELE.aadObjectId, name: ADELE.name, role: 'gezinscoach' } }), NOW);
    });
    expect(seen).toContain('Je hebt nog geen aanmeldingen gedaan.');
    expect(seen).toContain('Aan jou toegewezen (1)');
    expect(seen).toContain('AM-2026-0001');
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
