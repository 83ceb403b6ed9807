import { REFERENCE_PATTERN, type Aanmelding } from '../data/aanmelding.schema.js';
import type { GemeenteConfig } from '../data/gemeente.config.js';
import { adaptiveCard, container, submit, text, type Reply } from './card.js';
import { recognizeIntent, type Intent } from './intent.js';
import { listNl, normalize } from './parse.js';
import type { WaitingTime } from '../machines/waiting-time.js';
import { hisData, keepsPatientRecord, waitingTimeInWords, waitsForPickup } from './status.dialog.js';

/** What the bot says outside a flow: welcome, general help, and how a flow ended. */

export const START_DATA = { flow: 'start', action: 'start' } as const;
const HELP_DATA = { flow: 'start', action: 'help' } as const;

export type TopLevelCommand = 'start' | 'help' | 'status' | 'gezinsverzorger' | 'aanvullen';

/** The button under a short acute aanmelding: fill in the rest. */
export const completeData = (reference: string) => ({ flow: 'start', action: 'aanvullen', reference }) as const;

/** What each command does, as the bot asks about a guess: "Bedoel je: een aanmelding starten?" */
const COMMAND_MEANING: Record<TopLevelCommand, string> = {
  start: 'een aanmelding starten',
  status: 'de stand van je aanmeldingen bekijken',
  help: 'uitleg over wat ik kan',
  gezinsverzorger: 'een gezinsverzorger aanvragen',
  aanvullen: 'je spoedaanmelding aanvullen',
};

const isTopLevel = (word: unknown): word is TopLevelCommand => typeof word === 'string' && word in COMMAND_MEANING;

/** The top-level command an intent names; stop, back and wijzig only mean something inside a flow. */
function topLevelOf(intent: Intent): TopLevelCommand | undefined {
  return isTopLevel(intent) ? intent : undefined;
}

/** What someone outside a flow asks for, by text or by one of the buttons below. */
export function topLevelCommand(input: { text?: string; value?: Record<string, unknown> }): TopLevelCommand | undefined {
  if (input.value?.flow === 'start') {
    const action = input.value.action;
    // "Nee" to a guess: say what is possible.
    if (action === 'nee') return 'help';
    return isTopLevel(action) ? action : 'start';
  }
  const said = normalize(input.text ?? '');
  if (/^(rest )?aanvullen( am-\d{4}-\d{4,})?$/.test(said)) return 'aanvullen';
  const recognized = recognizeIntent(input.text ?? '');
  return recognized?.sure ? topLevelOf(recognized.intent) : undefined;
}

/** A typed sentence that probably means a command, to be asked about before acting on it. */
export function suggestedCommand(input: { text?: string; value?: Record<string, unknown> }): TopLevelCommand | undefined {
  if (input.value !== undefined) return undefined;
  const recognized = recognizeIntent(input.text ?? '');
  return recognized && !recognized.sure ? topLevelOf(recognized.intent) : undefined;
}

/** "Bedoel je: een aanmelding starten?" with Ja and Nee. */
export function didYouMean(command: TopLevelCommand): Reply {
  return {
    card: adaptiveCard([
      text(`Bedoel je: ${COMMAND_MEANING[command]}?`),
      { type: 'ActionSet', actions: [submit('Ja', { flow: 'start', action: command }, 'positive'), submit('Nee', { flow: 'start', action: 'nee' })] },
    ]),
  };
}

const SAFETY_LINE = 'Acuut onveilig? Bel 112. Voor advies of een melding: Veilig Thuis, 0800-2000 (gratis, dag en nacht).';

function startButtons() {
  return [{ type: 'ActionSet', actions: [submit('Aanmelding starten', START_DATA, 'positive'), submit('Help', HELP_DATA)] }];
}

export function welcome(firstName?: string): Reply {
  return {
    card: adaptiveCard([
      text(firstName ? `Hallo ${firstName}!` : 'Hallo!', { weight: 'Bolder', size: 'Medium' }),
      text('Ik help je een gezin aan te melden voor gezinsondersteuning. Dat duurt een paar minuten; de meeste vragen beantwoord je met één klik.'),
      text('Al eerder aangemeld? Typ **status** voor de stand van je aanmeldingen.'),
      text(SAFETY_LINE, { subtle: true }),
      ...startButtons(),
    ]),
  };
}

