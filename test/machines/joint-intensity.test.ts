import { describe, expect, it } from 'vitest';
import type { Aanmelding } from '../../data/aanmelding.schema.js';
import type { TeamConfig } from '../../data/team.config.js';
import {
  assignCandidates,
  assigneesOf,
  assignmentsOf,
  decide,
  fillsFreeSlot,
  loadsOf,
  normsFor,
  openRoles,
  slotsOf,
  type Actor,
  type Assignment,
  type CaseDecision,
  type CaseRequest,
} from '../../machines/referral-case.js';
import { aanmelding, adele, isaiah, lynne, megan, patti, ROUTE_ANSWERS, team } from '../fixtures/referral.js';

/** Issue 15, points 1 and 2: a keukentafelgesprek held by two people, and the intensity of a running case against its norms. */

const T = team();
const AT = new Date('2026-03-03T10:00:00.000Z');

function after(a: Aanmelding, request: CaseRequest, actor: Actor, team: TeamConfig = T, assignments?: Assignment[]): Aanmelding {
  const decision = decide(a, request, actor, team, AT, assignments ? { assignments } : {});
  if (!decision.ok) throw new Error(`refused: ${decision.refusal}`);
  return decision.next;
}
const refusalOf = (decision: CaseDecision): string => (decision.ok ? '<toegestaan>' : decision.refusal);

const keukentafel = (reference = 'AM-2026-0001') => aanmelding({ reference, answers: ROUTE_ANSWERS.keukentafelgesprek });
const gezinscoachCase = (reference = 'AM-2026-0001') => aanmelding({ reference, answers: ROUTE_ANSWERS.gezinscoach });
const claim: CaseRequest = { kind: 'claim' };
const assign = (who: Actor, intensity?: 'licht' | 'waakvlam' | 'complex-intensief'): CaseRequest => ({ kind: 'assign', professional: who.aadObjectId, ...(intensity ? { intensity } : {}) });

/** A team whose own waakvlam norm for Adele is 1 and whose complex-intensief norm is 1 (to go over with two cases). */
function smallTeam(): TeamConfig {
  const t = team();
  return {
    ...t,
    normComplexIntensief: 1,
    professionals: t.professionals.map((p) => (p.aadObjectId === adele.aadObjectId ? { ...p, capacity: { ...p.capacity, maxWaakvlam: 1 } } : p)),
  };
}

