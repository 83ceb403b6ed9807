import { describe, expect, it } from 'vitest';
import type { Aanmelding, CaseStatus } from '../../data/aanmelding.schema.js';
import type { AdaptiveCard } from '../../dialogs/card.js';
import { deliveryNote, parseChannelCommand } from '../../dialogs/channel.dialog.js';
import { ageBands, answerForwarded, dossierCard, referralCard, referrerCard, referrerUpdate, type CardView } from '../../dialogs/referral.card.js';
import { assignCandidates, caseloads, decide, teamRoleOf, type Actor, type CaseRequest } from '../../machines/referral-case.js';
import { gemeenteConfigPath, loadGemeenteConfig } from '../../data/gemeente.config.js';
import { adaptiveCardProblems } from '../support/adaptive-cards.js';
import { aanmelding, adele, config, isaiah, megan, patti, stranger, team, type AanmeldingOptions } from '../fixtures/referral.js';
import { asRead } from '../support/bot-client.js';
import { walkAll, type Json } from '../support/cards.js';

const T = team();
const LATER = new Date('2026-03-04T13:15:00.000Z');
const CREATED_AT = '2026-03-02T09:30:00.000Z';
const TEAMS_MESSAGE_LIMIT = 28 * 1024;


// ---------------------------------------------------------------------------------------------------------
// Reading a card

/** All the text a person can read on a card. */
function textOf(card: AdaptiveCard): string {
  const parts: string[] = [];
  walkAll(card, (element) => {
    for (const key of ['text', 'title', 'label'] as const) if (typeof element[key] === 'string') parts.push(element[key]);
    if (element.type === 'FactSet') for (const fact of element.facts as { title: string; value: string }[]) parts.push(`${fact.title}: ${fact.value}`);
  });
  return parts.join('\n');
}

function factsOf(card: AdaptiveCard): Record<string, string> {
  const facts: Record<string, string> = {};
  walkAll(card.body, (element) => {
    if (element.type === 'FactSet') for (const fact of element.facts as { title: string; value: string }[]) facts[fact.title] = fact.value;
  });
  return facts;
}

/** The buttons under the card, by title. */
const buttonsOf = (card: AdaptiveCard): string[] => (card.actions ?? []).map((action) => String(action.title));

/** Every Action.Execute a person can press (the automatic refresh is not a button). */
function executesOf(card: AdaptiveCard): Json[] {
  const found: Json[] = [];
  walkAll([card.body, card.actions], (element) => {
    if (element.type === 'Action.Execute') found.push(element);
  });
  return found;
}

function choicesOf(card: AdaptiveCard, id: string): { choices: { title: string; value: string }[]; value?: string } {
  let set: Json | undefined;
  walkAll(card.actions, (element) => {
    if (element.type === 'Input.ChoiceSet' && element.id === id) set = element;
  });
  if (!set) throw new Error(`no choice set "${id}"`);
  return set as never;
}

// ---------------------------------------------------------------------------------------------------------
// Vignettes: made-up families with everything a channel must never show

interface Vignette {
  name: string;
  options: AanmeldingOptions;
  /** A name from the family, used in a question and an answer of the team. */
  child: string;
  /** Nothing of this may reach the channel. */
  secrets: string[];
}

const VIGNETTES: Vignette[] = [
  {
    name: 'a mother in Venray with a complex question',
    child: 'Yusuf',
    options: {
      referrer: { identity: { id: '29:jansen', aadObjectId: 'aad-anna-jansen', name: 'Dr. Anna Jansen' }, role: 'huisarts', praktijk: 'Huisartsenpraktijk De Linde' },
      answers: {
        household: 'alleenstaande-moeder',
        wijk: 'Venray (kern)',
        children: [{ age: 2 }, { age: 7 }, { age: 15 }, { expected: true }],
        hoofdvraag: ['pedagogisch', 'financien'],
        criteria: ['interactie', 'cultuur-taal'],
        contact: { name: 'Fatima El Amrani', phone: '06 12345678', email: 'fatima.elamrani@example.nl', address: 'Kerkstraat 12, Venray' },
        explanation: 'Fatima El Amrani (moeder van Yusuf, geboren 12-03-2015, BSN 123456782) vraagt hulp; vader Karim woont in Marokko.',
      },
    },
    secrets: ['Fatima', 'El Amrani', 'Yusuf', 'Karim', 'Marokko', '06 12345678', 'fatima.elamrani@example.nl', 'Kerkstraat 12, Venray', 'Kerkstraat', '123456782', '12-03-2015', 'Anna Jansen'],
  },
  {
    name: 'a father after an operation, for the gezinsverzorger',
    child: 'Emma',
    options: {
      referrer: { identity: { id: '29:bakker', aadObjectId: 'aad-pieter-bakker', name: 'Pieter Bakker' }, role: 'casemanager', praktijk: undefined },
      answers: {
        service: 'gezinsverzorger',
        household: 'alleenstaande-vader',
        wijk: 'Wanssum',
        children: [{ age: 10 }, { age: 4 }],
        hoofdvraag: ['praktisch'],
        contact: { name: 'Jan de Vries', phone: '+31 20 123 4567', email: 'jan.devries@example.com', address: 'Dorpsstraat 3, 5864 AB Wanssum' },
        explanation: 'Jan de Vries is geopereerd aan zijn heup; dochter Emma (12-03-2015) zorgt nu voor haar broertje Daan.',
      },
    },
    secrets: ['Jan de Vries', 'de Vries', 'Emma', 'Daan', 'heup', '+31 20 123 4567', 'jan.devries@example.com', 'Dorpsstraat', '5864 AB', '12-03-2015', 'Pieter Bakker'],
  },
  {
    name: 'an urgent concern reported by a school',
    child: 'Sanne',
    options: {
      referrer: { identity: { id: '29:kees', aadObjectId: 'aad-kees-smit', name: 'Kees Smit' }, role: 'school', praktijk: 'Basisschool De Wingerd' },
      answers: {
        safety: { concern: true, action: 'veilig-thuis-advies' },
        household: 'samengesteld-gezin',
        wijk: 'Smakt',
        children: [{ age: 9 }],
        hoofdvraag: ['psychisch', 'school'],
        consent: { referral: 'ja', givenBy: ['ouders-met-gezag'], feedbackToHuisarts: false, recordedAt: '2026-03-02T09:00:00.000Z' },
        contact: { name: 'Sanne Vermeulen', phone: '0478 123456', email: 'sanne@example.org', address: 'Kerkstraat 12, Venray' },
        explanation: 'Buren van Sanne Vermeulen hoorden geschreeuw. Geboortedatum 12-03-2015, BSN 123456782.',
      },
    },
    secrets: ['Sanne', 'Vermeulen', 'geschreeuw', '0478 123456', 'sanne@example.org', 'Kerkstraat 12', '123456782', '12-03-2015', 'Kees Smit'],
  },
];

