import type { CloudAdapter } from 'botbuilder';
import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { CaseService } from '../../bot/case-service.js';
import { Deliveries } from '../../bot/deliveries.js';
import { Pacer } from '../../bot/teams-sender.js';
import type { Aanmelding } from '../../data/aanmelding.schema.js';
import { openStores, type Stores } from '../../data/stores.js';
import { adele, alex, config, CREATED, draft, isaiah, team, type AanmeldingOptions } from '../fixtures/referral.js';
import { walkAll } from '../support/cards.js';

/**
 * The family's huisarts is told at assignment and at closure, unless the family refused (seed 004): what each person
 * receives, through the case rules, the outbox and the delivery, and what the audit log records.
 */

const T = team();
const NOW = new Date('2026-03-03T08:00:00.000Z');
const CHANNEL = '19:coaches@thread.tacv2;messageid=1';
const log = pino({ level: 'silent' });

let stores: Stores;
let cases: CaseService;
/** Every 1:1 message sent, by conversation: the text a person reads (cards flattened). */
let received: { conversation: string; text: string }[];
let delivered: Set<string>;

beforeEach(async () => {
  stores = await openStores({ dataDir: undefined });
  cases = new CaseService({ stores, config, team: T, log, now: () => NOW, deliver: () => {} });
  received = [];
  delivered = new Set();
  // Everyone of the example team and Alex (De Linde's contact) has chatted with the bot: their 1:1 chats are known.
  for (const person of [alex, adele, isaiah]) {
    await stores.people.remember({ aadObjectId: person.aadObjectId, teamsUserId: `29:${person.name}`, name: person.name, serviceUrl: 'https://smba.example/', personal: { serviceUrl: 'https://smba.example/', channelId: 'msteams', conversation: { id: `personal:${person.name}` } } });
  }
});

function flatten(activity: { text?: string; attachments?: { content: unknown }[] }): string {
  const parts = activity.text ? [activity.text] : [];
  for (const attachment of activity.attachments ?? []) walkAll(attachment.content, (el) => void (typeof el.text === 'string' && parts.push(el.text)));
  return parts.join('\n');
}

/** Runs every queued 1:1 message through the delivery, as the outbox worker would. */
async function deliverAll(): Promise<void> {
  const adapter = {
    continueConversationAsync: async (_app: string, ref: { conversation: { id: string } }, logic: (context: unknown) => Promise<void>) => {
      await logic({ turnState: new Map(), sendActivity: async (activity: never) => void received.push({ conversation: ref.conversation.id, text: flatten(activity) }) });
    },
  };
  const run = new Deliveries({ adapter: adapter as unknown as CloudAdapter, appId: 'app', stores, config, team: T, log, pacer: new Pacer(), now: () => NOW });
  for (const job of await stores.outbox.list()) {
    if (job.kind !== 'message' || delivered.has(job.key)) continue;
    delivered.add(job.key);
    expect(await run.run(job)).toEqual({ ok: true });
  }
}

const consent = (feedbackToHuisarts: boolean) => ({ referral: 'ja' as const, givenBy: ['ouders-met-gezag'], feedbackToHuisarts, recordedAt: CREATED.toISOString() });
/** Referred by the school; the family's huisarts is `praktijk`. */
async function referred(praktijk: string | undefined, allowed: boolean, options: AanmeldingOptions = {}): Promise<Aanmelding> {
  const d = draft({ referrer: { role: 'school', praktijk: undefined, identity: { id: '29:school', aadObjectId: 'school-1', name: 'Sam School' }, conversationId: 'a:school', conversation: { serviceUrl: 'https://smba.example/', channelId: 'msteams', conversation: { id: 'personal:school' } } }, answers: { consent: consent(allowed), ...(praktijk ? { huisartsPraktijk: praktijk } : {}) }, ...options });
  return (await stores.referrals.create(d, CREATED)).aanmelding;
}

const toAlex = () => received.filter((m) => m.conversation === `personal:${alex.name}`).map((m) => m.text);
const toAdele = () => received.filter((m) => m.conversation === `personal:${adele.name}`).map((m) => m.text);
const huisartsAudit = async () => (await stores.audit.entries()).filter((e) => e.event === 'huisarts.geinformeerd');

