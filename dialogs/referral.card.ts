import { GOAL_MAX_LENGTH, type Aanmelding, type CaseStatus, type Child, type Consent, type CLOSE_REASONS, type GezinsverzorgerRequest, type WAITLIST_REASONS } from '../data/aanmelding.schema.js';
import type { GemeenteConfig } from '../data/gemeente.config.js';
import type { TeamConfig } from '../data/team.config.js';
import { dutchDate as formatDate } from '../machines/dates.js';
import type { OnDuty } from '../machines/duty.js';
import {
  assignCandidates,
  assigneesOf,
  awaitsAgreement,
  intensityOf,
  isAssignedTo,
  isConsultation,
  isGedragswetenschapper,
  isOverNorm,
  jointRoles,
  loadsOf,
  normsFor,
  openRoles,
  slotsOf,
  type Assignment,
  type Candidate,
  type NormCount,
  type TeamRole,
} from '../machines/referral-case.js';
import type { HuisartsMoment, HuisartsToInform } from '../machines/huisarts-feedback.js';
import { isWaitingForPickup } from '../machines/spoed-escalation.js';
import { readableReason } from '../machines/triage.js';
import { adaptiveCard, choiceSet, container, facts, text, textInput, type AdaptiveCard, type CardElement } from './card.js';
import { consentGiversInWords, GV_CAUSE_OPTIONS, GV_FORM_OPTIONS, GV_TASK_OPTIONS, HOUSEHOLD_OPTIONS, LEEFGEBIED_OPTIONS, MELDCODE_OPTIONS, ROLE_OPTIONS, SAFETY_ACTION_OPTIONS } from './intake.dialog.js';
import { huisartsLetterSection } from './huisarts-message.js';
import { describeChildren, listNl, sentenceList } from './parse.js';
import { plainText } from './plain-text.js';

/**
 * The aanmelding as the team sees it in the channel, and the messages that follow from what the team does.
 * The channel card carries NO direct identifiers (domain.md, privacy rules): no names, address, phone, date of
 * birth or BSN of the family, and none of the referrer's free text. Only the 1:1 dossier shows those.
 */

export const STATUS_LABELS: Record<CaseStatus, string> = {
  nieuw: 'Nieuw',
  toegewezen: 'Toegewezen',
  wachtlijst: 'Op de wachtlijst',
  'meer-informatie': 'Meer informatie gevraagd',
  afgesloten: 'Afgesloten',
};

export const WAITLIST_LABELS: Record<(typeof WAITLIST_REASONS)[number], string> = {
  'geen-ruimte': 'Geen ruimte bij de passende professional',
  'gezin-later': 'Het gezin wil later starten',
  'wacht-op-overleg': 'Wacht op overleg of informatie',
  anders: 'Andere reden',
};

export const CLOSE_LABELS: Record<(typeof CLOSE_REASONS)[number], string> = {
  'doelen-behaald': 'Doelen behaald',
  'afgeschaald-waakvlam': 'Afgeschaald naar waakvlam',
  'doorverwezen-jeugdconsulent': 'Doorverwezen naar de jeugdconsulent (maatwerk)',
  'doorverwezen-specialistisch': 'Doorverwezen naar specialistische jeugdhulp',
  'doorverwezen-voorliggend-veld': 'Doorverwezen naar het voorliggend veld',
  'doorverwezen-wijkteam': 'Doorverwezen naar het wijkteam',
  'eenzijdig-gestopt': 'Het gezin is zelf gestopt',
  verhuisd: 'Het gezin is verhuisd',
  anders: 'Anders',
};

/** "Doorverwezen naar het wijkteam — Wijkteam Noord": the reason with the receiving organisation, when there is one. */
export function closureInWords(closure: NonNullable<Aanmelding['closure']>, labels: Record<(typeof CLOSE_REASONS)[number], string> = CLOSE_LABELS): string {
  return `${labels[closure.reason]}${closure.referredTo ? ` — ${closure.referredTo}` : ''}`;
}

/** The closure's inputs (the card's Afsluiten and the evaluation's): reason, receiving organisation, the family's mark. */
function closureInputs(config: GemeenteConfig): CardElement[] {
  return [
    choiceSet('reason', 'Reden', Object.entries(CLOSE_LABELS).map(([value, title]) => ({ title, value })), { style: 'compact', required: true, value: 'doelen-behaald' }),
    choiceSet('referredTo', 'Verwezen naar (bij doorverwijzen)', config.organisaties.map((o) => ({ title: o, value: o })), { style: 'compact', placeholder: 'Kies de organisatie' }),
    { type: 'Input.Number', id: 'satisfaction', label: 'Tevredenheid van het gezin (1 tot en met 10, als het gezin een cijfer gaf)', min: 1, max: 10 },
  ];
}

/** The closure reasons in the words a referrer reads: "eenzijdig gestopt" is the team's term. */
export const CLOSE_LABELS_FOR_REFERRER: Record<(typeof CLOSE_REASONS)[number], string> = {
  ...CLOSE_LABELS,
  'eenzijdig-gestopt': 'Het gezin is zelf gestopt',
};

/** The casemanager's cause (seed 000: "doelgroep tijdelijk/langdurig") in plain words. */
const TARGET_GROUP_WORDS: Record<GezinsverzorgerRequest['targetGroup'], string> = {
  tijdelijk: 'tijdelijk, door een ingrijpende gebeurtenis',
  langdurig: 'langdurig, door problemen van de ouders zelf',
};

const dateTime = new Intl.DateTimeFormat('nl-NL', {
  timeZone: 'Europe/Amsterdam',
  day: 'numeric',
  month: 'long',
  hour: '2-digit',
  minute: '2-digit',
});
export function formatMoment(iso: string): string {
  return dateTime.format(new Date(iso)).replace(' om ', ', ');
}

