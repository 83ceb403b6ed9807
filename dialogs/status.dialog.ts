import { REFERENCE_PATTERN, type Aanmelding } from '../data/aanmelding.schema.js';
import type { GemeenteConfig } from '../data/gemeente.config.js';
import { dutchDate } from '../machines/dates.js';
import { assigneesOf } from '../machines/referral-case.js';
import { dayOf } from '../machines/monitoring.js';
import type { WaitingTime } from '../machines/waiting-time.js';
import { adaptiveCard, container, facts, submit, text, textInput, type CardElement, type Reply } from './card.js';
import { HOUSEHOLD_OPTIONS, LEEFGEBIED_OPTIONS, ROLE_OPTIONS } from './intake.dialog.js';
import { describeChildren, listNl } from './parse.js';
import { withoutControlCharacters } from './plain-text.js';
import { ageBands, CLOSE_LABELS_FOR_REFERRER } from './referral.card.js';
import { START_DATA } from './welcome.dialog.js';

/**
 * "status" in the personal chat (per aanmelding: date, route, wijk, age bands, who has it, the next evaluation), and
 * "Kopieer voor het HIS": a plain-text summary a huisarts pastes into the patient record.
 */

const STATUS_TEXT: Record<Aanmelding['status'], string> = {
  nieuw: 'nieuw, nog niet opgepakt',
  toegewezen: 'opgepakt',
  wachtlijst: 'op de wachtlijst',
  'meer-informatie': 'er is een vraag aan jou',
  afgesloten: 'afgesloten',
};

/** The button's data; the bot answers it 1:1, whatever else runs in the chat. */
export const hisData = (reference: string) => ({ flow: 'his', reference }) as const;

/** The reference a "Kopieer voor het HIS" button asks for, if the input is that button. */
export function hisRequest(input: { value?: Record<string, unknown> }): string | undefined {
  const reference = input.value?.flow === 'his' ? input.value.reference : undefined;
  return typeof reference === 'string' && REFERENCE_PATTERN.test(reference) ? reference : undefined;
}

/** The referrers who keep a patient record (HIS) of the family. */
export function keepsPatientRecord(a: Pick<Aanmelding, 'referrer'>): boolean {
  return a.referrer.role === 'huisarts' || a.referrer.role === 'poh';
}

const titleOf = (options: { value: string; title: string }[], value: string) => options.find((o) => o.value === value)?.title ?? value;
const sentOn = (a: Aanmelding) => dutchDate(dayOf(a.createdAt));

/** Who has the case now, in the referrer's words. */
function whoHasIt(a: Aanmelding): string {
  if (a.status === 'afgesloten') return `afgesloten${a.closure ? `: ${CLOSE_LABELS_FOR_REFERRER[a.closure.reason].toLowerCase()}` : ''}`;
  if (a.assignee) return `${a.status === 'meer-informatie' ? 'er is een vraag aan jou; ' : ''}bij ${listNl(assigneesOf(a).map((x) => `${x.name} (${x.role})`))}`;
  return STATUS_TEXT[a.status];
}

function referenceBlock(a: Aanmelding, config: GemeenteConfig, mine: boolean, waiting?: WaitingTime): CardElement {
  const short = a.answers.spoed && !a.answers.spoed.completedAt;
  const rows: [string, string][] = [
    ['Aangemeld', sentOn(a)],
    ['Route', config.routes[a.triage.route].label + (a.triage.urgent ? ' (SPOED)' : '')],
    ['Wijk of dorp', a.answers.wijk],
    ['Kinderen', ageBands(a.answers.children, config)],
    ['Bij wie', whoHasIt(a)],
    ...(a.evaluation && a.status !== 'afgesloten' ? ([['Volgende evaluatie', dutchDate(a.evaluation.dueOn)]] as [string, string][]) : []),
    ...(waiting && mine && waitsForPickup(a) ? ([['Verwachte wachttijd', waitingTimeInWords(waiting)]] as [string, string][]) : []),
  ];
  return container([
    text(`**${a.reference}**${a.triage.urgent ? ' · SPOED' : ''}${short ? ' · kort spoedformulier, typ **aanvullen**' : ''}`, { spacing: 'Medium' }),
    facts(rows),
    ...(mine && keepsPatientRecord(a) ? [{ type: 'ActionSet', actions: [submit('Kopieer voor het HIS', hisData(a.reference))] }] : []),
  ]);
}

/** "status" in the 1:1 chat: your own aanmeldingen, and the cases assigned to you (newest first, at most 10 each). */
export function statusOverview(
  referred: Aanmelding[],
  assigned: Aanmelding[],
  config: GemeenteConfig,
  /** The expected waiting time per reference still waiting for someone. */
  waiting: ReadonlyMap<string, WaitingTime> = new Map(),
): Reply {
  const newest = (list: Aanmelding[]) => [...list].sort((x, y) => y.createdAt.localeCompare(x.createdAt)).slice(0, 10);
  const body: CardElement[] = [text('Stand van zaken', { weight: 'Bolder', size: 'Medium' })];
  if (referred.length > 0) {
    body.push(text('Jouw aanmeldingen', { weight: 'Bolder' }), ...newest(referred).map((a) => referenceBlock(a, config, true, waiting.get(a.reference))));
  } else body.push(text('Je hebt nog geen aanmeldingen gedaan.'));
  const open = assigned.filter((a) => a.status !== 'afgesloten');
  if (open.length > 0) body.push(text(`Aan jou toegewezen (${open.length})`, { weight: 'Bolder', spacing: 'Large' }), ...newest(open).map((a) => referenceBlock(a, config, false)));
  return { card: adaptiveCard([...body, { type: 'ActionSet', actions: [submit('Aanmelding starten', START_DATA, 'positive')] }]) };
}