// ---------------------------------------------------------------------------------------------------------
// The life of an aanmelding, by the rules of machines/referral-case.ts

let clock = LATER.getTime();
/** Applies a step that must be allowed, the way the store would (next version). */
function after(a: Aanmelding, request: CaseRequest, actor: Actor): Aanmelding {
  const decision = decide(a, request, actor, T, new Date((clock += 60_000)));
  if (!decision.ok) throw new Error(`refused: ${decision.refusal}`);
  return decision.changed ? { ...decision.next, version: a.version + 1 } : decision.next;
}

const firstFitting = (a: Aanmelding): Actor => {
  const fitting = assignCandidates(a, T, new Map()).find((c) => c.fitsRoute)!.professional;
  return { aadObjectId: fitting.aadObjectId, name: fitting.name };
};
const assign = (a: Aanmelding) => after(a, { kind: 'assign', professional: firstFitting(a).aadObjectId }, megan);
const referrerOf = (a: Aanmelding): Actor => ({ aadObjectId: a.referrer.identity.aadObjectId!, name: a.referrer.identity.name });

/** The aanmelding of a vignette in each status the card can show, with questions and answers that name the child. */
function lifeOf(v: Vignette): [string, Aanmelding][] {
  const fresh = aanmelding(v.options);
  const question = `Is ${v.child} al bekend bij de GGZ of bij Veilig Thuis?`;
  const reply = `Ja, ${v.child} heeft een behandelaar; bel moeder op 06 12345678.`;
  const asked = after(fresh, { kind: 'ask', questionId: 'q1', question }, megan);
  const answered = after(asked, { kind: 'answer', questionId: 'q1', answer: reply }, referrerOf(fresh));
  const assigned = assign(answered);
  const assignee = firstFitting(fresh);
  const askedByAssignee = after(assigned, { kind: 'ask', questionId: 'q2', question: `Hoe oud is ${v.child} precies?` }, assignee);
  const closed = after(after(askedByAssignee, { kind: 'answer', questionId: 'q2', answer: `${v.child} is geboren op 12-03-2015.` }, referrerOf(fresh)), { kind: 'close', reason: 'doelen-behaald' }, assignee);
  return [
    ['nieuw', fresh],
    ['toegewezen', assign(fresh)],
    ['wachtlijst', after(fresh, { kind: 'waitlist', reason: 'geen-ruimte' }, megan)],
    ['meer-informatie', asked],
    ['nieuw after an answer', answered],
    ['meer-informatie asked by the assignee', askedByAssignee],
    ['afgesloten', closed],
  ];
}

/** Who may look at the card: nobody in particular (the post itself), and each kind of person. */
function viewersOf(a: Aanmelding): [string, CardView['viewer']][] {
  const assignee = a.assignee ?? firstFitting(a);
  const other = [adele, isaiah, patti].find((p) => p.aadObjectId !== assignee.aadObjectId)!;
  const as = (actor: Actor) => ({ aadObjectId: actor.aadObjectId, role: teamRoleOf(actor.aadObjectId, T) });
  return [
    ['nobody in particular', undefined],
    ['the coordinator', as(megan)],
    ['the (fitting) assignee', as(assignee)],
    ['another professional', as(other)],
    ['someone outside the team', as(stranger)],
  ];
}

const view = (a: Aanmelding, viewer?: Actor, extra: Partial<CardView> = {}): CardView => ({
  config,
  team: T,
  ...(viewer ? { viewer: { aadObjectId: viewer.aadObjectId, role: teamRoleOf(viewer.aadObjectId, T) } } : {}),
  candidates: assignCandidates(a, T, new Map()),
  ...extra,
});

/** Every channel card of every vignette, in every status, for every viewer. */
function everyChannelCard(): { name: string; a: Aanmelding; vignette: Vignette; card: AdaptiveCard }[] {
  return VIGNETTES.flatMap((vignette) =>
    lifeOf(vignette).flatMap(([status, a]) =>
      viewersOf(a).map(([viewerName, viewer]) => ({
        name: `${vignette.name}, ${status}, seen by ${viewerName}`,
        a,
        vignette,
        card: referralCard(a, { config, team: T, ...(viewer ? { viewer } : {}), candidates: assignCandidates(a, T, caseloads([a])) }),
      })),
    ),
  );
}

/** The secrets a reader finds on the card (free text is shown escaped: what counts is what a person reads). */
const leaks = (card: AdaptiveCard, secrets: string[]): string[] => {
  const json = JSON.stringify(card, (_key, value: unknown) => (typeof value === 'string' ? asRead(value) : value)).toLowerCase();
  return secrets.filter((secret) => json.includes(secret.toLowerCase()));
};