/** The gemeente's age bands as people read them: "0 t/m 3 jaar", "4 t/m 11 jaar", "12 t/m 23 jaar" (never overlapping). */
export function ageBandLabels(config: Pick<GemeenteConfig, 'leeftijdsgroepen' | 'ageLimit'>): { from: number; label: string }[] {
  const starts = config.leeftijdsgroepen;
  return starts.map((from, i) => {
    const to = i + 1 < starts.length ? starts[i + 1]! - 1 : config.ageLimit;
    return { from, label: from === to ? `${from} jaar` : `${from} t/m ${to} jaar` };
  });
}

/** "0 t/m 3 jaar (1), 4 t/m 11 jaar (2), op komst (1)": the children by the gemeente's age bands, youngest first. */
export function ageBands(children: readonly Child[], config: Pick<GemeenteConfig, 'leeftijdsgroepen' | 'ageLimit'>): string {
  const labels = ageBandLabels(config);
  const older = `ouder dan ${config.ageLimit} jaar`;
  const order = [...labels.map((b) => b.label), older, 'op komst'];
  const counts = new Map<string, number>();
  for (const child of children) {
    const band = 'expected' in child ? 'op komst' : child.age > config.ageLimit ? older : labels.findLast((b) => child.age >= b.from)!.label;
    counts.set(band, (counts.get(band) ?? 0) + 1);
  }
  return order.filter((band) => counts.has(band)).map((band) => `${band} (${counts.get(band)})`).join(', ');
}

function titleOf(options: { value: string; title: string }[], value: string | undefined): string {
  return options.find((o) => o.value === value)?.title ?? value ?? '–';
}

/** The gezinsverzorgers' joint caseload and hours against their capacity (seed 001: ~10 families for 3 people). */
export interface TeamLoad {
  families: number;
  maxFamilies: number;
  hours: number;
  maxHours: number;
}

export function gezinsverzorgerLoad(assignments: readonly Assignment[], team: TeamConfig): TeamLoad {
  const people = team.professionals.filter((p) => p.role === 'gezinsverzorger');
  const active = assignments.filter((a) => a.role === 'gezinsverzorger');
  return {
    families: active.length,
    maxFamilies: people.reduce((sum, p) => sum + p.capacity.maxCases, 0),
    hours: active.reduce((sum, a) => sum + (a.hoursPerWeek ?? 0), 0),
    maxHours: people.reduce((sum, p) => sum + p.capacity.hoursPerWeek, 0),
  };
}

export { dutchDate as formatDate } from '../machines/dates.js';

/** "4,5 uur per week, 6 maanden, tijdelijk, door een ingrijpende gebeurtenis": what the casemanager asked, without their free text. */
function requestedHelp(gv: GezinsverzorgerRequest): string {
  const months = gv.durationMonths === 1 ? '1 maand' : `${gv.durationMonths} maanden`;
  return `${String(gv.hoursPerWeek).replace('.', ',')} uur per week, ${months}, ${TARGET_GROUP_WORDS[gv.targetGroup]}`;
}

export interface CardView {
  config: GemeenteConfig;
  team: TeamConfig;
  /** Whose card this is (an invoke or a refresh): only their actions are shown. Undefined: everyone's. */
  viewer?: { aadObjectId: string; role: TeamRole | undefined };
  candidates?: Candidate[];
  notice?: { text: string; tone: 'good' | 'attention' | 'warning' };
  /** For gezinsverzorger aanmeldingen: the team's room at a glance. */
  teamLoad?: TeamLoad;
  /** Waakvlam and complex-intensief: where the assignees and the team stand against their norms. */
  norms?: NormCount[];
  /**
   * SPOED only: the jeugdconsulenten the card is for. `mention` on the first post alone, so Teams notifies them
   * once; later versions of the card name the same people without notifying again.
   */
  onDuty?: OnDuty & { mention: boolean };
}

const NOT_YET = 'Nog niet ingevuld (spoed)';
const SHORT_SPOED_LINE =
  'Kort spoedformulier: de verwijzer vult de rest later aan. Wie de aanmelding oppakt, ziet in het dossier wat er speelt en het terugbelnummer van de verwijzer.';

/** Sent as the short acute form and not completed yet. */
export function isShortSpoed(a: Pick<Aanmelding, 'answers'>): boolean {
  return a.answers.spoed !== undefined && a.answers.spoed.completedAt === undefined;
}

function consentFact(referral: Consent | undefined): string {
  if (referral === undefined) return 'Nog niet gevraagd (spoed)';
  return referral === 'ja' ? 'Ja' : referral === 'anoniem' ? 'Nee, anoniem overleg' : 'Nee';
}

/** The consent situation in the words the team acts on (domain.md: no contact with the family without consent). */
export function consentInWords(a: Pick<Aanmelding, 'answers'>): string {
  switch (a.answers.consent?.referral) {
    case 'ja':
      return 'Toestemming: ja';
    case undefined:
      // The short acute form: consent comes with the rest of the aanmelding.
      return 'Toestemming nog niet gevraagd (spoed) — neem contact op via de verwijzer';
    case 'anoniem':
      return 'Anoniem overleg — neem geen contact op met het gezin, overleg met de verwijzer';
    default:
      return 'Geen toestemming — alleen vanwege veiligheid aangemeld; contact via de verwijzer';
  }
}

const clockTime = new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', hour: '2-digit', minute: '2-digit' });
const dayOnly = new Intl.DateTimeFormat('nl-NL', { timeZone: 'Europe/Amsterdam', day: 'numeric', month: 'long' });