export function generalHelp(config: GemeenteConfig): Reply {
  return {
    card: adaptiveCard([
      text('Zo werkt het', { weight: 'Bolder', size: 'Medium' }),
      text(
        `Ik stel je een paar vragen over het gezin: veiligheid, kinderen, toestemming, de hoofdvraag en de complexiteit. Daarna stel ik een route voor (${listNl(
          config.services.filter((s) => s !== 'gezinsverzorger').map((s) => config.routes[s].label.toLowerCase()),
        )}) en leg ik uit waarom. Jij beslist of je de aanmelding verstuurt.`,
      ),
      text('Tijdens een aanmelding kun je altijd typen: **terug** (vorige vraag), **stop** (stoppen; er wordt niets bewaard) of **help** (uitleg bij de vraag).'),
      text(
        `Typ **status** voor de stand van je aanmeldingen.${
          config.services.includes('gezinsverzorger') ? ' Ben je casemanager? Typ **gezinsverzorger aanvragen** om een gezinsverzorger aan te vragen voor een gezin waarvan jij het plan hebt.' : ''
        }`,
      ),
      text('Privacy: in het teamkanaal komen nooit namen, adressen, telefoonnummers of je toelichting. Alleen de professional die de aanmelding oppakt, ziet het volledige dossier.'),
      container([text(SAFETY_LINE)], 'attention'),
      ...startButtons(),
    ]),
  };
}

export function cancelled(): Reply {
  return {
    card: adaptiveCard([
      text('De aanmelding is gestopt. Er is niets bewaard.'),
      { type: 'ActionSet', actions: [submit('Nieuwe aanmelding', START_DATA)] },
    ]),
  };
}

/** Which aanmelding "aanvullen" is about: the button's reference, or one typed after the word. */
export function completionReference(input: { text?: string; value?: Record<string, unknown> }): string | undefined {
  const fromButton = input.value?.reference;
  if (typeof fromButton === 'string') return REFERENCE_PATTERN.test(fromButton) ? fromButton : undefined;
  return /am-\d{4}-\d{4,}/i.exec(input.text ?? '')?.[0].toUpperCase();
}

export function nothingToComplete(): Reply {
  return { text: 'Er is geen spoedaanmelding van jou die nog aangevuld moet worden. Typ "status" voor de stand van je aanmeldingen.' };
}

/** Why an aanmelding cannot be completed (by this referrer), or undefined when it can. */
export function completionRefusal(a: Aanmelding | undefined, asked: string | undefined): Reply | undefined {
  if (!a) return asked ? { text: `Ik ken geen spoedaanmelding ${asked} van jou. Typ "status" voor de stand van je aanmeldingen.` } : undefined;
  if (!a.answers.spoed) return { text: `${a.reference} is al een volledige aanmelding; er valt niets aan te vullen.` };
  if (a.answers.spoed.completedAt) return { text: `${a.reference} is al aangevuld. Er is niets dubbel bewaard.` };
  if (a.status === 'afgesloten') return { text: `${a.reference} is al afgesloten; aanvullen kan niet meer. Neem zo nodig contact op met het team en noem de referentie.` };
  return undefined;
}

/** After the rest of a short acute aanmelding is filled in. */
export function completed(aanmelding: Aanmelding, config: GemeenteConfig): Reply {
  const who = aanmelding.assignee ? `${aanmelding.assignee.name} heeft hem opgepakt en krijgt het volledige dossier nu persoonlijk.` : 'Wie hem oppakt, ziet het volledige dossier.';
  return {
    card: adaptiveCard([
      text(`Aangevuld. **${aanmelding.reference}** is nu een volledige aanmelding.`, { weight: 'Bolder' }),
      text(`Voorgestelde route: ${config.routes[aanmelding.triage.route].label}. ${who}`),
      text('In het teamkanaal komen nog steeds geen namen of contactgegevens.', { subtle: true }),
      { type: 'ActionSet', actions: [submit('Nieuwe aanmelding', START_DATA)] },
    ]),
  };
}