// ---------------------------------------------------------------------------------------------------------

describe('privacy: the channel card carries no direct identifiers (domain.md)', () => {
  const cards = everyChannelCard();

  it('covers every vignette in every status for every viewer', () => {
    expect(cards).toHaveLength(VIGNETTES.length * 7 * 5);
    const statuses = new Set<CaseStatus>(cards.map((c) => c.a.status));
    expect([...statuses].sort()).toEqual(['afgesloten', 'meer-informatie', 'nieuw', 'toegewezen', 'wachtlijst']);
  });

  it('never shows a name, phone, e-mail, address, date of birth, BSN, the explanation, a question or an answer, nor who referred', () => {
    const found = cards.flatMap(({ name, a, vignette, card }) =>
      leaks(card, [...vignette.secrets, a.referrer.identity.name, a.answers.explanation!, ...a.questions.flatMap((q) => [q.question, q.answer ?? q.question])]).map(
        (secret) => `${name}: "${secret}"`,
      ),
    );
    expect(found).toEqual([]);
  });

  it('shows all of it in the 1:1 dossier, so the check above looks for strings that are really there', () => {
    for (const vignette of VIGNETTES) {
      const [, closed] = lifeOf(vignette).at(-1)!;
      const dossier = dossierCard(closed, config);
      const { contact } = closed.answers;
      expect(leaks(dossier, [contact!.name, contact!.phone!, contact!.email!, contact!.address!, closed.answers.explanation!, closed.referrer.identity.name])).toHaveLength(6);
      expect(leaks(dossier, closed.questions.flatMap((q) => [q.question, q.answer!]))).toHaveLength(4);
      expect(leaks(dossier, vignette.secrets)).toEqual(vignette.secrets);
    }
  });

  it('warns in the dossier that it is confidential and that the view was logged', () => {
    expect(textOf(dossierCard(aanmelding(), config))).toContain('Vertrouwelijk: alleen voor jou. Deel dit niet in een kanaal. Je inzage is vastgelegd.');
  });

  it('says in the dossier that there are no contact details without consent', () => {
    const anoniem = aanmelding({ answers: { consent: { referral: 'anoniem', givenBy: [], feedbackToHuisarts: false, recordedAt: LATER.toISOString() }, contact: undefined } });
    expect(factsOf(dossierCard(anoniem, config))).toMatchObject({ Toestemming: 'Anoniem overleg — neem geen contact op met het gezin, overleg met de verwijzer', Contact: 'Geen gegevens (geen toestemming): neem contact op met de verwijzer' });
  });
});

describe('every channel card', () => {
  const cards = everyChannelCard();

  it('parses with the Adaptive Cards library without a warning', () => {
    expect(cards.flatMap(({ name, card }) => adaptiveCardProblems(card).map((problem) => `${name}: ${problem}`))).toEqual([]);
  });

  it('stays under the 28 KB Teams accepts, with the longest history and a notice', () => {
    const busy = VIGNETTES.map((v) => lifeOf(v).at(-2)![1]);
    const sizes = [...cards.map((c) => c.card), ...busy.map((a) => referralCard(a, view(a, megan, { notice: { text: 'x'.repeat(500), tone: 'warning' } })))].map(
      (card) => Buffer.byteLength(JSON.stringify(card), 'utf8'),
    );
    expect(Math.max(...sizes)).toBeLessThan(TEAMS_MESSAGE_LIMIT);
  });

  it('puts the reference and the version the card shows in every button, so a stale click is recognised', () => {
    const missing = cards.flatMap(({ name, a, card }) =>
      executesOf(card)
        .filter((action) => (action.data as Json | undefined)?.reference !== a.reference || (action.data as Json).version !== a.version)
        .map((action) => `${name}: ${String(action.title)}`),
    );
    expect(missing).toEqual([]);
  });

  it('refreshes itself for every member of the team, with the reference', () => {
    for (const { a, card } of cards) {
      expect(card.refresh).toEqual({
        action: { type: 'Action.Execute', title: 'Vernieuwen', verb: 'refresh', data: { reference: a.reference } },
        userIds: ['user-id-1', 'user-id-2', 'user-id-3', 'user-id-4', 'user-id-5'],
      });
    }
  });

  it('has no buttons at all once the aanmelding is closed', () => {
    const closedCards = cards.filter(({ a }) => a.status === 'afgesloten');
    expect(closedCards).toHaveLength(VIGNETTES.length * 5);
    for (const { card } of closedCards) {
      expect(card.actions).toBeUndefined();
      expect(executesOf(card)).toEqual([]);
    }
  });
});

