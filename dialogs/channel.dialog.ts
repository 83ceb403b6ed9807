import type { LinkableService } from '../data/channel-link.store.js';
import type { Aanmelding } from '../data/aanmelding.schema.js';
import type { GemeenteConfig, Werktijden } from '../data/gemeente.config.js';
import { dutchDate, localDate } from '../machines/dates.js';
import type { IdleCase } from '../machines/idle-cases.js';
import { adaptiveCard, text, type Reply } from './card.js';
import { listNl, normalize } from './parse.js';
import { STATUS_LABELS } from './referral.card.js';

/** What the bot says and understands in a team channel (always after an @mention). */

export type ChannelCommand =
  | { kind: 'link'; service: LinkableService }
  | { kind: 'link-which' }
  | { kind: 'status' }
  | { kind: 'refer' }
  | { kind: 'help' };

export function parseChannelCommand(said: string): ChannelCommand {
  const words = normalize(said);
  if (/^(koppel|link)\b/.test(words)) {
    if (/gezinsverzorg/.test(words)) return { kind: 'link', service: 'gezinsverzorger' };
    if (/gezinscoach/.test(words)) return { kind: 'link', service: 'gezinscoach' };
    if (/jeugdconsulent/.test(words)) return { kind: 'link', service: 'jeugdconsulent' };
    return { kind: 'link-which' };
  }
  if (/^status\b/.test(words)) return { kind: 'status' };
  if (/^(aanmeld|nieuwe aanmelding|start)/.test(words)) return { kind: 'refer' };
  return { kind: 'help' };
}

const SERVICE_LABELS: Record<LinkableService, string> = { gezinscoach: 'gezinscoaches', gezinsverzorger: 'gezinsverzorgers', jeugdconsulent: 'jeugdconsulenten' };

export function channelHelp(linked: LinkableService[]): Reply {
  return {
    card: adaptiveCard([
      text('Aanmeldbot in dit team', { weight: 'Bolder', size: 'Medium' }),
      text('Ik plaats nieuwe aanmeldingen als kaart in het kanaal van het team, zonder gegevens die een gezin herkenbaar maken. Op de kaart pak je een aanmelding op of wijs je hem toe; het volledige dossier krijgt alleen de professional, in een persoonlijke chat.'),
      text(
        linked.length > 0
          ? `Gekoppeld: ${linked.map((s) => `het kanaal voor ${SERVICE_LABELS[s]}`).join(' en ')}.`
          : 'Er is nog geen kanaal gekoppeld.',
        { weight: 'Bolder' },
      ),
      text('Een coördinator koppelt een kanaal door mij te noemen: **@Aanmeldbot koppel dit kanaal voor gezinscoach** (of **voor gezinsverzorger**, of **voor jeugdconsulent**: daar komen de aanmeldingen met spoed en die voor de jeugdconsulent; zonder dat kanaal komen ze bij de gezinscoaches).'),
      text('Een gezin aanmelden doe je in een persoonlijke chat met mij, niet hier.', { subtle: true }),
    ]),
  };
}

export function linkWhich(): Reply {
  return { text: 'Voor welke dienst koppel ik dit kanaal? Typ **koppel dit kanaal voor gezinscoach**, **koppel dit kanaal voor gezinsverzorger** of **koppel dit kanaal voor jeugdconsulent**.' };
}

export function linkRefused(): Reply {
  return { text: 'Alleen een coördinator van het team kan een kanaal koppelen. Vraag je coördinator.' };
}

export function linked(service: LinkableService, waiting: number): Reply {
  return {
    text: [
      `Dit kanaal is gekoppeld voor de ${SERVICE_LABELS[service]}. Nieuwe aanmeldingen verschijnen hier als kaart, zonder namen of contactgegevens.`,
      waiting > 0 ? `${waiting} aanmelding${waiting === 1 ? '' : 'en'} die op een kanaal wachtte${waiting === 1 ? '' : 'n'}, plaats ik nu.` : '',
    ]
      .filter(Boolean)
      .join(' '),
  };
}