/** "Nog niet opgepakt — coördinatoren gewaarschuwd om 10:42" (with the day when that was not the day it came in). */
export function escalationLine(escalation: NonNullable<Aanmelding['escalation']>, createdAt: string): string {
  const at = new Date(escalation.at);
  const when = `${dayOnly.format(at) === dayOnly.format(new Date(createdAt)) ? '' : `op ${dayOnly.format(at)} `}om ${clockTime.format(at)}`;
  return escalation.level === 1 ? `Nog niet opgepakt — coördinatoren gewaarschuwd ${when}` : `Nog steeds niet opgepakt — coördinatoren ${when} opnieuw gewaarschuwd`;
}

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** "Waakvlam — wacht op akkoord gedragswetenschapper" (the definitions are in the choices). */
function intensityFact(a: Aanmelding, config: GemeenteConfig): string {
  const agreement = awaitsAgreement(a) ? ' — wacht op akkoord gedragswetenschapper' : a.intensity?.agreed ? ` — akkoord ${a.intensity.agreed.by.name}` : '';
  return `${config.intensiteiten[intensityOf(a)].label}${agreement}`;
}

/** "Waakvlam bij Adele Vance" or "Complex-intensief in het team". */
function normLabel(n: NormCount, config: GemeenteConfig): string {
  return `${config.intensiteiten[n.intensity].label} ${n.professional ? `bij ${n.professional.name}` : 'in het team'}`;
}

/** For the audit log: "waakvlam Adele Vance 9 van 8; complex-intensief team 16 van 15". */
export function normsInWords(norms: readonly NormCount[]): string {
  return norms.map((n) => `${n.intensity} ${n.professional?.name ?? 'team'} ${n.count} van ${n.max}`).join('; ');
}

/** On the card of whoever went over a norm: allowed (seed 004: judged per case), and said plainly. */
export function overNormWarning(norms: readonly NormCount[], config: GemeenteConfig): string {
  const lines = norms.map((n) => {
    const label = config.intensiteiten[n.intensity].label.toLowerCase();
    return `${n.professional ? `${n.professional.name} heeft` : 'Het team heeft'} nu ${n.count} gezinnen met ${label} (norm: ${n.max})`;
  });
  return `Let op, boven de norm: ${listNl(lines)}. Dat mag; het is vastgelegd.`;
}

/** The channel card with what it needs of the open cases' assignments: assignment choices and, for gezinsverzorgers, room. */
export function teamCard(a: Aanmelding, assignments: readonly Assignment[], view: Omit<CardView, 'candidates' | 'teamLoad' | 'norms'>): AdaptiveCard {
  return referralCard(a, {
    ...view,
    candidates: assignCandidates(a, view.team, loadsOf(assignments), assignments),
    norms: normsFor(a, assignments, view.team),
    ...(a.triage.route === 'gezinsverzorger' ? { teamLoad: gezinsverzorgerLoad(assignments, view.team) } : {}),
  });
}