describe('what the channel card shows', () => {
  const fatima = aanmelding(VIGNETTES[0]!.options);

  it('shows reference, route, wijk, household, age bands, hoofdvraag, the criteria that counted and who referred', () => {
    const card = referralCard(fatima, view(fatima));
    expect(textOf(card)).toContain('Aanmelding AM-2026-0001');
    expect(textOf(card)).toContain('Status: Nieuw');
    expect(factsOf(card)).toMatchObject({
      Route: 'Keukentafelgesprek',
      'Wijk of dorp': 'Venray (kern)',
      Gezin: 'Alleenstaande moeder',
      Kinderen: '0 t/m 3 jaar (1), 4 t/m 11 jaar (1), 12 t/m 23 jaar (1), op komst (1)',
      Hoofdvraag: 'Opvoeding en financiën',
      Complexiteit: 'Problemen in de omgang tussen gezinsleden of met anderen; Grote cultuur- en taalverschillen (in combinatie met andere punten)',
      Verwijzer: 'Huisarts, Huisartsenpraktijk De Linde',
    });
    expect(textOf(card)).toContain('Complexe vraag: ');
    expect(textOf(card)).not.toMatch(/Regel \d/);
  });

  it('says plainly whether the team may contact the family, on the card and in the dossier', () => {
    const withConsent = aanmelding();
    expect(factsOf(referralCard(withConsent, view(withConsent))).Toestemming).toBe('Ja');
    expect(textOf(referralCard(withConsent, view(withConsent)))).not.toContain('neem geen contact op');

    const mixed = aanmelding({ answers: { consent: { referral: 'ja', givenBy: ['ouders-met-gezag', 'kind-en-ouders'], feedbackToHuisarts: true, recordedAt: CREATED_AT } } });
    expect(textOf(dossierCard(mixed, config))).toContain('Toestemming: Ja, van de ouders en het kind (12 t/m 15); huisarts informeren: ja');
    expect(textOf(dossierCard(mixed, config))).not.toMatch(/ouders-met-gezag|kind-en-ouders/);

    const anonymous = aanmelding({ answers: { consent: { referral: 'anoniem', givenBy: [], feedbackToHuisarts: false, recordedAt: CREATED_AT }, contact: undefined } });
    const anonymousCard = textOf(referralCard(anonymous, view(anonymous)));
    expect(anonymousCard).toContain('Anoniem overleg — neem geen contact op met het gezin, overleg met de verwijzer');
    expect(textOf(dossierCard(anonymous, config))).toContain('Toestemming: Anoniem overleg — neem geen contact op met het gezin');

    const safetyOnly = aanmelding({
      answers: { safety: { concern: true, action: 'veilig-thuis-gemeld' }, consent: { referral: 'nee', givenBy: [], feedbackToHuisarts: false, recordedAt: CREATED_AT }, contact: undefined },
    });
    expect(textOf(referralCard(safetyOnly, view(safetyOnly)))).toContain('Geen toestemming — alleen vanwege veiligheid aangemeld; contact via de verwijzer');
    expect(textOf(dossierCard(safetyOnly, config))).toContain('contact via de verwijzer');
    // Neither card names the family: there is nothing identifying to show.
    for (const a of [anonymous, safetyOnly]) expect(JSON.stringify(referralCard(a, view(a)))).not.toContain('Jan de Vries');
  });

  it('shows a zorgsignaal (a worry about safety, not acute) with the meldcode step, on the card and in the dossier', () => {
    const worried = aanmelding({ answers: { safety: { concern: false, signal: { meldcode: 'stap-3' } } } });
    expect(textOf(referralCard(worried, view(worried)))).toContain('Zorgsignaal: zorgen over de veiligheid, niet acuut (meldcode: Stap 3: gesprek met het gezin)');
    expect(textOf(dossierCard(worried, config))).toContain('Veiligheid: Zorgsignaal');
    expect(worried.triage.reasons.join(' ')).toContain('Zorgsignaal');
    expect(worried.triage.urgent).toBe(false);
    const calm = aanmelding();
    expect(textOf(referralCard(calm, view(calm)))).not.toContain('Zorgsignaal');
  });

  it('shows a criterion that only counts in combination as no criterion when it stands alone', () => {
    const alone = aanmelding({ answers: { criteria: ['cultuur-taal'] } });
    expect(factsOf(referralCard(alone, view(alone))).Complexiteit).toBe('Geen criterium');
  });

  it('shows the referrer role alone when there is no practice', () => {
    const withoutPractice = aanmelding({ referrer: { role: 'jgz', praktijk: undefined } });
    expect(factsOf(referralCard(withoutPractice, view(withoutPractice))).Verwijzer).toBe('Jeugdgezondheidszorg');
  });

  it('says SPOED only when the aanmelding is urgent', () => {
    const urgent = aanmelding(VIGNETTES[2]!.options);
    expect(urgent.triage.urgent).toBe(true);
    expect(JSON.stringify(referralCard(urgent, view(urgent)))).toContain('SPOED');
    expect(JSON.stringify(referralCard(fatima, view(fatima)))).not.toContain('SPOED');
  });

  it('shows who has it, the waiting list with its reason, and the closing reason', () => {
    const assigned = after(fatima, { kind: 'claim' }, adele);
    expect(textOf(referralCard(assigned, view(assigned)))).toContain('Status: Toegewezen aan Adele Vance (gezinscoach)');
    const waiting = after(fatima, { kind: 'waitlist', reason: 'gezin-later' }, megan);
    expect(factsOf(referralCard(waiting, view(waiting))).Wachtlijst).toMatch(/^Het gezin wil later starten \(sinds \d+ maart, \d\d:\d\d\)$/);
    const closed = after(assigned, { kind: 'close', reason: 'doorverwezen-wijkteam' }, adele);
    expect(factsOf(referralCard(closed, view(closed))).Afgesloten).toBe('Doorverwezen naar het wijkteam');
    expect(textOf(referralCard(closed, view(closed)))).toContain('Status: Afgesloten');
  });

  it('tells what happened, by professional, without the family', () => {
    const assigned = after(fatima, { kind: 'assign', professional: isaiah.aadObjectId }, megan);
    const text = textOf(referralCard(assigned, view(assigned)));
    expect(text).toContain('Wat er gebeurde');
    expect(text).toMatch(/- \d+ maart, \d\d:\d\d: toegewezen aan Isaiah Langer door Megan Bowen/);
  });

  it('shows a notice on top when there is one, in its tone', () => {
    const card = referralCard(fatima, view(fatima, megan, { notice: { text: 'Iemand anders heeft deze aanmelding net gewijzigd.', tone: 'warning' } }));
    expect(card.body[2]).toMatchObject({ type: 'Container', style: 'warning', items: [{ type: 'TextBlock', text: 'Iemand anders heeft deze aanmelding net gewijzigd.' }] });
    expect(JSON.stringify(referralCard(fatima, view(fatima, megan)))).not.toContain('"style":"warning"');
  });
});

