import { describe, expect, it } from 'vitest';
import type { Aanmelding } from '../../data/aanmelding.schema.js';
import { assignCandidates, caseloads, decide, rolesForRoute, teamRoleOf, type Actor, type CaseDecision, type CaseRequest } from '../../machines/referral-case.js';
import { aanmelding, adele, alex, isaiah, lynne, megan, patti, ROUTE_ANSWERS, stranger, team } from '../fixtures/referral.js';

const T = team();
const AT = new Date('2026-03-03T10:00:00.000Z');

const act = (a: Aanmelding, request: CaseRequest, actor: Actor): CaseDecision => decide(a, request, actor, T, AT);

/** The aanmelding after a step that must be allowed. */
function after(a: Aanmelding, request: CaseRequest, actor: Actor): Aanmelding {
  const decision = act(a, request, actor);
  if (!decision.ok) throw new Error(`refused: ${decision.refusal}`);
  return decision.next;
}

/** The refusal, or a marker that makes a toMatch on a refusal fail when the step was allowed. */
const refusalOf = (decision: CaseDecision): string => (decision.ok ? '<toegestaan>' : decision.refusal);

const claim: CaseRequest = { kind: 'claim' };
const ask = (questionId = 'q1', question = 'Wanneer is het gezin het best bereikbaar?'): CaseRequest => ({ kind: 'ask', questionId, question });
const answer = (questionId = 'q1', text = 'Na drie uur.'): CaseRequest => ({ kind: 'answer', questionId, answer: text });

const onRoute = (route: keyof typeof ROUTE_ANSWERS) => aanmelding({ answers: ROUTE_ANSWERS[route] });
const assignedTo = (who: Actor, a = aanmelding()) => after(a, { kind: 'assign', professional: who.aadObjectId }, megan);
const waitlisted = (a = aanmelding()) => after(a, { kind: 'waitlist', reason: 'geen-ruimte' }, megan);
const closed = () => after(assignedTo(adele), { kind: 'close', reason: 'doelen-behaald' }, adele);

describe('who is who in the team', () => {
  it('knows the coordinator, each professional by role, and nobody else', () => {
    expect(teamRoleOf(megan.aadObjectId, T)).toBe('coordinator');
    expect(teamRoleOf(adele.aadObjectId, T)).toBe('gezinscoach');
    expect(teamRoleOf(patti.aadObjectId, T)).toBe('jeugdconsulent');
    expect(teamRoleOf(lynne.aadObjectId, T)).toBe('gezinsverzorger');
    expect(teamRoleOf(stranger.aadObjectId, T)).toBeUndefined();
    expect(teamRoleOf(alex.aadObjectId, T)).toBeUndefined();
  });

  it.each([
    ['gezinscoach', ['gezinscoach', 'jeugdconsulent']],
    ['keukentafelgesprek', ['gezinscoach', 'jeugdconsulent']],
    ['jeugdconsulent', ['jeugdconsulent']],
    ['gezinsverzorger', ['gezinsverzorger']],
  ] as const)('lets %s be taken by %j', (route, roles) => {
    expect(rolesForRoute(route)).toEqual(roles);
  });
});