export function submitted(aanmelding: Aanmelding, config: GemeenteConfig, deliveryNote?: string, waiting?: WaitingTime): Reply {
  const route = config.routes[aanmelding.triage.route];
  const body = [
    text(`Verstuurd. De aanmelding is bewaard onder referentie **${aanmelding.reference}**.`, { weight: 'Bolder' }),
    text(`Voorgestelde route: ${route.label}.`),
  ];
  if (aanmelding.triage.urgent) {
    body.push(container([text('Deze aanmelding heeft spoed vanwege acute zorgen over de veiligheid. ' + SAFETY_LINE)], 'attention'));
  }
  if (aanmelding.triage.route === 'buiten-doelgroep') body.push(text(config.buitenDoelgroepVerwijzing));
  if (deliveryNote) body.push(text(deliveryNote));
  if (waiting && waitsForPickup(aanmelding)) {
    const words = waitingTimeInWords(waiting);
    body.push(text(`**Verwachte wachttijd** (${route.label.toLowerCase()}): ${words.charAt(0).toLowerCase()}${words.slice(1)}`));
  }
  const short = aanmelding.answers.spoed !== undefined && aanmelding.answers.spoed.completedAt === undefined;
  if (short) {
    body.push(
      text(
        'Je stuurde het korte spoedformulier. Vul de rest aan (toestemming, gezin, hoofdvraag) zodra het kan: nu met de knop hieronder, of later door **aanvullen** te typen. Het blijft dezelfde aanmelding.',
      ),
    );
  }
  body.push(text('Noem deze referentie als je contact opneemt over deze aanmelding.', { subtle: true }));
  const actions = short
    ? [submit('De rest aanvullen', completeData(aanmelding.reference), 'positive'), submit('Nieuwe aanmelding', START_DATA)]
    : [submit('Nieuwe aanmelding', START_DATA)];
  if (keepsPatientRecord(aanmelding)) actions.push(submit('Kopieer voor het HIS', hisData(aanmelding.reference)));
  return { card: adaptiveCard([...body, { type: 'ActionSet', actions }]) };
}

/** Typed "gezinsverzorger aanvragen" by someone the team does not know in a role that may: the ordinary intake follows. */
export function gezinsverzorgerNotForYou(config: GemeenteConfig): Reply {
  const who = config.gezinsverzorgerAanvragers.map((role) => (role === 'casemanager' ? 'een casemanager' : role === 'poh' ? 'een POH' : `een ${role}`));
  return {
    text: `Een gezinsverzorger vraagt ${listNl(who)} aan, die het plan van het gezin heeft; het team kent jou (nog) niet in die rol. Je kunt het gezin hieronder gewoon aanmelden: vul eerst je rol in.`,
  };
}

export function submitFailed(): Reply {
  return { text: 'Het versturen is niet gelukt door een storing aan mijn kant. Je antwoorden zijn niet verloren: kies zo nog eens Versturen.' };
}

/** A button of a flow that has already ended. */
export function finishedFlow(reference: string | undefined, outcome: 'verstuurd' | 'gestopt' | 'opgeschoond' | undefined): Reply {
  if (outcome === 'opgeschoond') return { text: 'Deze aanmelding is niet afgemaakt en daarom verwijderd, met alle antwoorden.' };
  if (outcome === 'verstuurd') return { text: `Deze aanmelding is al verstuurd${reference ? ` (referentie ${reference})` : ''}. Er is niets dubbel verstuurd.` };
  if (outcome === 'gestopt') return { text: 'Deze aanmelding was al gestopt.' };
  return { text: 'Die knop hoort bij een aanmelding die niet meer loopt.' };
}

/** To someone whose unfinished aanmelding was removed after INTAKE_IDLE_DAYS without activity (bot/retention.ts). */
export function intakePurged(idleDays: number): Reply {
  return {
    text: `Je aanmelding die je niet had afgemaakt, is na ${idleDays} dagen zonder activiteit verwijderd, met alle antwoorden over het gezin. Er is niets verstuurd. Typ "aanmelden" om opnieuw te beginnen.`,
  };
}

export function restarted(): Reply {
  return { text: 'Sorry, ik kon je aanmelding van eerder niet meer openen (de bot is bijgewerkt). We beginnen opnieuw.' };
}

export function onlyInPersonalChat(): Reply {
  return {
    text: 'Aanmelden doe je in een persoonlijke chat met mij, zodat er geen gegevens over een gezin in dit gesprek komen. Open een chat met mij en typ "aanmelden".',
  };
}

export function somethingWentWrong(): Reply {
  return { text: 'Er ging iets mis aan mijn kant. Je antwoorden tot nu toe zijn bewaard; probeer het zo nog eens of typ "help".' };
}