describe('the buttons each viewer gets', () => {
  const fresh = aanmelding(); // gezinscoach, Oostrum (Adele's wijk), referred by Huisartsenpraktijk De Linde
  const assigned = after(fresh, { kind: 'claim' }, adele);

  it('gives the coordinator "Toewijzen aan…" with the fitting professionals first, the waiting list, and closing while nobody has it, but no claiming', () => {
    const card = referralCard(fresh, view(fresh, megan));
    expect(buttonsOf(card)).toEqual(['Toewijzen aan…', 'Op wachtlijst', 'Meer informatie nodig', 'Dossier (persoonlijk)', 'Afsluiten']);
    const { choices, value } = choicesOf(card, 'professional');
    expect(choices.map((c) => c.title.split(',')[0])).toEqual(['Adele Vance', 'Patti Fernandez', 'Isaiah Langer', 'Lynne Robbins']);
    expect(choices[0]?.title).toBe('Adele Vance, gezinscoach — 0 van 15 gezinnen, nog 15 plekken, vaste coach van Oostrum, waakvlam 0 van 8, complex-intensief 0 van 3');
    expect(value).toBe(adele.aadObjectId);
  });

  it('marks a full professional as vol in the choices', () => {
    const loads = new Map([[adele.aadObjectId, 15]]);
    const card = referralCard(fresh, view(fresh, megan, { candidates: assignCandidates(fresh, T, loads) }));
    expect(choicesOf(card, 'professional').choices.find((c) => c.value === adele.aadObjectId)?.title).toContain('15 van 15 gezinnen, vol');
  });

  it('names the practice a professional is the fixed coach of when the family lives elsewhere', () => {
    const elsewhere = aanmelding({ answers: { wijk: 'Wanssum' } });
    const card = referralCard(elsewhere, view(elsewhere, megan));
    expect(choicesOf(card, 'professional').choices.find((c) => c.value === adele.aadObjectId)?.title).toBe(
      'Adele Vance, gezinscoach — 0 van 15 gezinnen, nog 15 plekken, vaste coach van De Linde, waakvlam 0 van 8, complex-intensief 0 van 3',
    );
  });

  it('shows the choices expanded, so that Teams wraps them instead of cutting them off', () => {
    expect(choicesOf(referralCard(fresh, view(fresh, megan)), 'professional')).toMatchObject({ style: 'expanded', wrap: true });
  });

  it('lets the coordinator reassign an assigned aanmelding and close it for the team, but not put it on the waiting list', () => {
    expect(buttonsOf(referralCard(assigned, view(assigned, megan)))).toEqual(['Toewijzen aan…', 'Meer informatie nodig', 'Dossier (persoonlijk)', 'Intensiteit…', 'Traject…', 'Afsluiten']);
    const asking = after(assigned, { kind: 'ask', questionId: 'q1', question: 'Wanneer kan ik langskomen?' }, adele);
    expect(buttonsOf(referralCard(asking, view(asking, megan)))).not.toContain('Op wachtlijst');
  });

  it('gives a professional only "Ik pak deze op", and only while nobody has it', () => {
    expect(buttonsOf(referralCard(fresh, view(fresh, isaiah)))).toEqual(['Ik pak deze op']);
    expect(buttonsOf(referralCard(assigned, view(assigned, isaiah)))).toEqual([]);
  });

  it('gives the assignee the question, the dossier, the trajectory and "Afsluiten"', () => {
    expect(buttonsOf(referralCard(assigned, view(assigned, adele)))).toEqual(['Meer informatie nodig', 'Dossier (persoonlijk)', 'Intensiteit…', 'Traject…', 'Afsluiten']);
  });

  it('gives someone outside the team nothing', () => {
    expect(buttonsOf(referralCard(fresh, view(fresh, stranger)))).toEqual([]);
  });

  it('shows every button on the post itself, before Teams refreshes it per person', () => {
    expect(buttonsOf(referralCard(fresh, view(fresh)))).toEqual(['Ik pak deze op', 'Toewijzen aan…', 'Op wachtlijst', 'Meer informatie nodig', 'Dossier (persoonlijk)', 'Afsluiten']);
    expect(buttonsOf(referralCard(assigned, view(assigned)))).toEqual(['Toewijzen aan…', 'Meer informatie nodig', 'Dossier (persoonlijk)', 'Intensiteit…', 'Traject…', 'Afsluiten']);
  });

  it('sends each button with the verb the case service knows', () => {
    const verbs = executesOf(referralCard(assigned, view(assigned))).map((action) => action.verb);
    expect(verbs).toEqual(['assign', 'ask', 'dossier', 'intensity', 'goal', 'evaluation-date', 'maatwerk', 'close']);
    expect(executesOf(referralCard(fresh, view(fresh))).map((action) => action.verb)).toEqual(['claim', 'assign', 'waitlist', 'ask', 'dossier', 'close']);
  });
});