export function referralCard(a: Aanmelding, view: CardView): AdaptiveCard {
  const { config } = view;
  const route = config.routes[a.triage.route];
  const stillOpen = a.assignee ? openRoles(a) : [];
  const statusLine =
    a.status === 'toegewezen' && a.assignee
      ? `${isConsultation(a) ? 'In overleg met de verwijzer:' : 'Toegewezen aan'} ${listNl(assigneesOf(a).map((x) => `${x.name} (${x.role})`))}${stillOpen.length > 0 ? `; ${listNl(stillOpen)} nog open` : ''}`
      : STATUS_LABELS[a.status];
  const body: CardElement[] = [
    text(`Aanmelding ${a.reference}`, { weight: 'Bolder', size: 'Medium' }),
    text(`Status: ${statusLine}`, { weight: 'Bolder', spacing: 'Small' }),
  ];
  if (view.notice) body.push(container([text(view.notice.text)], view.notice.tone));
  const duty = a.triage.urgent ? view.onDuty : undefined;
  if (a.triage.urgent) {
    body.push(
      container(
        [text('SPOED: acute zorgen over de veiligheid van een kind of gezinslid', { weight: 'Bolder' }), ...(duty ? [text(dutyLine(duty))] : [])],
        'attention',
      ),
    );
  }
  if (a.escalation && isWaitingForPickup(a)) body.push(container([text(escalationLine(a.escalation, a.createdAt), { weight: 'Bolder' })], 'warning'));
  // Whether the team may contact the family at all, before anyone picks it up.
  if (a.answers.consent?.referral !== 'ja') body.push(container([text(consentInWords(a), { weight: 'Bolder' })], 'warning'));
  if (isShortSpoed(a)) body.push(text(SHORT_SPOED_LINE, { weight: 'Bolder' }));
  if (a.answers.safety.signal) body.push(container([text(`Zorgsignaal: zorgen over de veiligheid, niet acuut (meldcode: ${titleOf(MELDCODE_OPTIONS, a.answers.safety.signal.meldcode)})`, { weight: 'Bolder' })], 'warning'));
  const referrerRole = titleOf(ROLE_OPTIONS, a.referrer.role);
  body.push(
    facts([
      ['Route', route.label],
      // A keukentafelgesprek's two slots (seed 004: the gezinscoach together with the jeugdconsulent), either filled first.
      ...(jointRoles(a.triage.route) ? slotsOf(a).map((slot): [string, string] => [capitalised(slot.role ?? ''), slot.holder?.name ?? 'nog open']) : []),
      ...(a.assignee ? ([['Intensiteit', intensityFact(a, config)]] as [string, string][]) : []),
      ...(view.norms ?? []).map((n): [string, string] => [normLabel(n, config), `${n.count} van ${n.max}${isOverNorm(n) ? ' — boven de norm' : ''}`]),
      ['Toestemming', consentFact(a.answers.consent?.referral)],
      ['Wijk of dorp', a.answers.wijk],
      ['Gezin', a.answers.household ? titleOf(HOUSEHOLD_OPTIONS, a.answers.household) : NOT_YET],
      ['Kinderen', ageBands(a.answers.children, config)],
      ['Hoofdvraag', a.answers.hoofdvraag ? sentenceList(a.answers.hoofdvraag.map((v) => titleOf(LEEFGEBIED_OPTIONS, v))) : NOT_YET],
      ['Complexiteit', a.triage.criteria.length === 0 ? 'Geen criterium' : a.triage.criteria.map((id) => config.criteria.find((c) => c.id === id)?.label ?? id).join('; ')],
      ['Verwijzer', a.referrer.praktijk ? `${referrerRole}, ${a.referrer.praktijk}` : referrerRole],
      ['Aangemeld', formatMoment(a.createdAt)],
      ...(a.waitlist ? ([['Wachtlijst', `${WAITLIST_LABELS[a.waitlist.reason]} (sinds ${formatMoment(a.waitlist.since)})`]] as [string, string][]) : []),
      ...(a.closure ? ([['Afgesloten', closureInWords(a.closure)]] as [string, string][]) : []),
      ...(a.answers.gezinsverzorger
        ? ([
            ['Gevraagd', requestedHelp(a.answers.gezinsverzorger)],
          ] as [string, string][])
        : []),
      ...(a.hoursPerWeek !== undefined ? ([['Nu', `${String(a.hoursPerWeek).replace('.', ',')} uur per week (afgeschaald)`]] as [string, string][]) : []),
      // The goal is about the family: the channel sees only that there is one.
      ...(a.goal ? ([['Doel', `vastgelegd op ${formatMoment(a.goal.at)} (staat in het dossier)`]] as [string, string][]) : []),
      ...(a.maatwerk ? ([['Maatwerk', `ingezet sinds ${formatDate(a.maatwerk.since)}, naast de gezinscoach`]] as [string, string][]) : []),
      ...(a.evaluation && a.status !== 'afgesloten' ? ([['Evaluatie', formatDate(a.evaluation.dueOn)]] as [string, string][]) : []),
      ...(view.teamLoad
        ? ([
            [
              'Team gezinsverzorgers',
              `${view.teamLoad.families} van ${view.teamLoad.maxFamilies} gezinnen, ${String(view.teamLoad.hours).replace('.', ',')} van ${view.teamLoad.maxHours} uur per week`,
            ],
          ] as [string, string][])
        : []),
    ]),
    text(a.triage.reasons.map((r) => `- ${readableReason(r)}`).join('\n'), { subtle: true }),
  );
  const history = a.history.filter((e) => e.action !== 'aangemaakt' && e.action !== 'geplaatst').slice(-5);
  if (history.length > 0) {
    body.push(
      text('Wat er gebeurde', { weight: 'Bolder', spacing: 'Medium' }),
      text(history.map((e) => `- ${formatMoment(e.at)}: ${e.detail ?? e.action}`).join('\n'), { size: 'Small' }),
    );
  }
  const card = adaptiveCard(body, actionsFor(a, view));
  card.refresh = {
    action: { type: 'Action.Execute', title: 'Vernieuwen', verb: 'refresh', data: { reference: a.reference } },
    userIds: teamUserIds(view.team),
  };
  // Teams notifies whoever a card mentions. The Entra object id is always in the team configuration and needs no
  // earlier chat with the bot (Teams docs, "Mention support within Adaptive Cards").
  if (duty?.mention) {
    card.msteams = { entities: duty.people.map((p) => ({ type: 'mention', text: `<at>${p.name}</at>`, mentioned: { id: p.aadObjectId, name: p.name } })) };
  }
  return card;
}

/** "Jeugdconsulent van dienst: <at>Patti Fernandez</at>", with the <at> tags only where Teams is to notify. */
function dutyLine(duty: NonNullable<CardView['onDuty']>): string {
  const names = listNl(duty.people.map((p) => (duty.mention ? `<at>${p.name}</at>` : p.name)));
  const plural = duty.people.length > 1;
  return duty.byRota ? `${plural ? 'Jeugdconsulenten' : 'Jeugdconsulent'} van dienst: ${names}` : `Voor ${plural ? 'de jeugdconsulenten' : 'de jeugdconsulent'}: ${names}`;
}

/**
 * The referrer's view of their own aanmelding, when they open or refresh a card: where it stands, nothing of the
 * team's work (no buttons, no history, no assignment choices).
 */
export function referrerCard(a: Aanmelding, config: GemeenteConfig): AdaptiveCard {
  return adaptiveCard([
    text(`Je aanmelding ${a.reference}`, { weight: 'Bolder', size: 'Medium' }),
    facts([
      ['Status', STATUS_LABELS[a.status]],
      ['Route', config.routes[a.triage.route].label],
      ['Aangemeld', formatMoment(a.createdAt)],
      ...(a.assignee && a.status !== 'afgesloten'
        ? ([[isConsultation(a) ? 'Overlegt met je' : 'Opgepakt door', listNl(assigneesOf(a).map((x) => `${x.name} (${x.role})`))]] as [string, string][])
        : []),
      ...(a.closure ? ([['Afgesloten', closureInWords(a.closure, CLOSE_LABELS_FOR_REFERRER)]] as [string, string][]) : []),
    ]),
    text('Wat het team met de aanmelding doet, hoor je van mij in deze chat.', { subtle: true }),
  ]);
}