describe('claiming an aanmelding ("Ik pak deze op")', () => {
  it.each(['gezinscoach', 'keukentafelgesprek'] as const)('gives a %s aanmelding to the gezinscoach who claims it', (route) => {
    const a = onRoute(route);
    const decision = act(a, claim, adele);
    expect(decision).toMatchObject({ ok: true, changed: true });
    if (!decision.ok) return;
    expect(decision.next.status).toBe('toegewezen');
    expect(decision.next.assignee).toEqual({ ...adele, role: 'gezinscoach' });
    expect(decision.effects).toEqual([
      { kind: 'tell-referrer', about: 'opgepakt', professional: adele.aadObjectId },
      { kind: 'send-dossier', to: adele },
    ]);
    expect(decision.next.history).toHaveLength(a.history.length + 1);
    expect(decision.next.history.at(-1)).toEqual({ at: AT.toISOString(), action: 'opgepakt', by: adele, detail: 'opgepakt door Adele Vance' });
  });

  it('lets the jeugdconsulent claim a jeugdconsulent aanmelding, and the gezinsverzorger a gezinsverzorger one', () => {
    expect(after(onRoute('jeugdconsulent'), claim, patti).assignee?.role).toBe('jeugdconsulent');
    expect(after(onRoute('gezinsverzorger'), claim, lynne).assignee?.role).toBe('gezinsverzorger');
  });

  it('takes a claimed aanmelding off the waiting list', () => {
    const next = after(waitlisted(), claim, adele);
    expect(next.status).toBe('toegewezen');
    expect(next.waitlist).toBeUndefined();
  });

  it('refuses a coordinator and points to "Toewijzen aan…"', () => {
    expect(refusalOf(act(aanmelding(), claim, megan))).toMatch(/^Alleen een professional uit het team kan een aanmelding oppakken\..*Toewijzen aan…/);
  });

  it('refuses someone outside the team', () => {
    expect(refusalOf(act(aanmelding(), claim, stranger))).toMatch(/^Alleen een professional uit het team/);
  });

  it('refuses a gezinsverzorger on a gezinscoach aanmelding, and a gezinscoach on a jeugdconsulent or gezinsverzorger one', () => {
    expect(refusalOf(act(onRoute('gezinscoach'), claim, lynne))).toMatch(/als gezinsverzorger kun je hem niet oppakken\. Vraag de coördinator\./);
    expect(refusalOf(act(onRoute('jeugdconsulent'), claim, adele))).toMatch(/als gezinscoach kun je hem niet oppakken/);
    expect(refusalOf(act(onRoute('gezinsverzorger'), claim, adele))).toMatch(/als gezinscoach kun je hem niet oppakken/);
  });

  it('refuses when someone else has it already, and names them', () => {
    expect(refusalOf(act(after(aanmelding(), claim, adele), claim, isaiah))).toBe('Deze aanmelding is al opgepakt door Adele Vance.');
  });

  it('accepts the assignee claiming again without changing anything (a double click)', () => {
    const mine = after(aanmelding(), claim, adele);
    expect(act(mine, claim, adele)).toEqual({ ok: true, changed: false, next: mine, effects: [] });
  });
});

describe('taking on an anonymous consultation or a case without consent ("Ik overleg met de verwijzer")', () => {
  const consent = (referral: 'anoniem' | 'nee') => ({ referral, givenBy: [], feedbackToHuisarts: false, recordedAt: AT.toISOString() });
  const anonymous = () => aanmelding({ answers: { consent: consent('anoniem'), contact: undefined } });
  const safetyOnly = () => aanmelding({ answers: { safety: { concern: true, action: 'veilig-thuis-gemeld' }, consent: consent('nee'), contact: undefined } });

  it('makes the professional the assignee as a pickup does, and records that they consult the referrer', () => {
    const a = anonymous();
    const decision = act(a, claim, adele);
    expect(decision).toMatchObject({ ok: true, changed: true });
    if (!decision.ok) return;
    expect(decision.next).toMatchObject({ status: 'toegewezen', assignee: { ...adele, role: 'gezinscoach' } });
    expect(decision.effects).toEqual([
      { kind: 'tell-referrer', about: 'opgepakt', professional: adele.aadObjectId },
      { kind: 'send-dossier', to: adele },
    ]);
    expect(decision.next.history.at(-1)).toEqual({ at: AT.toISOString(), action: 'opgepakt', by: adele, detail: 'in overleg met de verwijzer: Adele Vance' });
  });

  it('lets only a professional whose role fits the route take it on, as with a pickup', () => {
    expect(after(safetyOnly(), claim, patti).assignee?.role).toBe('jeugdconsulent');
    expect(refusalOf(act(safetyOnly(), claim, adele))).toMatch(/als gezinscoach kun je hem niet oppakken/);
    expect(refusalOf(act(anonymous(), claim, megan))).toMatch(/^Alleen een professional uit het team/);
  });

  it('refuses a second professional, naming who consults the referrer already', () => {
    expect(refusalOf(act(after(anonymous(), claim, adele), claim, isaiah))).toBe('Deze aanmelding is al opgepakt door Adele Vance, die met de verwijzer overlegt.');
  });
});