describe('a keukentafelgesprek has two slots: a gezinscoach and a jeugdconsulent (seed 004)', () => {
  it('has the two slots open at first, one for each role', () => {
    expect(slotsOf(keukentafel())).toEqual([{ role: 'gezinscoach' }, { role: 'jeugdconsulent' }]);
    expect(openRoles(keukentafel())).toEqual(['gezinscoach', 'jeugdconsulent']);
  });

  it('lets the jeugdconsulent pick it up first and the gezinscoach after, both on the case', () => {
    const first = after(keukentafel(), claim, patti);
    expect(first.status).toBe('toegewezen');
    expect(openRoles(first)).toEqual(['gezinscoach']);
    const both = after(first, claim, adele);
    expect(assigneesOf(both).map((x) => [x.name, x.role])).toEqual([
      ['Patti Fernandez', 'jeugdconsulent'],
      ['Adele Vance', 'gezinscoach'],
    ]);
    expect(openRoles(both)).toEqual([]);
    expect(both.history.filter((e) => e.action === 'opgepakt').map((e) => e.detail)).toEqual(['opgepakt door Patti Fernandez', 'opgepakt door Adele Vance']);
  });

  it('tells the referrer of each one and sends each the dossier', () => {
    const decision = decide(after(keukentafel(), claim, adele), claim, patti, T, AT);
    expect(decision.ok && decision.effects).toEqual([
      { kind: 'tell-referrer', about: 'opgepakt', professional: patti.aadObjectId },
      { kind: 'send-dossier', to: patti },
    ]);
  });

  it('refuses a second gezinscoach, naming who holds that slot', () => {
    const taken = after(keukentafel(), claim, adele);
    expect(refusalOf(decide(taken, claim, isaiah, T, AT))).toBe('De gezinscoach van dit keukentafelgesprek is al Adele Vance.');
  });

  it('lets a coordinator fill either slot, and refuses a gezinsverzorger for it', () => {
    const coached = after(keukentafel(), assign(isaiah), megan);
    const both = after(coached, assign(patti), megan);
    expect(assigneesOf(both).map((x) => x.name)).toEqual(['Isaiah Langer', 'Patti Fernandez']);
    expect(refusalOf(decide(keukentafel(), assign(lynne), megan, T, AT))).toBe(
      'Een keukentafelgesprek doen een gezinscoach en een jeugdconsulent samen; Lynne Robbins is gezinsverzorger.',
    );
  });

  it('lets a coordinator replace the gezinscoach without touching the jeugdconsulent', () => {
    const both = after(after(keukentafel(), claim, patti), claim, adele);
    const replaced = after(both, assign(isaiah), megan);
    expect(assigneesOf(replaced).map((x) => x.name)).toEqual(['Patti Fernandez', 'Isaiah Langer']);
  });

  it('lets both people read the dossier, ask the referrer and close', () => {
    const both = after(after(keukentafel(), claim, patti), claim, adele);
    for (const who of [patti, adele]) expect(decide(both, { kind: 'dossier' }, who, T, AT).ok).toBe(true);
    expect(after(both, { kind: 'close', reason: 'doelen-behaald' }, adele).status).toBe('afgesloten');
  });

  it('counts the case in both caseloads', () => {
    const both = after(after(keukentafel(), claim, patti), claim, adele);
    const loads = loadsOf(assignmentsOf([both]));
    expect([loads.get(adele.aadObjectId), loads.get(patti.aadObjectId)]).toEqual([1, 1]);
  });

  it('offers the role of the free slot first in the assign choices', () => {
    const coached = after(keukentafel(), claim, adele);
    const candidates = assignCandidates(coached, T, loadsOf(assignmentsOf([coached])));
    expect(candidates.filter((c) => c.fitsRoute).map((c) => c.professional.name)).toEqual(['Patti Fernandez']);
  });

  it('keeps one slot on other routes: a second gezinscoach is told who has it', () => {
    const taken = after(gezinscoachCase(), claim, adele);
    expect(openRoles(taken)).toEqual([]);
    expect(refusalOf(decide(taken, claim, patti, T, AT))).toBe('Deze aanmelding is al opgepakt door Adele Vance.');
  });

  it('knows a stale request for the other, free slot from one for a slot that is taken now', () => {
    const coached = after(keukentafel(), claim, adele);
    expect(fillsFreeSlot(coached, claim, patti, T)).toBe(true);
    expect(fillsFreeSlot(coached, claim, isaiah, T)).toBe(true); // decided again: refused with who has it
    expect(fillsFreeSlot(coached, assign(patti), megan, T)).toBe(true);
    expect(fillsFreeSlot(coached, assign(isaiah), megan, T)).toBe(false);
    expect(fillsFreeSlot(after(gezinscoachCase(), claim, adele), assign(isaiah), megan, T)).toBe(false);
    expect(fillsFreeSlot(coached, { kind: 'waitlist', reason: 'geen-ruimte' }, megan, T)).toBe(false);
  });
});

describe('the intensity of a running case (seed 004: licht, waakvlam, complex-intensief)', () => {
  const running = () => after(gezinscoachCase(), claim, adele);

  it('is licht until someone sets it', () => {
    expect(running().intensity).toBeUndefined();
    expect(normsFor(running(), assignmentsOf([running()]), T)).toEqual([]);
  });

  it('lets the assignee set waakvlam, which then waits for the gedragswetenschapper, in the history', () => {
    const waakvlam = after(running(), { kind: 'intensity', level: 'waakvlam' }, adele);
    expect(waakvlam.intensity).toEqual({ level: 'waakvlam', since: AT.toISOString(), by: adele });
    expect(waakvlam.history.at(-1)?.detail).toBe('intensiteit waakvlam (Adele Vance); wacht op akkoord gedragswetenschapper');
  });

  it('lets the coordinator set it at assignment', () => {
    const assigned = after(gezinscoachCase(), assign(adele, 'complex-intensief'), megan);
    expect(assigned.intensity?.level).toBe('complex-intensief');
    expect(assigned.history.slice(-2).map((e) => e.action)).toEqual(['intensiteit', 'toegewezen']);
  });

  it('refuses it before anyone has the case, and from someone else', () => {
    expect(refusalOf(decide(gezinscoachCase(), { kind: 'intensity', level: 'waakvlam' }, megan, T, AT))).toMatch(/zodra iemand de aanmelding heeft/);
    expect(refusalOf(decide(running(), { kind: 'intensity', level: 'waakvlam' }, isaiah, T, AT))).toMatch(/Alleen de coördinator of wie de aanmelding heeft/);
  });

  it('records the agreement of the gedragswetenschapper only, once', () => {
    const waakvlam = after(running(), { kind: 'intensity', level: 'waakvlam' }, adele);
    expect(refusalOf(decide(waakvlam, { kind: 'agree' }, adele, T, AT))).toBe('Alleen de gedragswetenschapper van het team geeft akkoord op waakvlam of complex-intensief.');
    const agreed = after(waakvlam, { kind: 'agree' }, megan);
    expect(agreed.intensity?.agreed).toEqual({ by: megan, at: AT.toISOString() });
    expect(agreed.history.at(-1)).toMatchObject({ action: 'akkoord', detail: 'akkoord gedragswetenschapper op waakvlam (Megan Bowen)' });
    expect(refusalOf(decide(running(), { kind: 'agree' }, megan, T, AT))).toBe('Er is geen waakvlam of complex-intensief om akkoord op te geven.');
  });

  it('asks for a new agreement when the intensity changes', () => {
    const agreed = after(after(running(), { kind: 'intensity', level: 'waakvlam' }, adele), { kind: 'agree' }, megan);
    const complex = after(agreed, { kind: 'intensity', level: 'complex-intensief' }, adele);
    expect(complex.intensity?.agreed).toBeUndefined();
  });
});