/** To anyone who sends an answer or evaluation that is not theirs to give: the same whether or not the reference exists. */
export const SUBMIT_REFUSED = 'Dat kan ik niet voor je doen: deze aanmelding kan ik je niet laten zien.';

/** To anyone who may not see a card: the same answer whether or not the reference exists. */
export function cardRefused(): AdaptiveCard {
  return adaptiveCard([text('Deze kaart kan ik je niet laten zien. Hoor je bij het team, vraag dan een coördinator om je toe te voegen.')]);
}

/** Teams refreshes a card automatically only for listed users (at most 60). */
function teamUserIds(team: TeamConfig): string[] {
  const ids = [...team.coordinators, ...team.professionals, ...team.gedragswetenschappers].flatMap((p) => (p.teamsUserId ? [p.teamsUserId] : []));
  return [...new Set(ids)].slice(0, 60);
}

function execute(title: string, verb: string, a: Aanmelding, style?: 'positive' | 'destructive'): CardElement {
  return { type: 'Action.Execute', title, verb, data: { reference: a.reference, version: a.version }, ...(style ? { style } : {}) };
}

function withInputs(title: string, inputs: CardElement[], submit: CardElement): CardElement {
  return { type: 'Action.ShowCard', title, card: adaptiveCard(inputs, [submit]) };
}

const ROLE_WORDS: Record<Candidate['professional']['role'], string> = { gezinscoach: 'coach', gezinsverzorger: 'gezinsverzorger', jeugdconsulent: 'jeugdconsulent' };

/** "Adele Vance, gezinscoach — 3 van 15 gezinnen, nog 12 plekken, vaste coach van De Linde": written out, never cut. */
export function candidateTitle(c: Candidate, a: Aanmelding): string {
  const p = c.professional;
  const room = c.room === 0 ? 'vol' : `nog ${c.room} ${c.room === 1 ? 'plek' : 'plekken'}`;
  const parts = [...(c.continuity ? ['eerder betrokken bij dit gezin'] : []), `${c.activeCases} van ${p.capacity.maxCases} gezinnen`, room];
  if (c.linked) {
    const praktijk = a.referrer.praktijk !== undefined && p.praktijken.includes(a.referrer.praktijk) ? a.referrer.praktijk.replace(/^huisartsenpraktijk\s+/i, '') : undefined;
    parts.push(`vaste ${ROLE_WORDS[p.role]} van ${p.wijken.includes(a.answers.wijk) ? a.answers.wijk : (praktijk ?? 'deze wijk')}`);
  }
  if (c.expertise.length > 0) parts.push(`expertise ${listNl(c.expertise)}`);
  // A norm of 0 means: not someone for this intensity; shown only when they have such cases anyway.
  if (p.capacity.maxWaakvlam > 0 || c.waakvlam > 0) parts.push(`waakvlam ${c.waakvlam} van ${p.capacity.maxWaakvlam}`);
  if (p.capacity.maxComplexIntensief > 0 || c.complexIntensief > 0) parts.push(`complex-intensief ${c.complexIntensief} van ${p.capacity.maxComplexIntensief}`);
  return `${p.name}, ${p.role} — ${parts.join(', ')}`;
}

