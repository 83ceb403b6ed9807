import { ROUTE_IDS, type GemeenteConfig } from '../../data/gemeente.config.js';
import { ROLE_OPTIONS, LEEFGEBIED_OPTIONS } from '../../dialogs/intake.dialog.js';
import { ageGroupKeys } from '../../machines/monitoring.js';
import { ageBandLabels, CLOSE_LABELS, STATUS_LABELS } from '../../dialogs/referral.card.js';

/**
 * The words the tab shows for the ids in /api/overzicht, from the same tables the bot's cards use (a leefgebied is
 * "Psychische problemen" on the card and in the tab alike). Sent with the data, so the page keeps no copy.
 */
export function overviewLabels(config: GemeenteConfig) {
  const titles = (options: readonly { value: string; title: string }[]) => Object.fromEntries(options.map((o) => [o.value, o.title]));
  // The monitoring counts the gemeente's own groups (leeftijdsgroepen), written as the cards write bands.
  const keys = ageGroupKeys(config);
  const bands = ageBandLabels(config).map((b, i) => [keys[i]!, b.label] as const);
  return {
    status: STATUS_LABELS,
    route: Object.fromEntries(ROUTE_IDS.map((id) => [id, config.routes[id].label])),
    role: { ...titles(ROLE_OPTIONS), ouder: 'Ouder zelf', gezinscoach: 'gezinscoach', gezinsverzorger: 'gezinsverzorger', jeugdconsulent: 'jeugdconsulent' },
    leefgebied: titles(LEEFGEBIED_OPTIONS),
    age: { ...Object.fromEntries(bands), [`ouder-dan-${config.ageLimit}`]: `Ouder dan ${config.ageLimit} jaar`, verwacht: 'Op komst' },
    reason: CLOSE_LABELS,
    doorverwezen: { jeugdconsulent: 'Jeugdconsulent (maatwerk)', specialistisch: 'Specialistische jeugdhulp', 'voorliggend-veld': 'Voorliggend veld', wijkteam: 'Wijkteam' },
  };
}