describe('the norms (waakvlam per coach, complex-intensief per professional and in the team)', () => {
  const small = smallTeam();
  const waakvlamCase = (reference: string) => after(after(gezinscoachCase(reference), claim, adele, small), { kind: 'intensity', level: 'waakvlam' }, adele, small);

  it("counts a professional's waakvlam cases against their maxWaakvlam", () => {
    const one = waakvlamCase('AM-2026-0001');
    expect(normsFor(one, assignmentsOf([one]), small)).toEqual([{ intensity: 'waakvlam', professional: adele, count: 1, max: 1 }]);
  });

  it('allows going over a norm but says which one', () => {
    const others = assignmentsOf([waakvlamCase('AM-2026-0001')]);
    const second = after(gezinscoachCase('AM-2026-0002'), claim, adele, small);
    const decision = decide(second, { kind: 'intensity', level: 'waakvlam' }, adele, small, AT, { assignments: [...others, ...assignmentsOf([second])] });
    expect(decision.ok && decision.overNorm).toEqual([{ intensity: 'waakvlam', professional: adele, count: 2, max: 1 }]);
  });

  it('counts a joint complex-intensief case once in the team, and for each of its two people', () => {
    const joint = after(after(after(keukentafel('AM-2026-0001'), claim, adele, small), claim, patti, small), { kind: 'intensity', level: 'complex-intensief' }, adele, small);
    expect(normsFor(joint, assignmentsOf([joint]), small)).toEqual([
      { intensity: 'complex-intensief', professional: adele, count: 1, max: 3 },
      { intensity: 'complex-intensief', professional: patti, count: 1, max: 10 },
      { intensity: 'complex-intensief', count: 1, max: 1 },
    ]);
  });

  it('warns at assignment when the case takes the new assignee over their norm', () => {
    const others = assignmentsOf([waakvlamCase('AM-2026-0001')]);
    const unassigned = { ...waakvlamCase('AM-2026-0002'), assignee: undefined, status: 'nieuw' as const };
    const decision = decide(unassigned, assign(adele), megan, small, AT, { assignments: others });
    expect(decision.ok && decision.overNorm).toEqual([{ intensity: 'waakvlam', professional: adele, count: 2, max: 1 }]);
  });

  it('says nothing when a change stays within the norms', () => {
    const decision = decide(after(gezinscoachCase(), claim, adele), { kind: 'intensity', level: 'waakvlam' }, adele, T, AT, { assignments: [] });
    expect(decision.ok && decision.overNorm).toBeUndefined();
  });

  it('shows each professional their waakvlam and complex-intensief cases in the assign choices', () => {
    const one = waakvlamCase('AM-2026-0001');
    const candidates = assignCandidates(gezinscoachCase('AM-2026-0002'), small, loadsOf(assignmentsOf([one])), assignmentsOf([one]));
    expect(candidates.find((c) => c.professional.name === 'Adele Vance')).toMatchObject({ activeCases: 1, waakvlam: 1, complexIntensief: 0 });
  });
});
