import type { Aanmelding } from '../data/aanmelding.schema.js';
import type { GemeenteConfig } from '../data/gemeente.config.js';
import type { HuisartsMoment, HuisartsToInform } from '../machines/huisarts-feedback.js';
import { assigneesOf } from '../machines/referral-case.js';
import { adaptiveCard, container, text, type AdaptiveCard } from './card.js';
import { listNl } from './parse.js';
import { plainText } from './plain-text.js';

/**
 * What the family's huisarts hears (seed 004): that a professional of the team is involved, and later that the support
 * ended. No more than that: the reference and who, never the dossier, the reason or anything the family told.
 */

function involved(a: Pick<Aanmelding, 'assignee' | 'coAssignee'>): string {
  const people = assigneesOf(a).map((x) => `${plainText(x.name)} (${x.role})`);
  return people.length > 0 ? listNl(people) : 'een professional van het team';
}

function lines(a: Aanmelding, moment: HuisartsMoment, config: Pick<GemeenteConfig, 'gemeente'>): string[] {
  const team = `het team gezinsondersteuning van gemeente ${config.gemeente}`;
  return moment === 'toegewezen'
    ? [
        `Bij een gezin uit jullie praktijk is nu ${involved(a)} van ${team} betrokken (kenmerk ${a.reference}).`,
        `Het gezin vindt het goed dat de huisarts dit weet. Vragen? Neem contact op met ${involved(a)}.`,
      ]
    : [
        `De ondersteuning door ${team} bij een gezin uit jullie praktijk is afgesloten (kenmerk ${a.reference}).`,
        `Het gezin vindt het goed dat de huisarts dit weet. Vragen? Neem contact op met ${involved(a)}.`,
      ];
}

/** 1:1 to the practice's contact person in Teams. */
export function huisartsMessage(a: Aanmelding, moment: HuisartsMoment, to: HuisartsToInform, config: Pick<GemeenteConfig, 'gemeente'>): { text: string } {
  return { text: [`**Ter informatie voor ${plainText(to.praktijk)}**`, ...lines(a, moment, config)].join('\n\n') };
}

/** The same as a letter the assignee sends on (no Teams contact for that practice), as plain text to copy. */
export function huisartsLetterText(a: Aanmelding, moment: HuisartsMoment, to: HuisartsToInform, config: Pick<GemeenteConfig, 'gemeente'>): string {
  return [`Aan: ${to.praktijk}`, `Betreft: ${moment === 'toegewezen' ? 'ondersteuning gestart' : 'ondersteuning afgesloten'}, kenmerk ${a.reference}`, '', 'Beste huisarts,', '', ...lines(a, moment, config).map((l) => l.replace(/\*\*/g, '')), '', 'Met vriendelijke groet,', involved(a)]
    .join('\n');
}

/** The letter as a card section (in the dossier at assignment, or on its own at closure). */
export function huisartsLetterSection(a: Aanmelding, moment: HuisartsMoment, to: HuisartsToInform, config: Pick<GemeenteConfig, 'gemeente'>) {
  return [
    text('Brief voor de huisarts', { weight: 'Bolder' }),
    text(`${plainText(to.praktijk)} heeft geen contactpersoon in Teams. Stuur deze brief zelf (post, Zorgmail of het HIS); het gezin gaf toestemming.`, { subtle: true }),
    container([text(plainText(huisartsLetterText(a, moment, to, config)))], 'emphasis'),
  ];
}

/** At closure, to the one who closed it: the letter to send. */
export function huisartsLetterCard(a: Aanmelding, to: HuisartsToInform, config: Pick<GemeenteConfig, 'gemeente'>): AdaptiveCard {
  return adaptiveCard([text(`Afgesloten: ${a.reference}`, { weight: 'Bolder', size: 'Medium' }), ...huisartsLetterSection(a, 'afgesloten', to, config)]);
}