describe('assigning ("Toewijzen aan…")', () => {
  it('lets a coordinator assign to a professional of the team, who gets the dossier; the referrer hears it', () => {
    const decision = act(aanmelding(), { kind: 'assign', professional: isaiah.aadObjectId }, megan);
    expect(decision).toMatchObject({ ok: true, changed: true });
    if (!decision.ok) return;
    expect(decision.next).toMatchObject({ status: 'toegewezen', assignee: { ...isaiah, role: 'gezinscoach' } });
    expect(decision.effects).toEqual([
      { kind: 'tell-referrer', about: 'opgepakt', professional: isaiah.aadObjectId },
      { kind: 'send-dossier', to: isaiah },
    ]);
    expect(decision.next.history.at(-1)).toMatchObject({ action: 'toegewezen', by: megan, detail: 'toegewezen aan Isaiah Langer door Megan Bowen' });
  });

  it('reassigns from one professional to another, and takes a case off the waiting list', () => {
    expect(assignedTo(isaiah, assignedTo(adele)).assignee?.aadObjectId).toBe(isaiah.aadObjectId);
    const fromWaitlist = assignedTo(adele, waitlisted());
    expect(fromWaitlist).toMatchObject({ status: 'toegewezen', waitlist: undefined });
  });

  it.each([
    ['a professional', adele],
    ['someone outside the team', stranger],
  ])('refuses %s', (_who, actor) => {
    expect(refusalOf(act(aanmelding(), { kind: 'assign', professional: isaiah.aadObjectId }, actor))).toBe('Alleen een coördinator kan een aanmelding toewijzen.');
  });

  it.each([
    ['someone unknown', stranger.aadObjectId],
    ['the coordinator (not a professional)', megan.aadObjectId],
  ])('refuses to assign to %s', (_who, professional) => {
    expect(refusalOf(act(aanmelding(), { kind: 'assign', professional }, megan))).toBe('Die professional staat niet in het team.');
  });

  it('changes nothing when assigning to the current assignee', () => {
    const a = assignedTo(adele);
    expect(act(a, { kind: 'assign', professional: adele.aadObjectId }, megan)).toEqual({ ok: true, changed: false, next: a, effects: [] });
  });
});

describe('the waiting list', () => {
  it('lets a coordinator put a new aanmelding on the waiting list, with reason and date; the referrer hears it', () => {
    const decision = act(aanmelding(), { kind: 'waitlist', reason: 'gezin-later' }, megan);
    expect(decision).toMatchObject({ ok: true, changed: true, effects: [{ kind: 'tell-referrer', about: 'wachtlijst' }] });
    if (!decision.ok) return;
    expect(decision.next).toMatchObject({ status: 'wachtlijst', waitlist: { reason: 'gezin-later', since: AT.toISOString() } });
  });

  it('refuses a professional', () => {
    expect(refusalOf(act(aanmelding(), { kind: 'waitlist', reason: 'geen-ruimte' }, adele))).toMatch(/^Alleen een coördinator/);
  });

  it('refuses an aanmelding that is assigned, naming the assignee', () => {
    expect(refusalOf(act(assignedTo(adele), { kind: 'waitlist', reason: 'geen-ruimte' }, megan))).toBe('Deze aanmelding is al toegewezen aan Adele Vance.');
  });

  it('refuses an assigned aanmelding while the assignee waits for an answer from the referrer', () => {
    const asking = after(assignedTo(adele), ask(), adele);
    expect(asking.status).toBe('meer-informatie');
    expect(refusalOf(act(asking, { kind: 'waitlist', reason: 'geen-ruimte' }, megan))).toBe('Deze aanmelding is al toegewezen aan Adele Vance.');
  });

  it('changes nothing when it is on the waiting list already', () => {
    const a = waitlisted();
    expect(act(a, { kind: 'waitlist', reason: 'anders' }, megan)).toEqual({ ok: true, changed: false, next: a, effects: [] });
  });
});