describe('an anonymous consultation or a case without consent: the team consults the referrer (issue 14, point 5)', () => {
  const consent = (referral: 'anoniem' | 'nee') => ({ referral, givenBy: [], feedbackToHuisarts: false, recordedAt: CREATED_AT });
  const anonymous = aanmelding({ answers: { consent: consent('anoniem'), contact: undefined } });
  // Without consent only an acute concern is sent on: the jeugdconsulent's route.
  const safetyOnly = aanmelding({ answers: { safety: { concern: true, action: 'veilig-thuis-gemeld' }, consent: consent('nee'), contact: undefined } });
  const cases = [
    ['an anonymous consultation', anonymous, adele, 'gezinscoach'],
    ['a safety case without consent', safetyOnly, patti, 'jeugdconsulent'],
  ] as const;

  it.each(cases)('offers %s to a professional as "Ik overleg met de verwijzer", never "Ik pak deze op"', (_name, a, professional) => {
    expect(buttonsOf(referralCard(a, view(a, professional)))).toEqual(['Ik overleg met de verwijzer']);
    expect(buttonsOf(referralCard(a, view(a)))[0]).toBe('Ik overleg met de verwijzer');
    expect(textOf(referralCard(a, view(a)))).not.toContain('Ik pak deze op');
    expect(executesOf(referralCard(a, view(a, professional))).map((action) => action.verb)).toEqual(['claim']);
  });

  it.each(cases)('shows on the card of %s who consults the referrer, and nothing of the family', (_name, a, professional, role) => {
    const taken = after(a, { kind: 'claim' }, professional);
    for (const viewer of [undefined, megan, professional, isaiah]) {
      const card = referralCard(taken, view(taken, viewer));
      expect(textOf(card)).toContain(`Status: In overleg met de verwijzer: ${professional.name} (${role})`);
      expect(textOf(card)).not.toContain('Toegewezen aan');
      expect(leaks(card, [a.answers.explanation!, a.referrer.identity.name])).toEqual([]);
    }
    expect(textOf(referralCard(taken, view(taken)))).toMatch(new RegExp(`- \\d+ maart, \\d\\d:\\d\\d: in overleg met de verwijzer: ${professional.name}`));
    // Nobody else can take it on any more.
    expect(buttonsOf(referralCard(taken, view(taken, isaiah)))).toEqual([]);
  });

  it('tells the referrer who will consult them, and that the family is not approached', () => {
    const { text } = referrerUpdate(after(anonymous, { kind: 'claim' }, adele), 'opgepakt', 0);
    expect(text).toMatch(/^Je aanmelding \*\*AM-2026-0001\*\* \(anoniem overleg\) is opgepakt door Adele Vance \(gezinscoach\), op \d+ maart, \d\d:\d\d\./);
    expect(text).toContain('Adele Vance overlegt met jou en neemt daarvoor contact met je op; het gezin wordt niet benaderd.');
    expect(text).toContain('zoek Adele Vance dan op in Teams');

    const withoutConsent = referrerUpdate(after(safetyOnly, { kind: 'assign', professional: patti.aadObjectId }, megan), 'opgepakt', 0).text;
    expect(withoutConsent).toContain('(zonder toestemming) is opgepakt door Patti Fernandez (jeugdconsulent)');
    expect(withoutConsent).toContain('het gezin wordt niet rechtstreeks benaderd, contact loopt via jou');

    const withConsent = referrerUpdate(after(aanmelding(), { kind: 'claim' }, adele), 'opgepakt', 0).text;
    expect(withConsent).not.toContain('overlegt');
  });

  it("names the professional who consults them on the referrer's own view", () => {
    const taken = after(anonymous, { kind: 'claim' }, adele);
    expect(factsOf(referrerCard(taken, config))).toMatchObject({ 'Overlegt met je': 'Adele Vance (gezinscoach)' });
    expect(factsOf(referrerCard(after(aanmelding(), { kind: 'claim' }, adele), config))).toMatchObject({ 'Opgepakt door': 'Adele Vance (gezinscoach)' });
  });

  it('gives the professional a dossier without any way to reach the family: contact goes through the referrer', () => {
    const dossier = factsOf(dossierCard(after(anonymous, { kind: 'claim' }, adele), config));
    expect(dossier.Contact).toBe('Geen gegevens (geen toestemming): neem contact op met de verwijzer');
    expect(dossier.Verwijzer).toContain('Alex Wilber');
  });

  it('tells the referrer at Versturen what happens next and by when, with the term of the configuration', () => {
    const note = deliveryNote('posting', config, 'gezinscoach', false, 'anoniem');
    expect(note).toContain('Een professional van het team neemt binnen 2 werkdagen contact met je op om te overleggen. Het gezin wordt niet benaderd.');
    expect(note).not.toContain('Je hoort van mij wie hem oppakt');
    expect(deliveryNote('posting', { ...config, reactieTermijnWerkdagen: 1 }, 'gezinscoach', false, 'anoniem')).toContain('binnen 1 werkdag contact');
    expect(deliveryNote('posting', { ...config, reactieTermijnWerkdagen: 5 }, 'gezinscoach', false, 'anoniem')).toContain('binnen 5 werkdagen contact');
    // Without a channel nothing can be promised by a date, but the referrer still learns who they will hear from.
    expect(deliveryNote('no-channel', config, 'gezinscoach', false, 'anoniem')).toContain('Die overlegt met jou. Het gezin wordt niet benaderd.');
    // With consent the note is as before.
    expect(deliveryNote('posting', config, 'gezinscoach')).toContain('Je hoort van mij wie hem oppakt.');
    expect(deliveryNote('posting', config, 'gezinscoach')).not.toContain('overleggen');
  });

  it('does not make a SPOED case without consent wait for working days', () => {
    const note = deliveryNote('posting', config, 'jeugdconsulent', true, 'nee');
    expect(note).toContain('De jeugdconsulent neemt zo snel mogelijk contact met je op. Het gezin wordt niet rechtstreeks benaderd: contact loopt via jou.');
    expect(note).not.toContain('werkdag');
  });
});