function actionsFor(a: Aanmelding, view: CardView): CardElement[] {
  if (a.status === 'afgesloten') return [];
  const { config } = view;
  const role = view.viewer?.role;
  const everyone = view.viewer === undefined;
  const isCoordinator = everyone || role === 'coordinator';
  const isAssignee = everyone || (view.viewer !== undefined && isAssignedTo(a, view.viewer.aadObjectId));
  const actions: CardElement[] = [];
  // Only a viewer whose role fits a free slot gets the button (the rule refuses the others anyway); on a
  // keukentafelgesprek the gezinscoach and the jeugdconsulent each have one.
  const free = openRoles(a);
  const mayPickUp = everyone ? free.length > 0 : free.some((r) => r === role) && !isAssignedTo(a, view.viewer!.aadObjectId);
  // Without consent nobody picks up the family: the one who takes it on consults the referrer.
  if (mayPickUp) actions.push(execute(isConsultation(a) ? 'Ik overleg met de verwijzer' : 'Ik pak deze op', 'claim', a, 'positive'));
  const intensityChoices = () =>
    choiceSet(
      'intensity',
      'Intensiteit',
      (['licht', 'waakvlam', 'complex-intensief'] as const).map((id) => ({ title: `${config.intensiteiten[id].label}: ${config.intensiteiten[id].description}`, value: id })),
      { style: 'compact', required: true, value: intensityOf(a) },
    );
  if (isCoordinator) {
    const candidates = view.candidates ?? [];
    actions.push(
      withInputs(
        'Toewijzen aan…',
        [
          // Expanded, so that Teams wraps every choice instead of cutting it off in a dropdown.
          choiceSet(
            'professional',
            jointRoles(a.triage.route) ? 'Aan wie? (de gezinscoach en de jeugdconsulent houden het gesprek samen)' : 'Aan wie? (passend bij route, wijk of praktijk eerst)',
            candidates.map((c) => ({ title: candidateTitle(c, a), value: c.professional.aadObjectId })),
            { required: true, errorMessage: 'Kies een professional.', value: candidates[0]?.professional.aadObjectId },
          ),
          intensityChoices(),
        ],
        execute('Toewijzen', 'assign', a, 'positive'),
      ),
    );
    if (!a.assignee && (a.status === 'nieuw' || a.status === 'meer-informatie')) {
      actions.push(
        withInputs(
          'Op wachtlijst',
          [
            choiceSet('reason', 'Reden', Object.entries(WAITLIST_LABELS).map(([value, title]) => ({ title, value })), {
              style: 'compact',
              required: true,
              value: 'geen-ruimte',
            }),
          ],
          execute('Op wachtlijst zetten', 'waitlist', a),
        ),
      );
    }
  }
  if (isCoordinator || isAssignee) {
    actions.push(
      withInputs(
        'Meer informatie nodig',
        [
          text('Je vraag gaat in een persoonlijke chat naar de verwijzer; hij komt niet in dit kanaal.', { subtle: true }),
          textInput('question', 'Wat wil je weten?', { multiline: true, maxLength: 500, required: true, errorMessage: 'Typ je vraag.' }),
        ],
        execute('Vraag versturen', 'ask', a),
      ),
    );
    actions.push(execute('Dossier (persoonlijk)', 'dossier', a));
  }
  if (a.assignee && (isCoordinator || isAssignee)) {
    actions.push(withInputs('Intensiteit…', [intensityChoices()], execute('Intensiteit vastleggen', 'intensity', a)));
  }
  if (awaitsAgreement(a) && (everyone || isGedragswetenschapper(view.viewer!.aadObjectId, view.team))) {
    actions.push(execute('Akkoord gedragswetenschapper', 'agree', a, 'positive'));
  }
  // The goal agreed with the family and maatwerk beside the gezinscoach (seed 004: "gelijktijdig ingezet"), behind one
  // button: a gezinsverzorger's goal is the casemanager's plan, and a consultation has no family to agree one with.
  const coachTrajectory = a.triage.route === 'gezinscoach' || a.triage.route === 'keukentafelgesprek';
  if (a.assignee && (isCoordinator || isAssignee) && coachTrajectory && !isConsultation(a)) {
    // No input is required here: each button sends only what it is about, and the rule names what is missing.
    actions.push({
      type: 'Action.ShowCard',
      title: 'Traject…',
      card: adaptiveCard(
        [
          text('Het doel dat je met het gezin afsprak. Het komt in het dossier, niet in dit kanaal.', { subtle: true }),
          textInput('goal', 'Doel', { multiline: true, maxLength: GOAL_MAX_LENGTH, ...(a.goal ? { placeholder: 'Er is al een doel; typ hier een nieuw doel' } : {}) }),
          ...(a.evaluation ? [{ type: 'Input.Date', id: 'dueOn', label: 'Volgende evaluatie', value: a.evaluation.dueOn }] : []),
          text('Loopt er een maatwerkvoorziening naast de gezinscoach? Beide lopen dan gewoon door.', { subtle: true }),
          { type: 'Input.Date', id: 'since', label: 'Maatwerk gestart op', ...(a.maatwerk ? { value: a.maatwerk.since } : {}) },
        ],
        [
          execute('Doel opslaan', 'goal', a),
          ...(a.evaluation ? [execute('Evaluatiedatum opslaan', 'evaluation-date', a)] : []),
          execute('Maatwerk vastleggen', 'maatwerk', a),
        ],
      ),
    });
  }
  if (a.evaluation && (isCoordinator || isAssignee) && !coachTrajectory) {
    actions.push(
      withInputs(
        'Evaluatiedatum wijzigen',
        [{ type: 'Input.Date', id: 'dueOn', label: 'Volgende evaluatie', value: a.evaluation.dueOn, isRequired: true, errorMessage: 'Kies een datum.' }],
        execute('Datum opslaan', 'evaluation-date', a),
      ),
    );
  }
  if (isAssignee || isCoordinator) {
    actions.push(withInputs('Afsluiten', closureInputs(config), execute('Afsluiten', 'close', a, 'destructive')));
  }
  return actions;
}

/** "Adele Vance · gezinscoach · gekoppeld · 3/15 casussen · 12 ruimte · waakvlam 2 van 8 · complex-intensief 0 van 3". */
// ---------------------------------------------------------------------------------------------------------
// Messages in 1:1 chats.

const CONSULTATION_NAMES: Record<Consent | 'spoed', string> = { ja: '', anoniem: ' (anoniem overleg)', nee: ' (zonder toestemming)', spoed: ' (kort spoedformulier)' };