export function channelStatus(counts: Record<string, number>, linkedServices: LinkableService[]): Reply {
  const rows = Object.entries(counts).map(([status, n]) => `- ${status}: ${n}`);
  return {
    text: [
      linkedServices.length ? `Gekoppeld: ${linkedServices.map((s) => SERVICE_LABELS[s]).join(', ')}.` : 'Er is nog geen kanaal gekoppeld.',
      rows.length ? `Open aanmeldingen:\n${rows.join('\n')}` : 'Er zijn geen open aanmeldingen.',
    ].join('\n\n'),
  };
}

/**
 * What the referrer hears after Versturen about the team. `withinWorkingHours` (computed by the caller from the
 * clock): outside the jeugdconsulenten's working hours a SPOED referrer is told at once whom to call now.
 */
export function deliveryNote(
  outcome: 'posting' | 'no-channel' | 'not-for-team',
  config: GemeenteConfig,
  // Kept for the callers; the note no longer names the route's team ("Het team ziet …", issue 16).
  _route: keyof GemeenteConfig['routes'],
  urgent = false,
  consent: 'ja' | 'nee' | 'anoniem' = 'ja',
  withinWorkingHours = true,
): string | undefined {
  const afterHours = urgent && !withinWorkingHours;
  // With an acute concern nobody may wait for a channel: the referrer gets the numbers to call now.
  if (outcome === 'no-channel' && urgent) {
    return [
      '**Let op: de jeugdconsulenten zijn via Teams nog niet bereikbaar** (er is geen kanaal gekoppeld). De aanmelding is bewaard en de coördinatoren weten het, maar wacht daar niet op:',
      `bel de jeugdconsulent: ${config.jeugdconsulentTelefoon ?? 'het algemene nummer van de gemeente (14 + netnummer), en vraag naar de jeugdconsulent van dienst'}.`,
      'Bij direct gevaar: **112**. Voor advies of een melding: **Veilig Thuis, 0800-2000** (gratis, dag en nacht).',
      ...(afterHours ? [`Het is nu buiten werktijd (${workingHoursInWords(config.werktijden)}).${config.buitenWerktijdenTelefoon ? ` Buiten werktijd bel je: **${config.buitenWerktijdenTelefoon}**.` : ' Bel dan Veilig Thuis of 112.'}`] : []),
    ].join('\n\n');
  }
  // Without consent the team does not approach the family but consults the referrer: say so, and by when.
  const family = consent === 'anoniem' ? 'Het gezin wordt niet benaderd.' : 'Het gezin wordt niet rechtstreeks benaderd: contact loopt via jou.';
  if (outcome === 'posting') {
    const seen = 'Het team ziet de aanmelding nu in zijn kanaal, zonder namen of contactgegevens.';
    const days = config.reactieTermijnWerkdagen;
    const next =
      consent === 'ja'
        ? `${seen} Je hoort van mij wie hem oppakt.`
        : `${seen}\n\n${
            urgent
              ? 'De jeugdconsulent neemt zo snel mogelijk contact met je op.'
              : `Een professional van het team neemt binnen ${days === 1 ? '1 werkdag' : `${days} werkdagen`} contact met je op om te overleggen.`
          } ${family}`;
    if (!afterHours) return next;
    return [
      next,
      `**Het is nu buiten werktijd** (de jeugdconsulenten werken ${workingHoursInWords(config.werktijden)}), dus wacht niet op hen. Bel nu:`,
      [
        '- bij direct gevaar: **112**',
        '- voor advies of een melding: **Veilig Thuis, 0800-2000** (gratis, dag en nacht)',
        ...(config.buitenWerktijdenTelefoon ? [`- buiten werktijd voor de gemeente: **${config.buitenWerktijdenTelefoon}**`] : []),
      ].join('\n'),
    ].join('\n\n');
  }
  if (outcome === 'no-channel') {
    const note = 'Het team is via Teams nog niet bereikbaar (er is nog geen kanaal gekoppeld). De aanmelding is bewaard en wordt geplaatst zodra dat gebeurt; je hoort van mij wie hem oppakt.';
    return consent === 'ja' ? note : `${note} Die overlegt met jou. ${family}`;
  }
  return undefined;
}

