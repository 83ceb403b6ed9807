import { pino } from 'pino';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CaseService } from '../../bot/case-service.js';
import type { Aanmelding } from '../../data/aanmelding.schema.js';
import { openStores, type Stores } from '../../data/stores.js';
import type { TeamConfig } from '../../data/team.config.js';
import type { AdaptiveCard } from '../../dialogs/card.js';
import { referrerUpdate } from '../../dialogs/referral.card.js';
import { adele, config, CREATED, draft, isaiah, megan, patti, ROUTE_ANSWERS, team, type AanmeldingOptions } from '../fixtures/referral.js';
import { walkAll } from '../support/cards.js';

/** Issue 15 through the card actions: a keukentafelgesprek for two people, intensity, the gedragswetenschapper, norms. */

const NOW = new Date('2026-03-03T08:00:00.000Z');
const CHANNEL = '19:coaches@thread.tacv2;messageid=1700000000000';

function textOf(card: unknown): string {
  const parts: string[] = [];
  walkAll(card, (element) => {
    for (const key of ['text', 'title'] as const) if (typeof element[key] === 'string') parts.push(element[key]);
  });
  return parts.join('\n');
}
/** The card's facts, title → value (the FactSet's values are not text blocks). */
function factsOf(card: unknown): Record<string, string> {
  const facts: Record<string, string> = {};
  walkAll(card, (element) => {
    if (element.type === 'FactSet') for (const f of element.facts as { title: string; value: string }[]) facts[f.title] = f.value;
  });
  return facts;
}
const buttonsOf = (card: AdaptiveCard): string[] => (card.actions ?? []).map((action) => String(action.title));
function noticeOf(card: AdaptiveCard): { tone: string; text: string } | undefined {
  const notice = card.body.find((element) => element.type === 'Container');
  return notice ? { tone: String(notice.style), text: textOf(notice) } : undefined;
}

let stores: Stores;
let service: CaseService;

/** Adele's own waakvlam norm is 1 here, so a second waakvlam case takes her over it. */
function teamWithSmallNorms(): TeamConfig {
  const t = team();
  return { ...t, professionals: t.professionals.map((p) => (p.aadObjectId === adele.aadObjectId ? { ...p, capacity: { ...p.capacity, maxWaakvlam: 1 } } : p)) };
}

beforeEach(async () => {
  stores = await openStores({ dataDir: undefined });
  service = new CaseService({ stores, config, team: teamWithSmallNorms(), log: pino({ level: 'silent' }), now: () => NOW, deliver: vi.fn() });
});

async function posted(options: AanmeldingOptions = {}): Promise<Aanmelding> {
  const a = (await stores.referrals.create(draft(options), CREATED)).aanmelding;
  const post = { service: 'gezinscoach' as const, conversationId: CHANNEL, activityId: '1700000000000', serviceUrl: 'https://smba.example/', postedAt: CREATED.toISOString() };
  const result = await stores.referrals.update(a.reference, a.version, (current) => ({ ...current, post }), CREATED);
  if (!result.ok) throw new Error('could not post');
  return result.aanmelding;
}
const keukentafel = () => posted({ answers: ROUTE_ANSWERS.keukentafelgesprek });
const current = async (a: Aanmelding) => (await stores.referrals.get(a.reference))!;
const messages = async () => (await stores.outbox.list()).filter((j) => j.kind === 'message').map((j) => j.payload as { to: { kind: string; aadObjectId?: string }; content: { kind: string; professional?: string } });

describe('a keukentafelgesprek picked up by a gezinscoach and a jeugdconsulent', () => {
  it('lets both press "Ik pak deze op" on the same card at once: both are on the case, each gets the dossier, the referrer hears each', async () => {
    const a = await keukentafel();
    const [coach, consulent] = await Promise.all([
      service.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL),
      service.onCardAction('claim', { reference: a.reference, version: a.version }, patti, CHANNEL),
    ]);
    for (const { card } of [coach, consulent]) expect(noticeOf(card)?.tone).toBe('good');
    const saved = await current(a);
    expect([saved.assignee?.name, saved.coAssignee?.name].sort()).toEqual(['Adele Vance', 'Patti Fernandez']);
    expect(textOf(consulent.card)).toMatch(/Status: Toegewezen aan (Adele Vance \(gezinscoach\) en Patti Fernandez \(jeugdconsulent\)|Patti Fernandez \(jeugdconsulent\) en Adele Vance \(gezinscoach\))/);

    const sent = await messages();
    expect(sent.filter((m) => m.content.kind === 'dossier').map((m) => m.to.aadObjectId).sort()).toEqual([adele.aadObjectId, patti.aadObjectId].sort());
    const told = sent.filter((m) => m.content.kind === 'referrer-update').map((m) => referrerUpdate(saved, 'opgepakt', 0, m.content.professional).text ?? '');
    expect(told.some((t) => t.includes('opgepakt door Adele Vance (gezinscoach)'))).toBe(true);
    expect(told.some((t) => t.includes('opgepakt door Patti Fernandez (jeugdconsulent)'))).toBe(true);

    const audit = (await stores.audit.entries()).filter((e) => e.event === 'aanmelding.opgepakt');
    expect(audit.map((e) => e.actor.name).sort()).toEqual(['Adele Vance', 'Patti Fernandez']);
  });

  it('shows the card with both slots, and the one still open, with "Ik pak deze op" only for that role', async () => {
    const a = await keukentafel();
    const { card } = await service.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL);
    expect(textOf(card)).toContain('Status: Toegewezen aan Adele Vance (gezinscoach); jeugdconsulent nog open');
    expect(factsOf(card)).toMatchObject({ Gezinscoach: 'Adele Vance', Jeugdconsulent: 'nog open' });
    const forPatti = await service.cardFor(await current(a), patti);
    const forIsaiah = await service.cardFor(await current(a), isaiah);
    expect(buttonsOf(forPatti)).toContain('Ik pak deze op');
    expect(buttonsOf(forIsaiah)).not.toContain('Ik pak deze op');
  });

  it('lets one of two gezinscoaches pressing at once win, and tells the other who has the slot', async () => {
    const a = await keukentafel();
    const [first, second] = await Promise.all([
      service.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL),
      service.onCardAction('claim', { reference: a.reference, version: a.version }, isaiah, CHANNEL),
    ]);
    expect(noticeOf(first.card)?.tone).toBe('good');
    expect(noticeOf(second.card)).toEqual({ tone: 'attention', text: 'De gezinscoach van dit keukentafelgesprek is al Adele Vance.' });
    expect((await current(a)).coAssignee).toBeUndefined();
  });

  it('lets the coordinator fill the jeugdconsulent slot from a card that is a step behind', async () => {
    const a = await keukentafel();
    await service.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL);
    const { card } = await service.onCardAction('assign', { reference: a.reference, version: a.version, professional: patti.aadObjectId }, megan, CHANNEL);
    expect(noticeOf(card)).toEqual({ tone: 'good', text: 'Toegewezen aan Patti Fernandez. Die krijgt het dossier persoonlijk, en de verwijzer hoort het.' });
    expect((await current(a)).coAssignee?.name).toBe('Patti Fernandez');
  });
});