/** To the referrer: what happened to their aanmelding. */
export function referrerUpdate(
  a: Aanmelding,
  about: 'opgepakt' | 'wachtlijst' | 'vraag' | 'afgesloten',
  waitlistLength: number,
  /** Who picked it up: on a keukentafelgesprek each of the two is told apart. */
  professional?: string,
): { text?: string; card?: AdaptiveCard } {
  switch (about) {
    case 'opgepakt': {
      const person = assigneesOf(a).find((x) => x.aadObjectId === professional) ?? a.assignee;
      const who = person ? `${person.name} (${person.role})` : 'een professional';
      const last = a.history.at(-1);
      const lines = [`Je aanmelding **${a.reference}**${CONSULTATION_NAMES[a.answers.consent?.referral ?? 'spoed']} is opgepakt door ${who}, op ${formatMoment(last?.at ?? a.updatedAt)}.`];
      if (isConsultation(a) && person) {
        const name = person.name;
        lines.push(
          `${name} overlegt met jou en neemt daarvoor contact met je op; ${a.answers.consent?.referral === 'anoniem' ? 'het gezin wordt niet benaderd' : 'het gezin wordt niet rechtstreeks benaderd, contact loopt via jou'}. Wil je niet wachten, zoek ${name} dan op in Teams.`,
        );
      }
      const referrerIsGp = a.referrer.role === 'huisarts' || a.referrer.role === 'poh';
      if (a.answers.consent?.referral === 'ja' && !a.answers.consent.feedbackToHuisarts && !referrerIsGp) {
        lines.push('Het gezin wil niet dat de huisarts hierover bericht krijgt; deel dit dus niet met de huisarts.');
      }
      return { text: lines.join('\n\n') };
    }
    case 'wachtlijst':
      return {
        text: `Je aanmelding **${a.reference}** staat op de wachtlijst${a.waitlist ? ` (${WAITLIST_LABELS[a.waitlist.reason].toLowerCase()})` : ''}. Er ${waitlistLength === 1 ? 'staat' : 'staan'} nu ${waitlistLength} aanmelding${waitlistLength === 1 ? '' : 'en'} op de wachtlijst. Je hoort van mij zodra iemand hem oppakt.`,
      };
    case 'afgesloten':
      return { text: `De ondersteuning bij aanmelding **${a.reference}** is afgesloten${a.closure ? `: ${lowerFirst(closureInWords(a.closure, CLOSE_LABELS_FOR_REFERRER))}` : ''}.` };
    case 'vraag': {
      const open = a.questions.filter((q) => q.answer === undefined).at(-1);
      if (!open) return { text: `Er is een vraag over aanmelding ${a.reference}.` };
      return {
        card: adaptiveCard([
          text(`Vraag over je aanmelding ${a.reference}`, { weight: 'Bolder', size: 'Medium' }),
          text(`${plainText(open.askedBy.name)} vraagt:`, { subtle: true }),
          container([text(plainText(open.question))], 'emphasis'),
          textInput('answer', 'Je antwoord', { multiline: true, maxLength: 2000, required: true, errorMessage: 'Typ je antwoord.' }),
          {
            type: 'ActionSet',
            actions: [{ type: 'Action.Submit', title: 'Antwoord versturen', style: 'positive', data: { flow: 'vraag', action: 'answer', reference: a.reference, question: open.id } }],
          },
        ]),
      };
    }
  }
}

/** To the professional or coordinator who asked: the referrer's answer. */
export function answerForwarded(a: Aanmelding, questionId: string): { text: string } {
  const q = a.questions.find((x) => x.id === questionId);
  return { text: `Antwoord van de verwijzer over **${a.reference}**\n\nJe vroeg: ${plainText(q?.question ?? '')}\n\nAntwoord: ${plainText(q?.answer ?? '')}` };
}

/** The full dossier, only in a 1:1 chat with the assignee or a coordinator (and every sending is audited). */
export function dossierCard(a: Aanmelding, config: GemeenteConfig, huisartsLetter?: { to: HuisartsToInform; moment: HuisartsMoment }): AdaptiveCard {
  const ans = a.answers;
  const contact = ans.contact;
  const rows: [string, string][] = [
    ['Route', config.routes[a.triage.route].label + (a.triage.urgent ? ' (SPOED)' : '')],
    ['Verwijzer', `${plainText(a.referrer.identity.name)}, ${titleOf(ROLE_OPTIONS, a.referrer.role)}${a.referrer.praktijk ? `, ${a.referrer.praktijk}` : ''}`],
    [
      'Veiligheid',
      ans.safety.concern
        ? `Acute zorgen; al gedaan: ${titleOf(SAFETY_ACTION_OPTIONS, ans.safety.action)}`
        : ans.safety.signal
          ? `Zorgsignaal: zorgen, niet acuut; meldcode: ${titleOf(MELDCODE_OPTIONS, ans.safety.signal.meldcode)}`
          : 'Geen acute zorgen',
    ],
    // The short acute form: what the jeugdconsulent needs to act and call back, before anything else.
    ...(ans.spoed
      ? ([
          ['Wat speelt er (spoed)', plainText(ans.spoed.situation)],
          ['Verwijzer terugbellen', plainText(ans.spoed.referrerPhone)],
        ] as [string, string][])
      : []),
    ['Kinderen', describeChildren(ans.children)],
    ['Toestemming', ans.consent?.referral === 'ja' ? `Ja, van ${consentGiversInWords(ans.consent.givenBy)}; huisarts informeren: ${ans.consent.feedbackToHuisarts ? 'ja' : 'nee'}` : consentInWords(a)],
    ['Gezin', ans.household ? titleOf(HOUSEHOLD_OPTIONS, ans.household) : NOT_YET],
    ['Wijk of dorp', ans.wijk],
    ['Hoofdvraag', ans.hoofdvraag ? listNl(ans.hoofdvraag.map((v) => titleOf(LEEFGEBIED_OPTIONS, v))) : NOT_YET],
    ['Gespecialiseerde jeugdhulp nodig', ans.specialistCareNeeded === undefined ? NOT_YET : ans.specialistCareNeeded ? 'Ja' : 'Nee'],
    ['Toelichting', ans.explanation ? plainText(ans.explanation) : 'Geen'],
  ];
  // What the casemanager asked of the gezinsverzorger: the one who does the work needs the plan's goal and tasks.
  const gv = ans.gezinsverzorger;
  if (gv) {
    rows.push(
      ['Doel uit het plan', plainText(gv.goal)],
      ['Taken', sentenceList(gv.tasks.map((v) => titleOf(GV_TASK_OPTIONS, v)))],
      ['Vorm van ondersteuning', titleOf(GV_FORM_OPTIONS, gv.supportForm)],
      ['Gevraagd', requestedHelp(gv)],
      ['Aanleiding', titleOf(GV_CAUSE_OPTIONS, gv.cause)],
    );
  }
  if (a.goal) rows.push(['Doel van het traject', `${plainText(a.goal.text)} (${plainText(a.goal.by.name)}, ${formatMoment(a.goal.at)})`]);
  if (a.hoursPerWeek !== undefined) rows.push(['Nu', `${String(a.hoursPerWeek).replace('.', ',')} uur per week (afgeschaald)`]);
  if (a.maatwerk) rows.push(['Maatwerk', `ingezet sinds ${formatDate(a.maatwerk.since)}, naast de gezinscoach`]);
  if (a.closure) rows.push(['Afgesloten', `${closureInWords(a.closure)}${a.closure.satisfaction !== undefined ? `; tevredenheid ${a.closure.satisfaction}` : ''}`]);
  if (contact) rows.push(['Contact', plainText([contact.name, contact.phone, contact.email, contact.address].filter(Boolean).join(', '))]);
  else rows.push(['Contact', ans.consent?.referral === 'ja' ? '–' : 'Geen gegevens (geen toestemming): neem contact op met de verwijzer']);
  const answered = a.questions.filter((q) => q.answer !== undefined);
  return adaptiveCard([
    text(`Dossier ${a.reference}`, { weight: 'Bolder', size: 'Medium' }),
    container([text('Vertrouwelijk: alleen voor jou. Deel dit niet in een kanaal. Je inzage is vastgelegd.', { weight: 'Bolder', size: 'Small' })], 'warning'),
    facts(rows),
    ...(answered.length > 0
      ? [text('Vragen en antwoorden', { weight: 'Bolder' }), text(answered.map((q) => `- ${plainText(q.question)}\n  → ${plainText(q.answer ?? '')}`).join('\n'))]
      : []),
    ...(huisartsLetter ? huisartsLetterSection(a, huisartsLetter.moment, huisartsLetter.to, config) : []),
  ]);
}