const DAY_NAMES: Record<Werktijden['dagen'][number], string> = { ma: 'maandag', di: 'dinsdag', wo: 'woensdag', do: 'donderdag', vr: 'vrijdag', za: 'zaterdag', zo: 'zondag' };

/** "maandag tot en met vrijdag van 08:30 tot 17:00" */
export function workingHoursInWords(hours: Werktijden): string {
  const order = Object.keys(DAY_NAMES) as Werktijden['dagen'];
  const days = order.filter((day) => hours.dagen.includes(day));
  const indexes = days.map((day) => order.indexOf(day));
  const consecutive = days.length > 2 && indexes.every((index, i) => i === 0 || index === indexes[i - 1]! + 1);
  const named = consecutive ? `${DAY_NAMES[days[0]!]} tot en met ${DAY_NAMES[days.at(-1)!]}` : listNl(days.map((day) => DAY_NAMES[day]));
  return `${named} van ${hours.van} tot ${hours.tot}`;
}

export type ChannelGoneReason = 'kanaal-verwijderd' | 'team-gearchiveerd' | 'team-verwijderd' | 'bot-verwijderd' | 'plaatsen-geweigerd';

/** To each coordinator, 1:1: the service's channel can no longer receive aanmeldingen, and what to do. */
export function channelGoneNotice(service: LinkableService, reason: ChannelGoneReason, channelName?: string): Reply {
  const channel = `het kanaal ${channelName ? `‘${channelName}’ ` : ''}voor de ${SERVICE_LABELS[service]}`;
  const what: Record<ChannelGoneReason, string> = {
    'kanaal-verwijderd': `${capitalize(channel)} is verwijderd in Teams.`,
    'team-gearchiveerd': `Het team met ${channel} is gearchiveerd; daar kan ik niets meer plaatsen.`,
    'team-verwijderd': `Het team met ${channel} is verwijderd in Teams.`,
    'bot-verwijderd': `Ik ben verwijderd uit het team met ${channel}.`,
    'plaatsen-geweigerd': `Teams weigert mijn berichten in ${channel}: het kanaal bestaat niet meer, of ik mag er niet meer in.`,
  };
  return {
    text: [
      `**Kanaal ontkoppeld.** ${what[reason]}`,
      `Nieuwe aanmeldingen voor de ${SERVICE_LABELS[service]} bewaar ik tot er weer een kanaal is gekoppeld; er gaat niets verloren.`,
      `Koppel een kanaal door mij daar te noemen: **@Aanmeldbot koppel dit kanaal voor ${service}**.${reason === 'team-gearchiveerd' ? ' Zet je het team terug, koppel het kanaal dan opnieuw.' : ''}`,
    ].join('\n\n'),
  };
}

/** To each coordinator, 1:1: a SPOED aanmelding that no channel receives. Its reference only. */
export function spoedWithoutChannelNotice(reference: string): Reply {
  return {
    text: [
      `**SPOED: aanmelding ${reference} heeft geen kanaal.** Er is geen kanaal voor de jeugdconsulenten of de gezinscoaches gekoppeld, dus niemand in het team ziet hem in Teams.`,
      'De verwijzer heeft het telefoonnummer van de jeugdconsulent en van Veilig Thuis gekregen.',
      'Koppel nu een kanaal door mij daar te noemen: **@Aanmeldbot koppel dit kanaal voor jeugdconsulent**; de aanmelding verschijnt daar meteen.',
    ].join('\n\n'),
  };
}