describe('intensity on the card', () => {
  it('lets the assignee set waakvlam: the card waits for the gedragswetenschapper, who alone can agree; both audited', async () => {
    const a = await posted();
    await service.onCardAction('claim', { reference: a.reference, version: a.version }, adele, CHANNEL);
    const v2 = (await current(a)).version;
    const set = await service.onCardAction('intensity', { reference: a.reference, version: v2, intensity: 'waakvlam' }, adele, CHANNEL);
    expect(noticeOf(set.card)?.text).toBe('Intensiteit vastgelegd: waakvlam. Nu wacht het op het akkoord van de gedragswetenschapper.');
    expect(factsOf(set.card)).toMatchObject({ Intensiteit: 'Waakvlam — wacht op akkoord gedragswetenschapper', 'Waakvlam bij Adele Vance': '1 van 1' });
    expect(buttonsOf(await service.cardFor(await current(a), megan))).toContain('Akkoord gedragswetenschapper');
    expect(buttonsOf(set.card)).not.toContain('Akkoord gedragswetenschapper');

    const v3 = (await current(a)).version;
    const refused = await service.onCardAction('agree', { reference: a.reference, version: v3 }, adele, CHANNEL);
    expect(noticeOf(refused.card)?.text).toBe('Alleen de gedragswetenschapper van het team geeft akkoord op waakvlam of complex-intensief.');
    const agreed = await service.onCardAction('agree', { reference: a.reference, version: v3 }, megan, CHANNEL);
    expect(factsOf(agreed.card).Intensiteit).toBe('Waakvlam — akkoord Megan Bowen');

    const audit = await stores.audit.entries();
    expect(audit.filter((e) => e.event === 'aanmelding.intensiteit' || e.event === 'aanmelding.akkoord').map((e) => [e.event, e.actor.name, e.detail])).toEqual([
      ['aanmelding.intensiteit', 'Adele Vance', 'intensiteit waakvlam (Adele Vance); wacht op akkoord gedragswetenschapper'],
      ['aanmelding.akkoord', 'Megan Bowen', 'akkoord gedragswetenschapper op waakvlam (Megan Bowen)'],
    ]);
  });

  it('allows going over a norm, with a warning on the card and the norm in the audit detail', async () => {
    const first = await posted();
    await service.onCardAction('assign', { reference: first.reference, version: first.version, professional: adele.aadObjectId, intensity: 'waakvlam' }, megan, CHANNEL);
    const second = await posted();
    const { card } = await service.onCardAction('assign', { reference: second.reference, version: second.version, professional: adele.aadObjectId, intensity: 'waakvlam' }, megan, CHANNEL);

    expect(noticeOf(card)).toEqual({
      tone: 'warning',
      text: 'Toegewezen aan Adele Vance. Die krijgt het dossier persoonlijk, en de verwijzer hoort het.\n\nLet op, boven de norm: Adele Vance heeft nu 2 gezinnen met waakvlam (norm: 1). Dat mag; het is vastgelegd.',
    });
    expect(factsOf(card)['Waakvlam bij Adele Vance']).toBe('2 van 1 — boven de norm');
    expect((await current(second)).status).toBe('toegewezen');
    const assigned = (await stores.audit.entries()).filter((e) => e.reference === second.reference).map((e) => [e.event, e.detail]);
    expect(assigned).toEqual([
      ['aanmelding.intensiteit', 'intensiteit waakvlam (Megan Bowen); wacht op akkoord gedragswetenschapper'],
      ['aanmelding.toegewezen', 'toegewezen aan Adele Vance door Megan Bowen; boven de norm: waakvlam Adele Vance 2 van 1'],
    ]);
  });

  it("shows each professional's waakvlam against their norm in the assign choices", async () => {
    const first = await posted();
    await service.onCardAction('assign', { reference: first.reference, version: first.version, professional: adele.aadObjectId, intensity: 'waakvlam' }, megan, CHANNEL);
    const fresh = await posted();
    const card = await service.cardFor(fresh, megan);
    expect(JSON.stringify(card)).toContain('Adele Vance, gezinscoach — 1 van 15 gezinnen, nog 14 plekken, vaste coach van Oostrum, waakvlam 1 van 1, complex-intensief 0 van 3');
  });
});