describe('a practice with a contact in Teams', () => {
  it('tells the contact who is involved at assignment, and that it ended at closure; never anything of the family', async () => {
    const a = await referred('Huisartsenpraktijk De Linde', true);
    await cases.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL);
    await deliverAll();
    const [told] = toAlex();
    expect(told).toContain('Ter informatie voor Huisartsenpraktijk De Linde');
    expect(told).toContain(`Adele Vance (gezinscoach)`);
    expect(told).toContain(a.reference);
    for (const family of ['Jan de Vries', '06 12345678', 'slapen', 'Oostrum']) expect(told).not.toContain(family);

    const assigned = (await stores.referrals.get(a.reference))!;
    await cases.onCardAction('close', { reference: a.reference, version: assigned.version, reason: 'doelen-behaald' }, adele, CHANNEL);
    await deliverAll();
    expect(toAlex()).toHaveLength(2);
    expect(toAlex()[1]).toContain('is afgesloten');
    expect(toAlex()[1]).not.toContain('Doelen behaald');
    expect((await huisartsAudit()).map((e) => e.detail)).toEqual([
      'betrokkenheid: bericht aan Alex Wilber (contactpersoon praktijk)',
      'afsluiting: bericht aan Alex Wilber (contactpersoon praktijk)',
    ]);
  });

  it('tells the contact once, however often the outbox runs', async () => {
    const a = await referred('Huisartsenpraktijk De Linde', true);
    await cases.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL);
    const queued = (await stores.outbox.list()).filter((j) => JSON.stringify(j.payload).includes('"huisarts"'));
    expect(queued).toHaveLength(1);
    expect(await stores.outbox.enqueue(queued[0]!, NOW)).toBeFalsy();
  });

  it('tells nobody when the family does not want the huisarts informed', async () => {
    const a = await referred('Huisartsenpraktijk De Linde', false);
    await cases.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL);
    await deliverAll();
    expect(toAlex()).toEqual([]);
    expect(await huisartsAudit()).toEqual([]);
  });

  it('tells nobody when the family’s practice is not known', async () => {
    const a = await referred(undefined, true);
    await cases.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL);
    await deliverAll();
    expect(toAlex()).toEqual([]);
    expect(toAdele().join('\n')).not.toContain('Brief voor de huisarts');
  });
});

describe('a practice without a contact in Teams', () => {
  it('puts a letter for the huisarts in the assignee’s dossier, and gives the one who closes a closing letter', async () => {
    const a = await referred('Huisartsenpraktijk Ysselsteyn', true);
    await cases.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL);
    await deliverAll();
    const dossier = toAdele().join('\n');
    expect(dossier).toContain('Brief voor de huisarts');
    expect(dossier).toContain('Aan: Huisartsenpraktijk Ysselsteyn');
    expect(dossier).toContain('Adele Vance \\(gezinscoach\\)');
    expect((await huisartsAudit()).map((e) => e.detail)).toEqual(['betrokkenheid: brief voor de huisarts in het dossier van Adele Vance']);

    received = [];
    const assigned = (await stores.referrals.get(a.reference))!;
    await cases.onCardAction('close', { reference: a.reference, version: assigned.version, reason: 'doelen-behaald' }, adele, CHANNEL);
    await deliverAll();
    const closing = toAdele().join('\n');
    expect(closing).toContain('Brief voor de huisarts');
    expect(closing).toContain('ondersteuning afgesloten');
    expect(toAlex()).toEqual([]);
    expect((await huisartsAudit()).at(-1)?.detail).toBe('afsluiting: brief voor de huisarts aan Adele Vance');
  });

  it('has no letter in the dossier when the family refused', async () => {
    const a = await referred('Huisartsenpraktijk Ysselsteyn', false);
    await cases.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL);
    await deliverAll();
    expect(toAdele().join('\n')).toContain(`Dossier ${a.reference}`);
    expect(toAdele().join('\n')).not.toContain('Brief voor de huisarts');
  });
});