describe('age bands from the gemeente configuration, never overlapping', () => {
  const venray = loadGemeenteConfig(gemeenteConfigPath({ GEMEENTE: 'venray' }));
  const groningen = loadGemeenteConfig(gemeenteConfigPath({ GEMEENTE: 'groningen' }));

  it.each([
    [[{ age: 2 }, { age: 7 }, { age: 15 }, { expected: true as const }], '0 t/m 3 jaar (1), 4 t/m 11 jaar (1), 12 t/m 23 jaar (1), op komst (1)'],
    [[{ age: 23 }, { age: 12 }, { age: 11 }, { age: 4 }, { age: 3 }, { age: 0 }], '0 t/m 3 jaar (2), 4 t/m 11 jaar (2), 12 t/m 23 jaar (2)'],
    [[{ expected: true as const }, { expected: true as const }], 'op komst (2)'],
    [[{ age: 24 }, { age: 5 }], '4 t/m 11 jaar (1), ouder dan 23 jaar (1)'],
  ])('groups %j in Venray (seed 004: 0–4, 4–12, 12–23) as "%s"', (children, bands) => {
    expect(ageBands(children, venray)).toBe(bands);
  });

  it.each([
    [[{ age: 5 }, { age: 6 }, { age: 17 }, { age: 18 }], '0 t/m 5 jaar (1), 6 t/m 11 jaar (1), 12 t/m 17 jaar (1), 18 t/m 23 jaar (1)'],
  ])('groups %j in Groningen (seed 000: 0–6, 6–12, 12–18, 18+) as "%s"', (children, bands) => {
    expect(ageBands(children, groningen)).toBe(bands);
  });

  it('shows the bands of the configuration on the channel card', () => {
    const a = aanmelding({ answers: { children: [{ age: 5 }, { age: 6 }] } });
    expect(factsOf(referralCard(a, { ...view(a), config: groningen }))['Kinderen']).toBe('0 t/m 5 jaar (1), 6 t/m 11 jaar (1)');
  });
});

describe('messages to the referrer', () => {
  const fresh = aanmelding();

  it('says who picked the aanmelding up', () => {
    const { text } = referrerUpdate(after(fresh, { kind: 'claim' }, adele), 'opgepakt', 0);
    expect(text).toMatch(/^Je aanmelding \*\*AM-2026-0001\*\* is opgepakt door Adele Vance \(gezinscoach\), op \d+ maart, \d\d:\d\d\.$/);
  });

  it('tells a referrer who is not the GP not to inform the huisarts when the family refused that', () => {
    const refused = { consent: { referral: 'ja' as const, givenBy: ['ouders-met-gezag'], feedbackToHuisarts: false, recordedAt: LATER.toISOString() } };
    const fromSchool = after(aanmelding({ referrer: { role: 'school' }, answers: refused }), { kind: 'claim' }, adele);
    expect(referrerUpdate(fromSchool, 'opgepakt', 0).text).toContain('Het gezin wil niet dat de huisarts hierover bericht krijgt; deel dit dus niet met de huisarts.');
    const fromSchoolAllowed = after(aanmelding({ referrer: { role: 'school' } }), { kind: 'claim' }, adele);
    expect(referrerUpdate(fromSchoolAllowed, 'opgepakt', 0).text).not.toContain('huisarts');
  });

  it('gives the length of the waiting list, in singular and plural', () => {
    const waiting = after(fresh, { kind: 'waitlist', reason: 'geen-ruimte' }, megan);
    expect(referrerUpdate(waiting, 'wachtlijst', 1).text).toBe(
      'Je aanmelding **AM-2026-0001** staat op de wachtlijst (geen ruimte bij de passende professional). Er staat nu 1 aanmelding op de wachtlijst. Je hoort van mij zodra iemand hem oppakt.',
    );
    expect(referrerUpdate(waiting, 'wachtlijst', 3).text).toContain('Er staan nu 3 aanmeldingen op de wachtlijst.');
  });

  it('asks the question in a card the referrer answers in place', () => {
    const asked = after(fresh, { kind: 'ask', questionId: 'q-42', question: 'Spreekt moeder Nederlands?' }, megan);
    const { card, text } = referrerUpdate(asked, 'vraag', 0);
    expect(text).toBeUndefined();
    if (!card) throw new Error('expected a card');
    expect(textOf(card)).toContain('Megan Bowen vraagt:');
    expect(textOf(card)).toContain('Spreekt moeder Nederlands?');
    const inputs: Json[] = [];
    const submits: Json[] = [];
    walkAll(card, (element) => {
      if (element.type === 'Input.Text') inputs.push(element);
      if (element.type === 'Action.Submit') submits.push(element);
    });
    expect(inputs).toEqual([expect.objectContaining({ id: 'answer', isMultiline: true, isRequired: true })]);
    expect(submits).toHaveLength(1);
    expect(submits[0]?.data).toEqual({ flow: 'vraag', action: 'answer', reference: 'AM-2026-0001', question: 'q-42' });
    expect(adaptiveCardProblems(card)).toEqual([]);
  });

  it('asks the latest open question', () => {
    const first = after(fresh, { kind: 'ask', questionId: 'q1', question: 'Eerste vraag?' }, megan);
    const second = after(after(first, { kind: 'answer', questionId: 'q1', answer: 'Ja.' }, referrerOf(fresh)), { kind: 'ask', questionId: 'q2', question: 'Tweede vraag?' }, megan);
    const { card } = referrerUpdate(second, 'vraag', 0);
    expect(JSON.stringify(card)).toContain('"question":"q2"');
    expect(textOf(card!)).not.toContain('Eerste vraag?');
  });

  it('says why the support was closed', () => {
    const closed = after(after(fresh, { kind: 'claim' }, adele), { kind: 'close', reason: 'doelen-behaald' }, adele);
    expect(referrerUpdate(closed, 'afgesloten', 0).text).toBe('De ondersteuning bij aanmelding **AM-2026-0001** is afgesloten: doelen behaald.');
    const stopped = after(after(fresh, { kind: 'claim' }, adele), { kind: 'close', reason: 'eenzijdig-gestopt' }, adele);
    expect(referrerUpdate(stopped, 'afgesloten', 0).text).toBe('De ondersteuning bij aanmelding **AM-2026-0001** is afgesloten: het gezin is zelf gestopt.');
  });

  it("tells the referrer in plain words that the family stopped, not the team's term", () => {
    const stopped = after(after(fresh, { kind: 'claim' }, adele), { kind: 'close', reason: 'eenzijdig-gestopt' }, adele);
    expect(referrerUpdate(stopped, 'afgesloten', 0).text).toBe('De ondersteuning bij aanmelding **AM-2026-0001** is afgesloten: het gezin is zelf gestopt.');
    expect(JSON.stringify(referrerCard(stopped, config))).not.toMatch(/eenzijdig/i);
  });

  it('forwards the answer with the question to whoever asked', () => {
    const asked = after(fresh, { kind: 'ask', questionId: 'q1', question: 'Wie heeft het gezag?' }, megan);
    const answered = after(asked, { kind: 'answer', questionId: 'q1', answer: 'Beide ouders.' }, referrerOf(fresh));
    expect(answerForwarded(answered, 'q1').text).toBe('Antwoord van de verwijzer over **AM-2026-0001**\n\nJe vroeg: Wie heeft het gezag?\n\nAntwoord: Beide ouders.');
  });
});