/**
 * On the evaluation date, 1:1: a gezinsverzorger's to the casemanager and the gezinsverzorger (with the plan's goal
 * and the hours), a gezinscoach's to whoever has the case (with the goal agreed with the family). Afschalen means
 * fewer hours for a gezinsverzorger, waakvlam for a gezinscoach.
 */
export function evaluationReminder(a: Aanmelding, nextDueOn: string, config: GemeenteConfig, team: TeamConfig): AdaptiveCard {
  const gv = a.answers.gezinsverzorger;
  const isGv = a.triage.route === 'gezinsverzorger';
  const data = (outcome: string) => ({ flow: 'evaluatie', reference: a.reference, dueOn: a.evaluation?.dueOn ?? '', outcome });
  const hours = a.hoursPerWeek ?? gv?.hoursPerWeek;
  const goal = isGv ? gv?.goal : a.goal?.text;
  const who = listNl(assigneesOf(a).map((x) => x.name));
  // A gezinsverzorger's evaluation may name the praktijkbegeleider and the gedragswetenschapper who took part.
  const participants: CardElement[] = isGv
    ? [
        textInput('praktijkbegeleider', 'Praktijkbegeleider die meedeed (naam, als iemand meedeed)', { maxLength: 60 }),
        ...(team.gedragswetenschappers.length > 0
          ? [choiceSet('gedragswetenschapper', 'Gedragswetenschapper die meedeed', team.gedragswetenschappers.map((g) => ({ title: g.name, value: g.name })), { style: 'compact', placeholder: 'Niemand' })]
          : []),
      ]
    : [];
  const afschalen: CardElement[] = isGv
    ? [{ type: 'Input.Number', id: 'hoursPerWeek', label: `Uren per week vanaf nu (nu ${hours === undefined ? '–' : String(hours).replace('.', ',')})`, min: 0.5, max: hours ?? 40, isRequired: true, errorMessage: 'Vul het aantal uur in.' }]
    : [text(`Afschalen naar waakvlam: ${config.intensiteiten.waakvlam.description} De gedragswetenschapper geeft daar akkoord op.`)];
  return adaptiveCard([
    text(`Evaluatie ${a.reference}`, { weight: 'Bolder', size: 'Medium' }),
    text(
      `Het is tijd voor de evaluatie van ${isGv ? 'de gezinsverzorging' : `het traject (${config.routes[a.triage.route].label.toLowerCase()})`}${a.evaluation ? ` (gepland op ${formatDate(a.evaluation.dueOn)})` : ''}${who ? ` met ${who}` : ''}. Bespreek samen of het doel dichterbij komt.`,
    ),
    ...(goal ? [text(isGv ? 'Doel uit het plan:' : 'Doel:', { subtle: true }), container([text(plainText(goal))], 'emphasis')] : [text('Er is nog geen doel vastgelegd; dat kan op de kaart in het kanaal.', { subtle: true })]),
    ...(isGv && hours !== undefined ? [text(`Nu: ${String(hours).replace('.', ',')} uur per week.`, { subtle: true })] : []),
    ...participants,
    text('Wat is de uitkomst?', { weight: 'Bolder' }),
    {
      type: 'ActionSet',
      actions: [
        {
          type: 'Action.ShowCard',
          title: 'Doorgaan',
          card: adaptiveCard(
            [{ type: 'Input.Date', id: 'nextDueOn', label: 'Volgende evaluatie', value: nextDueOn, isRequired: true, errorMessage: 'Kies een datum.' }],
            [{ type: 'Action.Submit', title: 'Doorgaan vastleggen', style: 'positive', data: data('doorgaan') }],
          ),
        },
        {
          type: 'Action.ShowCard',
          title: 'Afschalen',
          card: adaptiveCard(afschalen, [{ type: 'Action.Submit', title: 'Afschalen vastleggen', data: data('afschalen') }]),
        },
        {
          type: 'Action.ShowCard',
          title: 'Afsluiten',
          card: adaptiveCard(closureInputs(config), [{ type: 'Action.Submit', title: 'Afsluiten vastleggen', style: 'destructive', data: data('afsluiten') }]),
        },
      ],
    },
  ]);
}

function lowerFirst(value: string): string {
  return value.charAt(0).toLowerCase() + value.slice(1);
}