/**
 * The summary for the patient record: plain text (an HIS shows no markdown), what the huisarts entered and what
 * happened since; no contact details of the family (the record has them) and nothing the team wrote.
 */
export function hisSummary(a: Aanmelding, config: GemeenteConfig): string {
  const ans = a.answers;
  const consent = ans.consent;
  const lines = [
    `Aanmelding gezinsondersteuning gemeente ${config.gemeente}, kenmerk ${a.reference}`,
    `Aangemeld: ${sentOn(a)} door ${a.referrer.identity.name} (${titleOf(ROLE_OPTIONS, a.referrer.role).toLowerCase()}${a.referrer.praktijk ? `, ${a.referrer.praktijk}` : ''})`,
    `Route: ${config.routes[a.triage.route].label}${a.triage.urgent ? ' (spoed: acute zorgen over de veiligheid)' : ''}`,
    `Toestemming: ${
      consent === undefined
        ? 'nog niet gevraagd (kort spoedformulier)'
        : consent.referral === 'ja'
          ? `ja; huisarts op de hoogte houden: ${consent.feedbackToHuisarts ? 'ja' : 'nee'}`
          : consent.referral === 'anoniem'
            ? 'nee, anoniem overleg (het gezin wordt niet benaderd)'
            : 'nee (alleen vanwege veiligheid aangemeld)'
    }`,
    `Kinderen: ${describeChildren(ans.children)}`,
    ...(ans.household ? [`Gezin: ${titleOf(HOUSEHOLD_OPTIONS, ans.household).toLowerCase()}`] : []),
    `Wijk of dorp: ${ans.wijk}`,
    ...(ans.hoofdvraag ? [`Hoofdvraag: ${listNl(ans.hoofdvraag.map((v) => titleOf(LEEFGEBIED_OPTIONS, v).toLowerCase()))}`] : []),
    ...(a.triage.criteria.length > 0 ? [`Complex: ${a.triage.criteria.map((id) => config.criteria.find((c) => c.id === id)?.label ?? id).join('; ')}`] : []),
    ...(ans.explanation ? [`Toelichting: ${withoutControlCharacters(ans.explanation).replace(/\s*\n\s*/g, ' ')}`] : []),
    `Stand: ${whoHasIt(a)}${a.evaluation && a.status !== 'afgesloten' ? `; volgende evaluatie ${dutchDate(a.evaluation.dueOn)}` : ''}`,
  ];
  return lines.join('\n');
}

/**
 * The summary in a multiline text box: Teams lets nobody select the text of a TextBlock on the desktop, and renders a
 * plain message as markdown (line breaks and dashes change); a text box shows the text as it is, Ctrl+A selects just
 * that, and it works the same on desktop, web and mobile. Adaptive Cards 1.5 has no read-only input; the card has no
 * button, so a change in the box goes nowhere.
 */
export function hisSummaryCard(a: Aanmelding, config: GemeenteConfig): Reply {
  const summary = hisSummary(a, config);
  return {
    card: adaptiveCard([
      text(`Voor het patiëntdossier (HIS): ${a.reference}`, { weight: 'Bolder', size: 'Medium' }),
      text('Klik in het vak, kies Ctrl+A en Ctrl+C (op een Mac Cmd+A en Cmd+C) en plak de tekst in het HIS. Er staan geen contactgegevens van het gezin in.', { subtle: true }),
      { ...textInput('his', 'Samenvatting', { multiline: true, value: summary }), style: 'text' },
    ]),
  };
}

export function hisRefused(): Reply {
  return { text: 'Die samenvatting kan ik je niet geven: alleen wie de aanmelding deed, krijgt hem.' };
}

/** The routes a referrer waits for someone on (not SPOED, which goes within minutes, nor what never reaches a team). */
export function waitsForPickup(a: Pick<Aanmelding, 'triage' | 'status' | 'assignee'>): boolean {
  const service = a.triage.route === 'gezinscoach' || a.triage.route === 'keukentafelgesprek' || a.triage.route === 'jeugdconsulent' || a.triage.route === 'gezinsverzorger';
  return service && !a.triage.urgent && a.assignee === undefined && a.status !== 'afgesloten';
}

/** "Meestal binnen ongeveer 6 dagen opgepakt; nu wachten er 2": honest, and plain when there is too little to go on. */
export function waitingTimeInWords(w: WaitingTime): string {
  const queue = w.waiting === 0 ? 'nu wacht er verder niemand' : `nu ${w.waiting === 1 ? 'wacht er 1 aanmelding' : `wachten er ${w.waiting} aanmeldingen`} op iemand`;
  if (w.medianDays === undefined) return `Nog geen schatting (te weinig aanmeldingen de afgelopen 3 maanden); ${queue}.`;
  const days = w.medianDays === 0 ? 'binnen een dag' : w.medianDays === 1 ? 'na ongeveer 1 dag' : `na ongeveer ${w.medianDays} dagen`;
  return `Meestal opgepakt ${days} (de afgelopen 3 maanden); ${queue}.`;
}