/**
 * To each coordinator, 1:1: a SPOED aanmelding nobody picked up within the working minutes (level 1), or still not
 * after as many more (level 2, the last). Its reference and where it stands; never the family.
 */
export function spoedEscalationNotice(a: Pick<Aanmelding, 'reference' | 'post'>, level: number, minutes: number): Reply {
  const where = a.post
    ? `Wijs hem nu toe op de kaart in het kanaal voor de ${SERVICE_LABELS[a.post.service]} (**Toewijzen aan…**), of bel de jeugdconsulent van dienst. Hoe je de verwijzer bereikt, staat in het dossier: **Dossier (persoonlijk)** op de kaart.`
    : 'Hij staat nog in geen kanaal: koppel nu het kanaal van de jeugdconsulenten door mij daar te noemen (**@Aanmeldbot koppel dit kanaal voor jeugdconsulent**), dan verschijnt hij daar meteen.';
  return {
    text: [
      level === 1
        ? `**SPOED ${a.reference} is na ${minutes} minuten nog niet opgepakt.** Er zijn acute zorgen over de veiligheid van een kind of gezinslid, en niemand heeft de aanmelding opgepakt of toegewezen.`
        : `**SPOED ${a.reference} is na ${minutes} minuten nog steeds niet opgepakt.** Dit is de tweede en laatste waarschuwing.`,
      where,
      'Alleen minuten binnen werktijd tellen mee. Alle coördinatoren krijgen dit bericht; op de kaart staat dat jullie gewaarschuwd zijn.',
    ].join('\n\n'),
  };
}

/** To each coordinator, 1:1: open cases nobody changed for months, to close. References, status and dates only. */
export function idleCasesNotice(cases: readonly IdleCase[], months: number, more = 0): Reply {
  const total = cases.length + more;
  const lines = cases.map((c) => {
    const label = STATUS_LABELS[c.status].toLowerCase();
    const status = c.assignee ? (c.status === 'toegewezen' ? `${label} aan ${c.assignee}` : `${label} (bij ${c.assignee})`) : label;
    return `- **${c.reference}** · ${status} · niets veranderd sinds ${dutchDate(localDate(new Date(c.since)))}`;
  });
  return {
    text: [
      total === 1
        ? `**Deze aanmelding staat al ${months} maanden stil.** Er is sindsdien niets aan veranderd:`
        : `**Deze ${total} aanmeldingen staan al ${months} maanden stil.** Er is sindsdien niets aan veranderd:`,
      [...lines, ...(more > 0 ? [`- en nog ${more} andere`] : [])].join('\n'),
      'Is de ondersteuning klaar of gaat er niets meer gebeuren? Sluit de aanmelding dan af met **Afsluiten** op de kaart in het kanaal. Heeft een professional hem, vraag die dan om af te sluiten. Na het afsluiten gaan de gegevens van het gezin weg na de bewaartermijn.',
      'Loopt hij nog wel? Dan hoef je niets te doen; je hoort het pas weer als hij opnieuw zo lang stilstaat.',
    ].join('\n\n'),
  };
}

/** To each coordinator, 1:1: the linked channel has a new name; nothing to do. */
export function channelRenamedNotice(service: LinkableService, channelName: string): Reply {
  return { text: `Het kanaal voor de ${SERVICE_LABELS[service]} heet nu ‘${channelName}’. Aanmeldingen komen daar gewoon binnen; je hoeft niets te doen.` };
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Added to a group chat: that is no team, so no channel to link; and several people read along. */
export function groupChatHelp(): Reply {
  return {
    card: adaptiveCard([
      text('Aanmeldbot in deze groepschat', { weight: 'Bolder', size: 'Medium' }),
      text('In een groepschat lezen meerdere mensen mee. Daarom meld ik hier geen gezinnen aan en laat ik hier geen aanmeldingen zien.'),
      text('Een gezin aanmelden of de stand bekijken doe je in een persoonlijke chat met mij: open die en typ **aanmelden** of **status**.'),
    ]),
  };
}