describe('asking the referrer for more information', () => {
  it.each([
    ['the coordinator', megan, aanmelding()],
    ['the assignee', adele, assignedTo(adele)],
  ])('lets %s ask; the question is kept and sent to the referrer', (_who, actor, a) => {
    const decision = act(a, ask('q1', 'Spreekt moeder Nederlands?'), actor);
    expect(decision).toMatchObject({ ok: true, changed: true, effects: [{ kind: 'tell-referrer', about: 'vraag' }] });
    if (!decision.ok) return;
    expect(decision.next.status).toBe('meer-informatie');
    expect(decision.next.questions).toEqual([{ id: 'q1', askedBy: actor, question: 'Spreekt moeder Nederlands?', askedAt: AT.toISOString() }]);
  });

  it.each([
    ['another professional', isaiah],
    ['someone outside the team', stranger],
    ['the referrer', alex],
  ])('refuses %s', (_who, actor) => {
    expect(refusalOf(act(assignedTo(adele), ask(), actor))).toMatch(/^Alleen de coördinator of de professional aan wie de aanmelding is toegewezen/);
  });

  it('changes nothing when the same question arrives twice', () => {
    const asked = after(aanmelding(), ask('q1'), megan);
    expect(act(asked, ask('q1'), megan)).toEqual({ ok: true, changed: false, next: asked, effects: [] });
  });
});

describe('the referrer answers', () => {
  it('stores the answer, puts a new aanmelding back to nieuw and forwards the answer to whoever asked', () => {
    const decision = act(after(aanmelding(), ask('q1'), megan), answer('q1', 'Ja, via de tolkentelefoon.'), alex);
    expect(decision).toMatchObject({ ok: true, changed: true, effects: [{ kind: 'forward-answer', to: megan, questionId: 'q1' }] });
    if (!decision.ok) return;
    expect(decision.next.status).toBe('nieuw');
    expect(decision.next.questions[0]).toMatchObject({ answer: 'Ja, via de tolkentelefoon.', answeredAt: AT.toISOString() });
    expect(decision.next.history.at(-1)).toMatchObject({ action: 'antwoord', by: alex });
  });

  it('puts an assigned aanmelding back to toegewezen', () => {
    const asked = after(assignedTo(adele), ask('q1'), adele);
    const next = after(asked, answer('q1'), alex);
    expect(next.status).toBe('toegewezen');
  });

  it('puts an aanmelding that was on the waiting list back on the waiting list', () => {
    const asked = after(waitlisted(), ask('q1'), megan);
    const next = after(asked, answer('q1'), alex);
    expect(next.status).toBe('wachtlijst');
    expect(next.waitlist?.reason).toBe('geen-ruimte');
  });

  it('keeps asking for information while another question is still open', () => {
    const asked = after(after(aanmelding(), ask('q1'), megan), ask('q2', 'Wie heeft het gezag?'), megan);
    expect(after(asked, answer('q1'), alex).status).toBe('meer-informatie');
  });

  it.each([
    ['the coordinator', megan],
    ['a professional', adele],
    ['someone else', stranger],
  ])('refuses an answer from %s', (_who, actor) => {
    expect(refusalOf(act(after(aanmelding(), ask(), megan), answer(), actor))).toBe('Alleen de verwijzer kan deze vraag beantwoorden.');
  });

  it('knows the referrer by Teams id when Teams gave no aadObjectId', () => {
    const a = after(aanmelding({ referrer: { identity: { id: '29:alex', name: 'Alex Wilber' } } }), ask(), megan);
    expect(act(a, answer(), { aadObjectId: '29:alex', name: 'Alex Wilber' }).ok).toBe(true);
    expect(refusalOf(act(a, answer(), alex))).toBe('Alleen de verwijzer kan deze vraag beantwoorden.');
  });

  it('refuses an answer to a question that does not exist, or was answered already', () => {
    const asked = after(aanmelding(), ask('q1'), megan);
    expect(refusalOf(act(asked, answer('q-unknown'), alex))).toBe('Die vraag bestaat niet (meer).');
    expect(refusalOf(act(after(asked, answer('q1'), alex), answer('q1', 'Nog iets'), alex))).toBe('Deze vraag is al beantwoord.');
  });
});