describe('what the bot understands in a team channel', () => {
  it.each([
    ['koppel dit kanaal voor gezinscoach', { kind: 'link', service: 'gezinscoach' }],
    ['Koppel dit kanaal voor gezinscoaches', { kind: 'link', service: 'gezinscoach' }],
    ['Koppel dit kanaal voor gezinsverzorgers', { kind: 'link', service: 'gezinsverzorger' }],
    ['  KOPPEL dit kanaal voor Gezinsverzorger. ', { kind: 'link', service: 'gezinsverzorger' }],
    ['link this channel voor gezinscoach', { kind: 'link', service: 'gezinscoach' }],
    ['koppel dit kanaal voor jeugdconsulent', { kind: 'link', service: 'jeugdconsulent' }],
    ['Koppel dit kanaal voor de jeugdconsulenten', { kind: 'link', service: 'jeugdconsulent' }],
    ['koppel dit kanaal', { kind: 'link-which' }],
    ['status', { kind: 'status' }],
    ['Status?', { kind: 'status' }],
    ['aanmelden', { kind: 'refer' }],
    ['Aanmelding doen', { kind: 'refer' }],
    ['nieuwe aanmelding', { kind: 'refer' }],
    ['hallo', { kind: 'help' }],
    ['wat is de status', { kind: 'help' }],
    ['', { kind: 'help' }],
  ])('reads "%s" as %j', (said, command) => {
    expect(parseChannelCommand(said)).toEqual(command);
  });
});

describe('the claim button per viewer', () => {
  it('is not shown to a professional whose role cannot take the route', async () => {
    const { referralCard } = await import('../../dialogs/referral.card.js');
    const { team: loadTeam, config: gemeente, aanmelding: build, lynne: gezinsverzorger, adele: coach } = await import('../fixtures/referral.js');
    const a = build();
    const as = (who: { aadObjectId: string }, role: 'gezinscoach' | 'gezinsverzorger') =>
      JSON.stringify(referralCard(a, { config: gemeente, team: loadTeam(), viewer: { aadObjectId: who.aadObjectId, role } }));
    expect(as(coach, 'gezinscoach')).toContain('Ik pak deze op');
    expect(as(gezinsverzorger, 'gezinsverzorger')).not.toContain('Ik pak deze op');
  });
});

describe('free text is text (issue 12, point 8)', () => {
  const MARKUP = '[klik](https://evil.example) **vet** <b>x</b>';
  const BIDI = 'Moeder \u202Efdp.exe\u202C';
  const typed = `${MARKUP} ${BIDI}`;
  const a = aanmelding({
    status: 'meer-informatie',
    answers: {
      explanation: typed,
      contact: { name: `Jan ${MARKUP}`, phone: '06 12345678', address: BIDI },
    },
    questions: [
      { id: 'q1', askedBy: { aadObjectId: adele.aadObjectId, name: 'Adele **Vance**' }, question: `Vraag ${typed}`, askedAt: LATER.toISOString(), answer: `Antwoord ${typed}`, answeredAt: LATER.toISOString() },
      { id: 'q2', askedBy: { aadObjectId: adele.aadObjectId, name: 'Adele Vance' }, question: `Open ${typed}`, askedAt: LATER.toISOString() },
    ],
  });
  const shownTo = {
    dossier: JSON.stringify(dossierCard(a, config)),
    'question card': JSON.stringify(referrerUpdate(a, 'vraag', 0).card),
    'forwarded answer': JSON.stringify(answerForwarded(a, 'q1')),
  };

  it.each(Object.entries(shownTo))('shows markdown and html in the %s literally, with no clickable disguised link and no bidi override', (_where, json) => {
    expect(json).not.toContain('[klik](');
    expect(json).not.toContain('**vet**');
    expect(json).not.toContain('<b>');
    expect(json).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/u);
    // JSON doubles the backslash of each markdown escape.
    expect(json).toContain('\\\\[klik\\\\]\\\\(https://evil.example\\\\) \\\\*\\\\*vet\\\\*\\\\* \\\\<b\\\\>x\\\\</b\\\\> Moeder fdp.exe');
  });

  it('shows a reader every word that was typed', () => {
    const dossier = asRead(textOf(dossierCard(a, config)));
    for (const part of [`Jan ${MARKUP}`, `Vraag ${MARKUP}`, `Antwoord ${MARKUP}`, 'Moeder fdp.exe']) expect(dossier).toContain(part);
  });

  it('keeps the bot\'s own formatting around the free text', () => {
    expect(answerForwarded(a, 'q1').text).toMatch(/^Antwoord van de verwijzer over \*\*AM-2026-0001\*\*/u);
  });
});