describe('closing', () => {
  it('lets the assignee close with a reason; the referrer hears it', () => {
    const decision = act(assignedTo(adele), { kind: 'close', reason: 'doorverwezen-wijkteam' }, adele);
    expect(decision).toMatchObject({ ok: true, changed: true, effects: [{ kind: 'tell-referrer', about: 'afgesloten' }] });
    if (!decision.ok) return;
    expect(decision.next).toMatchObject({ status: 'afgesloten', closure: { reason: 'doorverwezen-wijkteam', at: AT.toISOString() } });
  });

  it.each([
    ['another professional', isaiah],
    ['someone outside the team', stranger],
  ])('refuses %s', (_who, actor) => {
    expect(refusalOf(act(assignedTo(adele), { kind: 'close', reason: 'doelen-behaald' }, actor))).toMatch(/^Alleen de professional aan wie de aanmelding is toegewezen/);
  });

  it('lets the coordinator close an assigned case for the team (a keukentafelgesprek that ends in a referral)', () => {
    const decision = act(assignedTo(adele), { kind: 'close', reason: 'doorverwezen-wijkteam', referredTo: 'Wijkteam' }, megan);
    expect(decision).toMatchObject({ ok: true, next: { status: 'afgesloten', closure: { reason: 'doorverwezen-wijkteam', referredTo: 'Wijkteam' } } });
  });

  it('refuses a professional to close an aanmelding nobody has', () => {
    expect(refusalOf(act(aanmelding(), { kind: 'close', reason: 'anders' }, adele))).toMatch(/^Alleen de professional/);
  });

  it('lets the coordinator close an aanmelding nobody has (one that stood still), and the referrer hears it', () => {
    const decision = act(aanmelding(), { kind: 'close', reason: 'eenzijdig-gestopt' }, megan);
    expect(decision).toMatchObject({ ok: true, changed: true, effects: [{ kind: 'tell-referrer', about: 'afgesloten' }] });
    if (!decision.ok) return;
    expect(decision.next).toMatchObject({ status: 'afgesloten', closure: { reason: 'eenzijdig-gestopt' } });
  });
});

describe('a closed aanmelding', () => {
  it.each<[string, CaseRequest, Actor]>([
    ['a claim', claim, isaiah],
    ['an assignment', { kind: 'assign', professional: isaiah.aadObjectId }, megan],
    ['the waiting list', { kind: 'waitlist', reason: 'geen-ruimte' }, megan],
    ['a question', ask('q9'), megan],
    ['closing again', { kind: 'close', reason: 'anders' }, adele],
  ])('refuses %s', (_what, request, actor) => {
    expect(refusalOf(act(closed(), request, actor))).toBe('Deze aanmelding is afgesloten; er kan niets meer aan veranderen.');
  });

  it('refuses a late answer to a question asked before it was closed, and stays closed', () => {
    const asked = after(assignedTo(adele), ask('q1'), adele);
    const closedWithOpenQuestion = after(asked, { kind: 'close', reason: 'eenzijdig-gestopt' }, adele);
    expect(refusalOf(act(closedWithOpenQuestion, answer('q1'), alex))).toBe('Deze aanmelding is afgesloten; er kan niets meer aan veranderen.');
  });
});

describe('reading the dossier', () => {
  it.each([
    ['the coordinator', megan, aanmelding()],
    ['the assignee', adele, assignedTo(adele)],
  ])('sends it to %s, without changing the aanmelding', (_who, actor, a) => {
    expect(act(a, { kind: 'dossier' }, actor)).toEqual({ ok: true, changed: false, next: a, effects: [{ kind: 'send-dossier', to: actor }] });
  });

  it.each([
    ['another professional', isaiah, assignedTo(adele)],
    ['a professional on an unassigned aanmelding', adele, aanmelding()],
    ['someone outside the team', stranger, aanmelding()],
  ])('refuses %s', (_who, actor, a) => {
    expect(refusalOf(act(a, { kind: 'dossier' }, actor))).toBe('Alleen de coördinator en de professional aan wie de aanmelding is toegewezen, kunnen het dossier inzien.');
  });
});

describe('candidates for "Toewijzen aan…"', () => {
  const names = (a: Aanmelding, loads = new Map<string, number>()) => assignCandidates(a, T, loads).map((c) => c.professional.name);

  it('lists the roles that fit the route first, then who is linked to the wijk, then who has most room', () => {
    // Oostrum is Adele's wijk; Patti (jeugdconsulent, 30 places) has more room than Isaiah (12); Lynne does not fit.
    const candidates = assignCandidates(aanmelding({ answers: { wijk: 'Oostrum' }, referrer: { praktijk: undefined } }), T, new Map());
    expect(candidates.map((c) => c.professional.name)).toEqual(['Adele Vance', 'Patti Fernandez', 'Isaiah Langer', 'Lynne Robbins']);
    expect(candidates.map((c) => [c.fitsRoute, c.linked])).toEqual([
      [true, true],
      [true, false],
      [true, false],
      [false, false],
    ]);
  });

  it("counts the referrer's practice as a link too", () => {
    // Wanssum is nobody's but Lynne's; Isaiah is linked to Huisartsenpraktijk Ysselsteyn.
    expect(names(aanmelding({ answers: { wijk: 'Wanssum' }, referrer: { praktijk: undefined } }))[0]).toBe('Patti Fernandez');
    expect(names(aanmelding({ answers: { wijk: 'Wanssum' }, referrer: { praktijk: 'Huisartsenpraktijk Ysselsteyn' } }))[0]).toBe('Isaiah Langer');
  });

  it('puts the gezinsverzorger first for a gezinsverzorger aanmelding, and only her fits', () => {
    const candidates = assignCandidates(onRoute('gezinsverzorger'), T, new Map());
    expect(candidates[0]?.professional.name).toBe('Lynne Robbins');
    expect(candidates.filter((c) => c.fitsRoute).map((c) => c.professional.name)).toEqual(['Lynne Robbins']);
  });

  it('shows the caseload and no room once it reaches the maximum, never less than none', () => {
    const loads = new Map([
      [adele.aadObjectId, 15],
      [lynne.aadObjectId, 9],
      [isaiah.aadObjectId, 2],
    ]);
    const byName = new Map(assignCandidates(aanmelding(), T, loads).map((c) => [c.professional.name, c]));
    expect(byName.get('Adele Vance')).toMatchObject({ activeCases: 15, room: 0 });
    expect(byName.get('Lynne Robbins')).toMatchObject({ activeCases: 9, room: 0 });
    expect(byName.get('Isaiah Langer')).toMatchObject({ activeCases: 2, room: 10 });
    expect(byName.get('Patti Fernandez')).toMatchObject({ activeCases: 0, room: 30 });
  });

  it('puts someone with room before the linked professional who is full (seed 004: another one with room picks it up)', () => {
    const full = new Map([[adele.aadObjectId, 15]]);
    const oostrum = aanmelding({ answers: { wijk: 'Oostrum' }, referrer: { praktijk: undefined } });
    expect(names(oostrum, full)).toEqual(['Patti Fernandez', 'Isaiah Langer', 'Adele Vance', 'Lynne Robbins']);
  });

  it('puts a professional with room before an equally fitting one who is full', () => {
    const unlinked = aanmelding({ answers: { wijk: 'Wanssum' }, referrer: { praktijk: undefined } });
    expect(names(unlinked)).toEqual(['Patti Fernandez', 'Adele Vance', 'Isaiah Langer', 'Lynne Robbins']);
    expect(names(unlinked, new Map([[patti.aadObjectId, 30]]))).toEqual(['Adele Vance', 'Isaiah Langer', 'Patti Fernandez', 'Lynne Robbins']);
  });
});

describe('caseloads', () => {
  it('counts per professional only the aanmeldingen assigned to them and not closed', () => {
    const all = [
      assignedTo(adele),
      after(assignedTo(adele), ask(), adele), // meer-informatie, still hers
      closed(),
      assignedTo(isaiah),
      aanmelding(),
      waitlisted(),
    ];
    expect(caseloads(all)).toEqual(
      new Map([
        [adele.aadObjectId, 2],
        [isaiah.aadObjectId, 1],
      ]),
    );
  });
});
