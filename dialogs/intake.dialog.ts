import type { SnapshotFrom } from 'xstate';
import { z } from 'zod';
import {
  ContactDetailsSchema,
  PHONE_PATTERN,
  SPOED_SITUATION_MAX_LENGTH,
  GV_MAX_HOURS,
  GV_MAX_MONTHS,
  type GV_SUPPORT_FORMS,
  type GV_TASKS,
  type GvCause,
  EXPLANATION_MAX_LENGTH,
  type ContactDetails,
  type Household,
  type Leefgebied,
  type MeldcodeStep,
  type ReferrerRole,
  type SafetyAction,
} from '../data/aanmelding.schema.js';
import type { GemeenteConfig } from '../data/gemeente.config.js';
import { consentGroups, type ConsentGroup } from '../machines/consent.js';
import {
  IntakeContextSchema,
  intakeMachine,
  mayHoldIdentifyingData,
  progressOf,
  stepOf,
  type EditableStep,
  type IntakeContext,
  type IntakeEvent,
  type IntakeMachine,
} from '../machines/intake.machine.js';
import { gezinsverzorgerMachine } from '../machines/gezinsverzorger.machine.js';
import { stepsOf } from '../machines/steps.js';
import { triageInputOf } from '../machines/intake.record.js';
import { hasChildInTargetGroup, readableReason, routeFor, type TriageResult } from '../machines/triage.js';
import {
  actionRows,
  adaptiveCard,
  choiceSet,
  container,
  facts,
  submit,
  text,
  textInput,
  type CardElement,
  type Reply,
} from './card.js';
import { plainText } from './plain-text.js';
import { CardDataSchema, type FlowDialog, type Interpretation, type RenderNote, type UserInput } from './flow.js';
import { recognizeIntent, type Intent } from './intent.js';
import {
  describeChildren,
  listNl,
  sentenceList,
  parseChildren,
  parseCommand,
  parseOption,
  parseOptions,
  parseYesNo,
  normalize,
  type Option,
} from './parse.js';

type Snapshot = SnapshotFrom<IntakeMachine>;
/** Every state a referrer can be asked something in (the flows' steps and their sub-states). */
type State = EditableStep | 'safetyAdvice' | 'safetySignal' | 'spoedForm' | 'consentFeedback' | 'consentRefused' | 'service' | 'toGezinsverzorger' | 'summary' | 'editMenu' | 'confirmCancel';

// ---------------------------------------------------------------------------------------------------------
// Texts: everything the referrer reads in this dialog.

export const ROLE_OPTIONS: Option<ReferrerRole>[] = [
  { value: 'huisarts', title: 'Huisarts', aliases: ['arts', 'ha'] },
  { value: 'poh', title: 'POH / POH-GGZ', aliases: ['poh-ggz', 'praktijkondersteuner', 'poh ggz'] },
  { value: 'casemanager', title: 'Casemanager', aliases: ['wij-team', 'wijkteam', 'case manager'] },
  { value: 'jgz', title: 'Jeugdgezondheidszorg', aliases: ['jgz', 'consultatiebureau', 'jeugdarts', 'jeugdverpleegkundige'] },
  { value: 'school', title: 'School', aliases: ['leerkracht', 'ib-er', 'intern begeleider', 'docent', 'mentor'] },
  { value: 'soj', title: 'Specialist ondersteuner jeugd', aliases: ['soj'] },
  { value: 'anders', title: 'Anders', aliases: ['overig', 'andere'] },
];

export const SAFETY_ACTION_OPTIONS: Option<SafetyAction>[] = [
  { value: '112-gebeld', title: '112 gebeld', aliases: ['112', 'politie'] },
  { value: 'veilig-thuis-gemeld', title: 'Melding bij Veilig Thuis gedaan', aliases: ['melding', 'gemeld'] },
  { value: 'veilig-thuis-advies', title: 'Advies gevraagd bij Veilig Thuis', aliases: ['advies'] },
  { value: 'meldcode-bezig', title: 'Ik volg de meldcode', aliases: ['meldcode'] },
  { value: 'nog-niets', title: 'Nog niets', aliases: ['niets', 'nee'] },
];

/** Where a referrer with a worry that is not acute is in the meldcode (a zorgsignaal on the aanmelding). */
export const MELDCODE_OPTIONS: Option<MeldcodeStep>[] = [
  { value: 'stap-1', title: 'Stap 1: signalen in kaart brengen', aliases: ['1', 'signalen'] },
  { value: 'stap-2', title: 'Stap 2: collega of Veilig Thuis geraadpleegd', aliases: ['2', 'overleg', 'collega'] },
  { value: 'stap-3', title: 'Stap 3: gesprek met het gezin', aliases: ['3', 'gesprek'] },
  { value: 'stap-4', title: 'Stap 4: het geweld of de kindermishandeling wegen', aliases: ['4', 'wegen'] },
  { value: 'stap-5', title: 'Stap 5: beslissen over melden en hulp', aliases: ['5', 'beslissen'] },
  { value: 'geen', title: 'Ik volg de meldcode (nog) niet', aliases: ['geen', 'nee', 'niet'] },
];

export const HOUSEHOLD_OPTIONS: Option<Household>[] = [
  { value: 'ouders-met-kinderen', title: 'Ouders met kinderen', aliases: ['ouders', 'twee ouders', 'gezin'] },
  { value: 'alleenstaande-moeder', title: 'Alleenstaande moeder', aliases: ['moeder', 'eenoudergezin moeder'] },
  { value: 'alleenstaande-vader', title: 'Alleenstaande vader', aliases: ['vader'] },
  { value: 'gescheiden-ouders', title: 'Gescheiden ouders', aliases: ['gescheiden', 'co-ouderschap'] },
  { value: 'samengesteld-gezin', title: 'Samengesteld gezin', aliases: ['samengesteld', 'stiefgezin'] },
  { value: 'anders', title: 'Anders', aliases: ['pleeggezin', 'grootouders', 'overig'] },
];

export const LEEFGEBIED_OPTIONS: Option<Leefgebied>[] = [
  { value: 'pedagogisch', title: 'Opvoeding', aliases: ['pedagogisch', 'opvoeden', 'opgroeien'] },
  { value: 'psychisch', title: 'Psychische problemen', aliases: ['psychisch', 'ggz', 'somber', 'angst'] },
  { value: 'praktisch', title: 'Praktisch functioneren (bijv. huishouden)', aliases: ['praktisch', 'huishouden', 'huishouding'] },
  { value: 'lichamelijk', title: 'Lichamelijke gezondheid', aliases: ['lichamelijk', 'gezondheid', 'ziekte'] },
  { value: 'omgang', title: 'Omgang (na scheiding)', aliases: ['omgang', 'omgangsregeling'] },
  { value: 'financien', title: 'Financiën', aliases: ['geld', 'schulden', 'financieel'] },
  { value: 'school', title: 'School', aliases: ['onderwijs', 'schoolverzuim', 'leren'] },
  { value: 'sociaal-netwerk', title: 'Sociaal netwerk', aliases: ['netwerk', 'eenzaamheid', 'sociaal'] },
];

const CONSENT_OPTIONS: Option<'ja' | 'nee' | 'anoniem'>[] = [
  { value: 'ja', title: 'Ja, er is toestemming', aliases: ['ja', 'j', 'yes', 'klopt'] },
  { value: 'nee', title: 'Nee', aliases: ['nee', 'n', 'geen toestemming', 'no'] },
  { value: 'anoniem', title: 'Anoniem overleg', aliases: ['anoniem', 'anonieme', 'anoniem overleggen'] },
];

const SERVICE_OPTIONS: Option<'gezinscoach' | 'gezinsverzorger'>[] = [
  { value: 'gezinscoach', title: 'Een gezinscoach (aanmelding)', aliases: ['gezinscoach', 'coach', 'aanmelding'] },
  { value: 'gezinsverzorger', title: 'Een gezinsverzorger (aanvraag)', aliases: ['gezinsverzorger', 'gezinsverzorging', 'verzorger', 'aanvraag'] },
];

export const GV_TASK_OPTIONS: Option<(typeof GV_TASKS)[number]>[] = [
  { value: 'huishoudelijk', title: 'Huishoudelijke taken', aliases: ['huishouden', 'huishoudelijk'] },
  { value: 'verzorgend', title: 'Verzorging van de kinderen', aliases: ['verzorging', 'verzorgend', 'kinderen'] },
  { value: 'begeleidend', title: 'Begeleiding van de ouder(s)', aliases: ['begeleiding', 'begeleidend'] },
  { value: 'omgang', title: 'Omgang begeleiden', aliases: ['omgang'] },
];

export const GV_FORM_OPTIONS: Option<(typeof GV_SUPPORT_FORMS)[number]>[] = [
  { value: 'ondersteunend', title: 'Ondersteunend', aliases: ['ondersteunen'] },
  { value: 'gedeeltelijk-compenserend', title: 'Gedeeltelijk compenserend', aliases: ['gedeeltelijk'] },
  { value: 'volledig-compenserend', title: 'Volledig compenserend', aliases: ['volledig'] },
  { value: 'nazorg', title: 'Nazorg' },
  { value: 'overbrugging', title: 'Overbrugging', aliases: ['overbruggen'] },
];

export const GV_CAUSE_OPTIONS: Option<GvCause>[] = [
  { value: 'ziekte', title: 'Ziekte van een ouder (tijdelijk)', aliases: ['ziek', 'ziekte'] },
  { value: 'operatie', title: 'Operatie of herstel (tijdelijk)', aliases: ['operatie', 'herstel'] },
  { value: 'geboorte', title: 'Geboorte (tijdelijk)', aliases: ['geboorte', 'bevalling', 'baby'] },
  { value: 'lvb', title: 'Licht verstandelijke beperking van een ouder', aliases: ['lvb'] },
  { value: 'psychiatrie', title: 'Psychische problemen van een ouder', aliases: ['psychiatrie', 'psychiatrisch', 'ggz'] },
  { value: 'verslaving', title: 'Verslaving van een ouder', aliases: ['verslaafd'] },
  { value: 'armoede', title: 'Langdurige armoede', aliases: ['armoede', 'schulden'] },
  { value: 'chronische-ziekte', title: 'Chronische ziekte van een ouder', aliases: ['chronisch'] },
];

const STEP_TITLES: Record<EditableStep | 'summary', string> = {
  role: 'Je rol',
  safety: 'Veiligheid',
  children: 'Kinderen',
  consent: 'Toestemming',
  household: 'Gezinssamenstelling',
  wijk: 'Wijk of dorp',
  hoofdvraag: 'Hoofdvraag',
  criteria: 'Complexiteit',
  specialist: 'Gespecialiseerde jeugdhulp',
  goal: 'Doel uit het plan',
  tasks: 'Taken',
  supportForm: 'Vorm van ondersteuning',
  hours: 'Uren per week',
  duration: 'Duur',
  cause: 'Aanleiding',
  explanation: 'Toelichting',
  contact: 'Contactgegevens',
  summary: 'Controleren en versturen',
};

const VEILIG_THUIS = [
  '**Bij direct gevaar: bel 112.**',
  'Voor advies of een melding: **Veilig Thuis, 0800-2000** (gratis, dag en nacht bereikbaar). Een melding mag zonder toestemming van het gezin.',
  'De vijf stappen van de meldcode: 1. breng signalen in kaart; 2. overleg met een collega en raadpleeg zo nodig Veilig Thuis; 3. ga in gesprek met de betrokkenen; 4. weeg het geweld of de kindermishandeling; 5. beslis: is melden noodzakelijk, en is hulp verlenen of organiseren (ook) mogelijk?',
];

function helpFor(state: State, config: GemeenteConfig): string[] {
  switch (state) {
    case 'role':
      return ['Je rol bepaalt hoe de aanmelding meetelt in de monitoring van de gemeente en wie een terugkoppeling krijgt. Werk je als praktijkondersteuner bij een huisarts? Kies dan POH.'];
    case 'safety':
      return [
        'Met acute zorgen bedoelen we: een kind of gezinslid is nu niet veilig, of dreigt dat te worden, bijvoorbeeld bij huiselijk geweld of kindermishandeling.',
        'Dan gaat veiligheid voor alles: de aanmelding gaat met spoed naar de jeugdconsulent, ook als het gezin geen toestemming geeft.',
      ];
    case 'safetyAdvice':
      return ['Twijfel je? Bel Veilig Thuis (0800-2000) voor advies; dat kan ook zonder de naam van het gezin te noemen.'];
    case 'spoedForm':
      return [
        'Met **Nu met spoed versturen** gaat de aanmelding meteen naar de jeugdconsulent van dienst, met alleen deze vier gegevens. Zo kan die handelen en jou terugbellen.',
        'Namen, adres en toestemming komen later: na het versturen kies je **De rest aanvullen**, nu of wanneer het je uitkomt. Het blijft dezelfde aanmelding.',
        'Liever alles in één keer? Kies **Eerst de hele aanmelding invullen**; de aanmelding heeft dan ook spoed.',
      ];
    case 'safetySignal':
      return [
        'Zorgen die niet acuut zijn, noteren we als zorgsignaal bij de aanmelding, zodat de professional die hem oppakt ervan weet.',
        VEILIG_THUIS[2]!,
        'Twijfel je of het toch acuut is? Bel Veilig Thuis (0800-2000) voor advies, of kies Terug en antwoord Ja.',
      ];
    case 'children':
      return [
        'Typ de leeftijden van alle kinderen in het gezin, ook van kinderen die al volwassen zijn. Gebruik 0 voor een baby jonger dan 1 jaar en "zwanger" voor een kind op komst.',
        `Gezinsondersteuning is er voor jeugd tot en met ${config.ageLimit} jaar en hun ouders, ook al voor de geboorte.`,
      ];
    case 'consent':
    case 'consentRefused':
      return [
        'Wie toestemming geeft, hangt af van de leeftijd: onder 12 jaar de ouders met gezag; van 12 tot en met 15 jaar het kind én de ouders; vanaf 16 jaar de jongere zelf.',
        'Anoniem overleg: je bespreekt de situatie zonder gegevens waarmee het gezin herkenbaar is. Er wordt dan niets bewaard dat naar het gezin leidt.',
      ];
    case 'consentFeedback':
      return ['De huisarts hoort alleen dát er een professional betrokken is, niet wat er besproken wordt. Zegt het gezin nee, dan krijgt de huisarts geen bericht.'];
    case 'household':
      return ['Kies wat het beste past. Zorgen bijvoorbeeld pleegouders of grootouders voor de kinderen? Kies dan Anders.'];
    case 'wijk':
      return ['Elke gezinscoach werkt in een eigen wijk of dorp; daarom vragen we waar het gezin woont. Staat de plaats er niet bij? Kies de dichtstbijzijnde.'];
    case 'hoofdvraag':
      return ['Kies de leefgebieden waar de vraag van het gezin over gaat; meer dan één mag. Je kunt ook typen, bijvoorbeeld "opvoeding en school" of "1, 3".'];
    case 'criteria':
      return [
        config.services.includes('keukentafelgesprek')
          ? 'Geldt er minstens één punt, dan is de vraag complex. Dan stellen we een keukentafelgesprek voor: de gezinscoach en de jeugdconsulent praten samen met het gezin.'
          : 'Geldt er minstens één punt, dan is de vraag complex. Dan stellen we de jeugdconsulent voor, die bekijkt welke ondersteuning past.',
        ...config.criteria.map((c) => `**${c.label}**: ${c.explanation}`),
      ];
    case 'specialist':
      return ['Kies Ja als je nu al ziet dat het gezin gespecialiseerde jeugdhulp nodig heeft, zoals jeugd-GGZ of een behandeling. Dan gaat de aanmelding naar de jeugdconsulent van de gemeente, die die hulp kan regelen.'];
    case 'explanation':
      return [
        `Beschrijf kort wat er speelt en wat het gezin zelf wil. Hoogstens ${EXPLANATION_MAX_LENGTH} tekens. Geen toelichting? Kies Overslaan.`,
        'Deze tekst ziet alleen de professional die de aanmelding oppakt; hij komt nooit in het teamkanaal.',
      ];
    case 'contact':
      return ['We vragen deze gegevens alleen omdat het gezin toestemming gaf. Alleen de professional die de aanmelding oppakt, ziet ze. Vul een telefoonnummer of een e-mailadres in (of allebei).'];
    case 'summary':
      return ['Controleer de antwoorden en de voorgestelde route. Met Wijzigen pas je een antwoord aan; daarna kom je hier terug. Met Versturen wordt de aanmelding bewaard.'];
    case 'editMenu':
      return ['Kies het onderdeel dat je wilt aanpassen. Na je nieuwe antwoord kom je terug bij het overzicht.'];
    case 'confirmCancel':
      return ['Stop je nu, dan wordt er niets bewaard en niets verstuurd. Wil je de aanmelding toch versturen of iets aanpassen? Kies Nee; je komt terug bij de samenvatting.'];
    case 'service':
      return ['Een gezinscoach biedt lichte, preventieve ondersteuning bij opvoeden en opgroeien. Een gezinsverzorger helpt praktisch thuis, meerdere keren per week, bij een gezin waarvan jij als casemanager het plan hebt.'];
    case 'goal':
      return ['Het doel uit jouw plan vertaalt de gezinsverzorger naar de praktijk; bij elke evaluatie kijken jullie ernaar terug. Maak het concreet en haalbaar.'];
    case 'tasks':
      return ['Kies wat de gezinsverzorger gaat doen: het huishouden, de verzorging van de kinderen, begeleiding van de ouders, of begeleiding van de omgang.'];
    case 'supportForm':
      return ['Ondersteunend: de ouder doet het zelf, met hulp. Compenserend: de gezinsverzorger neemt taken (deels) over. Nazorg: na eerdere hulp. Overbrugging: tot andere hulp start.'];
    case 'hours':
      return [
        ...(config.gezinsverzorgerGemiddelden ? [`Ter vergelijking: de inzet was gemiddeld ${config.gezinsverzorgerGemiddelden.urenPerWeek} uur per week per gezin (${config.gezinsverzorgerGemiddelden.bron}).`] : []),
        'Typ een getal, bijvoorbeeld 4 of 4,5.',
      ];
    case 'duration':
      return [
        ...(config.gezinsverzorgerGemiddelden ? [`Afgesloten trajecten duurden gemiddeld ${config.gezinsverzorgerGemiddelden.duurMaanden} maanden (${config.gezinsverzorgerGemiddelden.bron}).`] : []),
        'Na de toewijzing plant de bot evaluatiemomenten.',
      ];
    case 'cause':
      return ['Tijdelijk: een ingrijpende gebeurtenis zoals ziekte, een operatie of een geboorte. Langdurig: problemen van de ouders zelf, zoals een licht verstandelijke beperking, psychische problemen, verslaving, langdurige armoede of een chronische ziekte.'];
    case 'toGezinsverzorger':
      return [];
  }
}

/**
 * Whose consent counts, as people say it: "de ouders", "de ouders en het kind van 12", "de jongere van 17",
 * "de ouders, het kind van 13 en de jongere van 17". Parents consent for every child under 16.
 */
function consentAskees(groups: ConsentGroup[]): string {
  const kids = groups.find((g) => g.giver === 'kind-en-ouders');
  const youth = groups.find((g) => g.giver === 'jongere');
  const parts: string[] = [];
  if (groups.length === 0 || groups.some((g) => g.giver !== 'jongere')) parts.push('de ouders');
  if (kids) parts.push(childrenAged(kids.ages, 'het kind', 'de kinderen'));
  if (youth) parts.push(childrenAged(youth.ages, 'de jongere', 'de jongeren'));
  return listNl(parts);
}

/** "Hebben de ouders en het kind van 12 toestemming gegeven voor deze aanmelding?" */
function consentQuestion(groups: ConsentGroup[]): string {
  const [only] = groups;
  const youthAlone = groups.length === 1 && only?.giver === 'jongere';
  const verb = youthAlone && only.ages.length === 1 ? 'Heeft' : 'Hebben';
  return `${verb} ${consentAskees(groups)}${youthAlone ? ' zelf' : ''} toestemming gegeven voor deze aanmelding?`;
}

/** With a young person of 16 or over among younger children: who decides for whom. */
function consentWhoDecides(groups: ConsentGroup[]): string | undefined {
  const youth = groups.find((g) => g.giver === 'jongere');
  if (!youth || groups.length === 1) return undefined;
  const parents = groups.find((g) => g.giver === 'ouders-met-gezag');
  const kids = groups.find((g) => g.giver === 'kind-en-ouders');
  const youthName = childrenAged(youth.ages, 'de jongere', 'de jongeren');
  const others = parents?.ages.every((age) => age === undefined) && !kids ? childrenAged(parents.ages, 'het kind', 'de kinderen') : 'de andere kinderen';
  const decides = youth.ages.length === 1 ? 'beslist' : 'beslissen';
  const withKids = kids ? `, samen met ${childrenAged(kids.ages, 'het kind', 'de kinderen')}` : '';
  return `${youthName.charAt(0).toUpperCase()}${youthName.slice(1)} ${decides} zelf; voor ${others} beslissen de ouders${withKids}.`;
}

/** Who gave consent, as stored (ConsentGiver ids: "ouders-met-gezag", ...), in words: "de ouders en het kind (12 t/m 15)". */
export function consentGiversInWords(givenBy: readonly string[]): string {
  const parts: string[] = [];
  if (givenBy.some((g) => g !== 'jongere')) parts.push('de ouders');
  if (givenBy.includes('kind-en-ouders')) parts.push('het kind (12 t/m 15)');
  if (givenBy.includes('jongere')) parts.push('de jongere (16 of ouder)');
  return listNl(parts);
}

/** "het kind van 5", "de kinderen van 3 en 5", "het kind van 3 en het kind op komst" */
function childrenAged(ages: (number | undefined)[], one: string, more: string): string {
  const born = ages.filter((age): age is number => age !== undefined);
  const expected = ages.length - born.length;
  const parts: string[] = [];
  if (born.length > 0) parts.push(`${born.length === 1 ? one : more} van ${listNl(born.map(String))}`);
  if (expected > 0) parts.push(expected === 1 ? 'het kind op komst' : `de ${expected} kinderen op komst`);
  return listNl(parts);
}

/** The answers of one step as rows "title: value"; the summary shows all, a confirmation the one just given. */
function factsOf(step: EditableStep, context: IntakeContext, config: GemeenteConfig): [string, string][] {
  const title = (options: Option[], value: string | undefined) => options.find((o) => o.value === value)?.title ?? '–';
  switch (step) {
    case 'role':
      return [['Je rol', title(ROLE_OPTIONS, context.role)]];
    case 'safety':
      if (!context.safety) return [['Acute zorgen over veiligheid', '–']];
      if (!context.safety.concern && context.safety.signal) return [['Zorgen over veiligheid', `Niet acuut (zorgsignaal); meldcode: ${title(MELDCODE_OPTIONS, context.safety.signal.meldcode)}`]];
      if (!context.safety.concern) return [['Acute zorgen over veiligheid', 'Nee']];
      return [
        ['Acute zorgen over veiligheid', 'Ja (spoed)'],
        ...(context.safety.action ? ([['Al gedaan', title(SAFETY_ACTION_OPTIONS, context.safety.action)]] as [string, string][]) : []),
      ];
    case 'children':
      return [['Kinderen', context.children ? describeChildren(context.children) : '–']];
    case 'consent': {
      const consent = context.consent;
      const rows: [string, string][] = [['Toestemming', title(CONSENT_OPTIONS, consent?.referral)]];
      // A huisarts or POH is the family's huisarts: "inform the huisarts" would be about themselves.
      if (consent?.referral === 'ja' && consent.feedbackToHuisarts !== undefined && !isHuisarts(context)) {
        rows.push(['Huisarts informeren', consent.feedbackToHuisarts ? 'Ja' : 'Nee']);
      }
      if (consent?.referral === 'ja' && consent.feedbackToHuisarts && context.huisartsPraktijk) rows.push(['Huisartspraktijk', context.huisartsPraktijk]);
      return rows;
    }
    case 'household':
      return [['Gezin', title(HOUSEHOLD_OPTIONS, context.household)]];
    case 'wijk':
      return [['Wijk of dorp', context.wijk ?? '–']];
    case 'hoofdvraag':
      return [['Hoofdvraag', context.hoofdvraag ? sentenceList(context.hoofdvraag.map((v) => title(LEEFGEBIED_OPTIONS, v))) : '–']];
    case 'criteria':
      return [
        [
          'Complexiteit',
          context.criteria === undefined
            ? '–'
            : context.criteria.length === 0
              ? 'Geen van de punten'
              : context.criteria.map((id) => config.criteria.find((c) => c.id === id)?.label ?? id).join('; '),
        ],
      ];
    case 'specialist':
      return [['Gespecialiseerde jeugdhulp nodig', context.specialistCareNeeded === undefined ? '–' : context.specialistCareNeeded ? 'Ja' : 'Nee']];
    case 'explanation':
      return [['Toelichting', context.explanation ? plainText(context.explanation) : 'Geen']];
    case 'goal':
      return [['Doel uit het plan', context.goal ? plainText(context.goal) : '–']];
    case 'tasks':
      return [['Taken', context.tasks ? sentenceList(context.tasks.map((v) => title(GV_TASK_OPTIONS, v))) : '–']];
    case 'supportForm':
      return [['Vorm van ondersteuning', title(GV_FORM_OPTIONS, context.supportForm)]];
    case 'hours':
      return [['Uren per week', context.hoursPerWeek === undefined ? '–' : `${formatHours(context.hoursPerWeek)} uur`]];
    case 'duration':
      return [['Verwachte duur', context.durationMonths === undefined ? '–' : `${context.durationMonths} maanden`]];
    case 'cause':
      return [['Aanleiding', title(GV_CAUSE_OPTIONS, context.cause)]];
    case 'contact': {
      const c = context.contact;
      if (!c) return [['Contact', '–']];
      return [['Contact', plainText([c.name, c.phone, c.email, c.address].filter(Boolean).join(', '))]];
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Rendering: a state becomes one card.

interface Prompt {
  question: string;
  hint?: string[];
  inputs?: CardElement[];
  /** Answer buttons; laid out in rows. */
  answers?: { title: string; action?: 'answer' | 'submit' | 'edit' | 'anonymous' | 'cancel' | 'back'; value?: string; style?: 'positive' | 'destructive'; withInputs?: boolean }[];
  /** A button that submits the card's inputs. */
  submitInputs?: string;
  lead?: CardElement[];
}

function promptFor(state: State, context: IntakeContext, config: GemeenteConfig, praktijken: readonly string[], professionals: readonly TeamMember[] = []): Prompt {
  const group = cardGroup(state, context);
  if (group.length > 1) return groupPrompt(group, context, config, professionals);
  const yesNo = [
    { title: 'Ja', value: 'ja' },
    { title: 'Nee', value: 'nee' },
  ];
  switch (state) {
    case 'role':
      return {
        question: 'Wat is je rol?',
        answers: ROLE_OPTIONS.map((o) => ({ title: o.title, value: o.value })),
      };
    case 'safety':
      return {
        question: 'Maak je je acuut zorgen over de veiligheid van een kind of gezinslid?',
        hint: ['Bijvoorbeeld bij huiselijk geweld of kindermishandeling.'],
        answers: [
          { title: 'Ja, acute zorgen', value: 'ja', style: 'destructive' },
          { title: 'Zorgen, maar niet acuut', value: 'zorgen' },
          { title: 'Nee', value: 'nee' },
        ],
      };
    case 'safetyAdvice':
      return {
        lead: [container(VEILIG_THUIS.map((line) => text(line)), 'attention')],
        question: 'Wat heb je al gedaan?',
        hint: [
          context.service === 'gezinscoach' && context.completes === undefined
            ? 'De aanmelding gaat met spoed naar de jeugdconsulent. Daarna kun je hem meteen versturen, met alleen het hoogstnodige.'
            : 'De aanmelding gaat met spoed naar de jeugdconsulent. Daarna vraag ik nog een paar dingen over het gezin.',
        ],
        answers: SAFETY_ACTION_OPTIONS.map((o) => ({ title: o.title, value: o.value })),
      };
    case 'safetySignal':
      return {
        question: 'Waar ben je in de meldcode?',
        hint: ['Je zorgen over de veiligheid komen als zorgsignaal bij de aanmelding; de professional die hem oppakt, ziet het.'],
        answers: MELDCODE_OPTIONS.map((o) => ({ title: o.title, value: o.value })),
      };
    case 'spoedForm':
      return {
        question: 'Nu met spoed versturen',
        hint: [
          'Alleen wat de jeugdconsulent nodig heeft om te handelen en jou terug te bellen. De rest vul je later aan.',
          '**Noem geen namen, adressen of andere gegevens waarmee het gezin herkenbaar is.**',
        ],
        inputs: [
          textInput('children', 'Leeftijden van de kinderen', { placeholder: 'bijv. 3 en 7, of "zwanger"', value: context.children ? childrenAsTyped(context.children) : undefined, required: true, errorMessage: 'Vul de leeftijden in.' }),
          choiceSet('wijk', 'Wijk of dorp', config.wijken.map((w) => ({ title: w, value: w })), {
            style: 'filtered',
            value: context.wijk,
            placeholder: 'Kies of typ een naam',
            required: true,
            errorMessage: 'Kies een wijk of dorp.',
          }),
          textInput('situation', 'Wat speelt er? (één regel)', {
            maxLength: SPOED_SITUATION_MAX_LENGTH,
            value: context.spoed?.situation,
            placeholder: 'bijv. vader dreigt met geweld, kinderen nu bij buren',
            required: true,
            errorMessage: 'Beschrijf kort wat er speelt.',
          }),
          textInput('phone', 'Jouw telefoonnummer voor terugbellen', { style: 'Tel', placeholder: 'bijv. 06 12345678', value: context.spoed?.referrerPhone, required: true, errorMessage: 'Vul je telefoonnummer in.' }),
        ],
        submitInputs: 'Nu met spoed versturen',
        answers: [{ title: 'Eerst de hele aanmelding invullen', value: 'volledig' }],
      };
    case 'children':
      return {
        question: 'Hoe oud zijn de kinderen?',
        hint: ['Typ de leeftijden, bijvoorbeeld "3, 7 en 12". Een kind op komst? Typ "zwanger".'],
        inputs: [textInput('value', 'Leeftijden', { placeholder: 'bijv. 3, 7 en 12', required: true, errorMessage: 'Vul de leeftijden in.' })],
        submitInputs: 'Verder',
      };
    case 'consent': {
      const groups = consentGroups(context.children ?? []);
      const lead = consentWhoDecides(groups);
      // A huisarts or POH is the family's huisarts: not asked whether the huisarts may know (issue 16).
      const asksHuisarts = !isHuisarts(context) && mayAskFeedback(context);
      return {
        question: consentQuestion(groups),
        hint: [
          ...(lead ? [lead] : []),
          'Geen toestemming, maar wil je wel overleggen? Kies Anoniem overleg: dan noem je niets waarmee het gezin herkenbaar is.',
        ],
        ...(asksHuisarts ? { inputs: huisartsInputs(context, praktijken) } : {}),
        answers: CONSENT_OPTIONS.map((o) => ({ title: o.title, value: o.value, ...(asksHuisarts && o.value === 'ja' ? { withInputs: true } : {}) })),
      };
    }
    case 'consentFeedback':
      return {
        question: FEEDBACK_QUESTION,
        hint: ['Zo weet de huisarts dat het gezin hulp krijgt. De inhoud van de gesprekken hoort de huisarts niet.'],
        inputs: huisartsInputs(context, praktijken).slice(1),
        answers: yesNo.map((a) => ({ ...a, withInputs: true })),
      };
    case 'consentRefused': {
      const holders = consentAskees(consentGroups(context.children ?? []));
      return {
        question: 'Zonder toestemming kan ik de aanmelding niet doorsturen. Er is niets over het gezin bewaard.',
        hint: [
          `Zo vraag je toestemming: vertel ${holders} wat gezinsondersteuning is (gratis, vrijwillig en zonder indicatie), welke gegevens je doorgeeft en aan wie, en dat ze altijd nee mogen zeggen.`,
          'Wil je de situatie toch bespreken? Kies een anoniem overleg: je vertelt niets waarmee het gezin herkenbaar is.',
        ],
        answers: [
          { title: 'Anoniem overleg starten', action: 'anonymous', style: 'positive' },
        ],
      };
    }
    case 'household':
      return {
        question: 'Hoe is het gezin samengesteld?',
        answers: HOUSEHOLD_OPTIONS.map((o) => ({ title: o.title, value: o.value })),
      };
    case 'wijk':
      return {
        question: 'In welke wijk of welk dorp woont het gezin?',
        hint: wijkHint(context, config),
        inputs: [wijkInput('value', context, config)],
        submitInputs: 'Verder',
      };
    case 'hoofdvraag':
      return {
        question: 'Waar gaat de hoofdvraag over?',
        hint: ['Kies één of meer leefgebieden.'],
        inputs: [hoofdvraagInput('value', context)],
        submitInputs: 'Verder',
      };
    case 'criteria':
      return {
        question: 'Welke van deze punten gelden voor het gezin?',
        hint: ['Kies alles wat geldt, of Geen van deze. Bij twijfel: kies Help voor uitleg bij elk punt.'],
        inputs: [
          choiceSet('value', 'Complexiteitscriteria', numbered(config.criteria.map((c) => ({ title: c.label, value: c.id }))), {
            multi: true,
            value: context.criteria?.join(','),
          }),
        ],
        submitInputs: 'Verder',
        answers: [{ title: 'Geen van deze', value: 'geen' }],
      };
    case 'specialist':
      return {
        question: 'Is nu gespecialiseerde jeugdhulp nodig, zoals jeugd-GGZ?',
        hint: ['Dan gaat de aanmelding naar de jeugdconsulent van de gemeente.'],
        answers: yesNo,
      };
    case 'explanation':
      return {
        question: 'Wil je nog iets toelichten?',
        hint: [
          mayHoldIdentifyingData(context)
            ? `Kort, hoogstens ${EXPLANATION_MAX_LENGTH} tekens. Alleen de professional die de aanmelding oppakt, leest dit.`
            : `Kort, hoogstens ${EXPLANATION_MAX_LENGTH} tekens. **Noem geen namen, adressen, geboortedata of andere gegevens waarmee het gezin herkenbaar is.**`,
        ],
        inputs: [textInput('value', 'Toelichting', { multiline: true, maxLength: EXPLANATION_MAX_LENGTH, value: context.explanation ?? undefined })],
        submitInputs: 'Verder',
        answers: [{ title: 'Overslaan', value: '' }],
      };
    case 'contact':
      return {
        question: 'Hoe kan de professional het gezin bereiken?',
        hint: ['Vul een telefoonnummer of een e-mailadres in. Alleen de professional die de aanmelding oppakt, ziet deze gegevens.'],
        inputs: [
          textInput('name', 'Naam van de ouder of jongere', { required: true, value: context.contact?.name, errorMessage: 'Vul een naam in.' }),
          textInput('phone', 'Telefoonnummer', { style: 'Tel', placeholder: 'bijv. 06 12345678', value: context.contact?.phone }),
          textInput('email', 'E-mailadres', { style: 'Email', value: context.contact?.email }),
          textInput('address', 'Adres (niet verplicht)', { value: context.contact?.address }),
          ...earlierInput(context, professionals),
        ],
        submitInputs: 'Verder',
      };
    case 'service': {
      const offered = config.services.includes('gezinsverzorger');
      return {
        question: 'Wat wil je aanvragen?',
        hint: [offered ? 'Een gezinsverzorger vraag je aan voor een gezin waarvan jij het plan hebt.' : `Gemeente ${config.gemeente} biedt geen gezinsverzorger aan.`],
        answers: SERVICE_OPTIONS.filter((o) => offered || o.value === 'gezinscoach').map((o) => ({ title: o.title, value: o.value })),
      };
    }
    case 'toGezinsverzorger':
      return { question: '' };
    case 'goal':
      return {
        question: 'Wat is het doel uit jouw plan voor de gezinsverzorger?',
        hint: [
          'Bijvoorbeeld: "Moeder houdt over drie maanden zelf de dagstructuur en het huishouden vol."',
          mayHoldIdentifyingData(context) ? 'Alleen de gezinsverzorger en de coördinator lezen dit.' : '**Noem geen namen of andere gegevens waarmee het gezin herkenbaar is.**',
        ],
        inputs: [textInput('value', 'Doel', { multiline: true, maxLength: 500, value: context.goal, required: true, errorMessage: 'Beschrijf het doel.' })],
        submitInputs: 'Verder',
      };
    case 'tasks':
      return {
        question: 'Welke taken gaat de gezinsverzorger doen?',
        inputs: [choiceSet('value', 'Taken', GV_TASK_OPTIONS.map((o) => ({ title: o.title, value: o.value })), { multi: true, value: context.tasks?.join(','), required: true, errorMessage: 'Kies minstens één taak.' })],
        submitInputs: 'Verder',
      };
    case 'supportForm':
      return { question: 'Welke vorm van ondersteuning is nodig?', answers: GV_FORM_OPTIONS.map((o) => ({ title: o.title, value: o.value })) };
    case 'hours':
      return {
        question: 'Hoeveel uur per week is nodig?',
        hint: config.gezinsverzorgerGemiddelden ? [`Ter vergelijking: gemiddeld is dat ${config.gezinsverzorgerGemiddelden.urenPerWeek} uur per week per gezin.`] : [],
        inputs: [textInput('value', 'Uren per week', { placeholder: 'bijv. 4,5', value: context.hoursPerWeek === undefined ? undefined : formatHours(context.hoursPerWeek), required: true, errorMessage: 'Vul het aantal uren in.' })],
        submitInputs: 'Verder',
        answers: [2, 4, 5, 8].map((h) => ({ title: `${h} uur`, value: String(h) })),
      };
    case 'duration':
      return {
        question: 'Hoe lang is de hulp naar verwachting nodig?',
        hint: [
          `${config.gezinsverzorgerGemiddelden ? `Afgesloten trajecten duurden gemiddeld ${config.gezinsverzorgerGemiddelden.duurMaanden} maanden. ` : ''}Een ander aantal maanden? Typ het.`,
        ],
        answers: [3, 6, 9, 12].map((m) => ({ title: `${m} maanden`, value: String(m) })),
      };
    case 'cause':
      return {
        question: 'Wat is de aanleiding?',
        hint: ['Tijdelijk: een ingrijpende gebeurtenis. Langdurig: eigen problematiek van de ouders.'],
        answers: GV_CAUSE_OPTIONS.map((o) => ({ title: o.title, value: o.value })),
      };
    case 'summary':
      return summaryPrompt(context, config);
    case 'confirmCancel':
      return {
        question: 'Weet je het zeker? Wat je invulde gaat verloren.',
        answers: [
          { title: 'Ja, stoppen', action: 'cancel', style: 'destructive' },
          { title: 'Nee, terug naar de samenvatting', action: 'back' },
        ],
      };
    case 'editMenu':
      return {
        question: 'Wat wil je wijzigen?',
        answers: editableSteps(context).map((step) => ({ title: STEP_TITLES[step], value: step })),
      };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Fewer taps (issue 16): questions asked together on one card, defaults the configuration knows.

/**
 * Questions that share one card, so that one Verder answers them all: the first one's state shows the rest too.
 * Not while changing one answer from the summary: then only that question.
 */
const CARD_GROUPS: readonly (readonly EditableStep[])[] = [
  ['wijk', 'hoofdvraag'],
  ['criteria', 'specialist'],
  ['explanation', 'contact'],
];

/** The steps the card of this state asks (more than one when grouped), or [] for a card of its own. */
export function cardGroup(state: State, context: IntakeContext): EditableStep[] {
  const group = CARD_GROUPS.find((g) => g[0] === state);
  if (!group || context.editing) return [];
  const steps = stepsOf(context);
  if (steps[steps.indexOf(group[0]!) + 1] !== group[1]) return [];
  // Contact details are only asked with consent "ja".
  if (group.includes('contact') && !mayHoldIdentifyingData(context)) return [];
  return [...group];
}

/** "Nu is gespecialiseerde jeugdhulp nodig" as the last point of the criteria card: "Geen van deze" then answers both. */
const SPECIALIST_POINT: Option = { value: 'gespecialiseerde-jeugdhulp', title: 'Nu is gespecialiseerde jeugdhulp nodig, zoals jeugd-GGZ', aliases: ['jeugdhulp', 'specialistisch', 'jeugd-ggz'] };

/** Choices shown with their number, where typing the number works ("1, 3"). */
function numbered<C extends { title: string; value: string }>(choices: C[]): C[] {
  return choices.map((c, i) => ({ ...c, title: `${i + 1}. ${c.title}` }));
}

function wijkInput(id: string, context: IntakeContext, config: GemeenteConfig): CardElement {
  return choiceSet(id, 'Wijk of dorp', config.wijken.map((w) => ({ title: w, value: w })), {
    style: 'filtered',
    value: context.wijk ?? suggestedWijk(context, config),
    placeholder: 'Kies of typ een naam',
    required: true,
    errorMessage: 'Kies een wijk of dorp.',
  });
}

function hoofdvraagInput(id: string, context: IntakeContext): CardElement {
  return choiceSet(id, 'Leefgebieden', numbered(LEEFGEBIED_OPTIONS.map((o) => ({ title: o.title, value: o.value }))), {
    multi: true,
    value: context.hoofdvraag?.join(','),
    required: true,
    errorMessage: 'Kies minstens één leefgebied.',
  });
}

/** The wijk the referrer's practice suggests (team configuration), when it is one of the gemeente's. */
function suggestedWijk(context: IntakeContext, config: GemeenteConfig): string | undefined {
  const wijk = context.referrer?.wijk;
  return wijk !== undefined && config.wijken.includes(wijk) ? wijk : undefined;
}

function wijkHint(context: IntakeContext, config: GemeenteConfig): string[] {
  return context.wijk === undefined && suggestedWijk(context, config) ? ['Ingevuld bij je praktijk. Woont het gezin ergens anders? Kies dan die wijk of dat dorp.'] : [];
}

/** A professional of the team, as the intake may name them. */
export interface TeamMember {
  aadObjectId: string;
  name: string;
  role: string;
}

/**
 * "Eerder begeleid door iemand van het team?" (issue 15, continuity): not a question of its own (the clean path stays
 * short) but an optional choice on the contact card, so only with consent "ja": it says something about the family.
 */
function earlierInput(context: IntakeContext, professionals: readonly TeamMember[]): CardElement[] {
  if (professionals.length === 0) return [];
  return [
    choiceSet('eerder', 'Eerder begeleid door iemand van het team? (niet verplicht)', [{ title: 'Nee, of weet ik niet', value: 'nee' }, ...professionals.map((p) => ({ title: `${p.name} (${p.role})`, value: p.aadObjectId }))], {
      value: context.eerderBegeleidDoor ?? 'nee',
    }),
  ];
}

/** The professional chosen as having supported the family before, if one of the team's. */
function earlierChosen(input: UserInput, professionals: readonly TeamMember[]): string | undefined {
  const chosen = typeof input.value?.eerder === 'string' ? input.value.eerder : undefined;
  return professionals.some((p) => p.aadObjectId === chosen) ? chosen : undefined;
}

function contactInputs(context: IntakeContext): CardElement[] {
  return [
    textInput('name', 'Naam van de ouder of jongere', { required: true, value: context.contact?.name, errorMessage: 'Vul een naam in.' }),
    textInput('phone', 'Telefoonnummer', { style: 'Tel', placeholder: 'bijv. 06 12345678', value: context.contact?.phone }),
    textInput('email', 'E-mailadres', { style: 'Email', value: context.contact?.email }),
    textInput('address', 'Adres (niet verplicht)', { value: context.contact?.address }),
  ];
}

function groupPrompt(group: EditableStep[], context: IntakeContext, config: GemeenteConfig, professionals: readonly TeamMember[]): Prompt {
  switch (group[0]) {
    case 'wijk':
      return {
        question: 'Waar woont het gezin, en waar gaat de vraag over?',
        hint: [...wijkHint(context, config), 'Kies bij de leefgebieden alles wat past; meer dan één mag.'],
        inputs: [wijkInput('wijk', context, config), hoofdvraagInput('hoofdvraag', context)],
        submitInputs: 'Verder',
      };
    case 'criteria':
      return {
        question: 'Welke van deze punten gelden voor het gezin?',
        hint: ['Kies alles wat geldt, of Geen van deze. Bij twijfel: kies Help voor uitleg bij elk punt.'],
        inputs: [
          choiceSet('value', 'Wat geldt er?', numbered([...config.criteria.map((c) => ({ title: c.label, value: c.id })), { title: SPECIALIST_POINT.title, value: SPECIALIST_POINT.value }]), {
            multi: true,
            value: [...(context.criteria ?? []), ...(context.specialistCareNeeded ? [SPECIALIST_POINT.value] : [])].join(',') || undefined,
          }),
        ],
        submitInputs: 'Verder',
        answers: [{ title: 'Geen van deze', value: 'geen' }],
      };
    default:
      return {
        question: 'Hoe kan de professional het gezin bereiken?',
        hint: ['Vul een telefoonnummer of een e-mailadres in. Alleen de professional die de aanmelding oppakt, ziet deze gegevens en de toelichting.'],
        inputs: [
          ...contactInputs(context),
          ...earlierInput(context, professionals),
          textInput('value', `Toelichting (niet verplicht, hoogstens ${EXPLANATION_MAX_LENGTH} tekens)`, {
            multiline: true,
            maxLength: EXPLANATION_MAX_LENGTH,
            placeholder: 'Wat speelt er, en wat wil het gezin zelf?',
            value: context.explanation ?? undefined,
          }),
        ],
        submitInputs: 'Verder',
      };
  }
}

const FEEDBACK_QUESTION = 'Mag de eigen huisarts van het gezin weten dat er hulp is?';

/** A huisarts or POH refers as the family's huisarts: they know already. */
function isHuisarts(context: IntakeContext): boolean {
  return context.role === 'huisarts' || context.role === 'poh';
}

/** Whether consent "ja" leads to the huisarts question (the machine's answersConsent: not outside the target group). */
function mayAskFeedback(context: IntakeContext): boolean {
  return context.inTargetGroup !== false || context.safety?.concern === true || context.service === 'gezinsverzorger';
}

/**
 * "Mag de eigen huisarts weten…" (yes by default: seed 004, the huisarts is told unless the family refuses) and
 * which practice: the referrer's own by default, or one of the team's praktijken.
 */
function huisartsInputs(context: IntakeContext, praktijken: readonly string[]): CardElement[] {
  const names = praktijkNames(context, praktijken);
  const inputs = [
    choiceSet('huisarts', `Als er toestemming is: ${FEEDBACK_QUESTION.charAt(0).toLowerCase()}${FEEDBACK_QUESTION.slice(1)}`, [
      { title: 'Ja', value: 'ja' },
      { title: 'Nee, het gezin wil dat niet', value: 'nee' },
    ], { value: context.consent?.feedbackToHuisarts === false ? 'nee' : 'ja' }),
  ];
  if (names.length > 0) {
    inputs.push(
      choiceSet('praktijk', 'Huisartspraktijk van het gezin', names.map((n) => ({ title: n, value: n })), {
        style: 'filtered',
        value: context.huisartsPraktijk ?? ownPraktijk(context, praktijken),
        placeholder: 'Kies de praktijk, als je die weet',
      }),
    );
  }
  return inputs;
}

/**
 * The referrer's own practice as the family's huisartspraktijk: a huisarts's or POH's, or one the team lists as a
 * huisartspraktijk; a casemanager's WIJ-team is no huisartspraktijk.
 */
function ownPraktijk(context: IntakeContext, praktijken: readonly string[]): string | undefined {
  const own = context.referrer?.praktijk;
  return own !== undefined && (isHuisarts(context) || praktijken.includes(own)) ? own : undefined;
}

function praktijkNames(context: IntakeContext, praktijken: readonly string[]): string[] {
  const own = ownPraktijk(context, praktijken);
  return [...new Set([...(own ? [own] : []), ...praktijken])];
}

function editableSteps(context: IntakeContext): EditableStep[] {
  return stepsOf(context).filter((step) => step !== 'contact' || mayHoldIdentifyingData(context));
}

/** "4,5" for 4.5: Dutch decimals. */
function formatHours(hours: number): string {
  return String(hours).replace('.', ',');
}

/** A number as a person types it: "4", "4,5", "4.5 uur". */
function parseNumber(value: string): number | undefined {
  const match = /^\s*(\d+(?:[.,]\d+)?)\s*(uur|u|maanden|maand)?\s*$/.exec(normalize(value));
  return match ? Number(match[1]!.replace(',', '.')) : undefined;
}

function summaryPrompt(context: IntakeContext, config: GemeenteConfig): Prompt {
  const triage = routeFor(triageInputOf(context), config);
  return {
    lead: [facts(editableSteps(context).flatMap((step) => factsOf(step, context, config))), ...triageElements(triage, config)],
    question: 'Klopt alles?',
    hint: ['Met Versturen wordt de aanmelding bewaard. Iets aanpassen? Kies Wijzigen.'],
    answers: [
      { title: 'Versturen', action: 'submit', style: 'positive' },
      { title: 'Wijzigen', action: 'edit' },
    ],
  };
}

/** The suggested route with its reasons: the same TriageResult that is stored and later posted. */
export function triageElements(triage: TriageResult, config: GemeenteConfig): CardElement[] {
  const route = config.routes[triage.route];
  return [
    container(
      [
        ...(triage.urgent ? [text('SPOED: acute zorgen over de veiligheid', { weight: 'Bolder' })] : []),
        text(`Voorgestelde route: ${route.label}`, { weight: 'Bolder', size: 'Medium' }),
        text(triage.reasons.map((r) => `- ${readableReason(r)}`).join('\n')),
      ],
      triage.urgent ? 'attention' : 'emphasis',
    ),
  ];
}

function renderCard(snapshot: Snapshot, config: GemeenteConfig, praktijken: readonly string[], note: RenderNote = {}, professionals: readonly TeamMember[] = []): Reply {
  const state = snapshot.value as State;
  const context = snapshot.context;
  const prompt = promptFor(state, context, config, praktijken, professionals);
  const progress = progressOf(state, context);
  const step = stepOf(state)!;
  const data = (action: string, value?: string) => ({ flow: flowIdOf(context), instance: context.intakeId, step: state, action, ...(value !== undefined ? { value } : {}) });

  const body: CardElement[] = [];
  const group = cardGroup(state, context);
  const title = group.length > 1 ? sentenceList(group.map((s) => STEP_TITLES[s])) : STEP_TITLES[step];
  if (progress) body.push(text(`Stap ${progress.step} van ${progress.total} · ${title}`, { size: 'Small', subtle: true }));
  if (note.ack) body.push(text(note.ack, { size: 'Small' }));
  if (note.stale) body.push(container([text('Die knop hoort bij een eerdere vraag. We gaan verder waar je was:', { weight: 'Bolder' })], 'warning'));
  if (note.problem) body.push(container([text(note.problem, { weight: 'Bolder' })], 'attention'));
  if (note.help) body.push(container((group.length > 1 ? group : [state]).flatMap((s) => helpFor(s, config)).map((line) => text(line)), 'accent'));
  body.push(...(prompt.lead ?? []));
  body.push(text(prompt.question, { weight: 'Bolder', size: 'Medium' }));
  for (const line of prompt.hint ?? []) body.push(text(line, { subtle: true, spacing: 'Small' }));
  body.push(...(prompt.inputs ?? []).map((input) => withDraft(input, note.draft)));
  // Only the button that submits the inputs may validate and send them: by default (associatedInputs "auto") a
  // required field would block Terug, Help and Stoppen, and a typed value would override a button's own value.
  const button = (title: string, buttonData: Record<string, unknown>, style?: 'positive' | 'destructive') => ({
    ...submit(title, buttonData, style),
    associatedInputs: 'none',
  });
  const answerButtons = [
    ...(prompt.submitInputs ? [submit(prompt.submitInputs, data('answer'), 'positive')] : []),
    ...(prompt.answers ?? []).map((a) => (a.withInputs ? submit(a.title, data(a.action ?? 'answer', a.value), a.style) : button(a.title, data(a.action ?? 'answer', a.value), a.style))),
  ];
  body.push(...actionRows(answerButtons, answerButtons.length === 4 ? 2 : 3));
  const navigation =
    state === 'confirmCancel'
      ? [button('Help', data('help'))]
      : [
          ...(state === 'role' ? [] : [button('Terug', data('back'))]),
          button('Help', data('help')),
          button(state === 'summary' || state === 'editMenu' ? 'Annuleren' : 'Stoppen', data('cancel')),
        ];
  body.push({ type: 'ActionSet', actions: navigation, separator: true, spacing: 'Medium' });
  return { card: adaptiveCard(body) };
}

/**
 * An input filled with what was sent last time, so a re-ask keeps every valid field (and an over-long text, which
 * the referrer is asked to shorten: its length limit goes, or the host would cut it off).
 */
function withDraft(input: CardElement, draft: RenderNote['draft']): CardElement {
  const sent = typeof input.id === 'string' ? draft?.[input.id] : undefined;
  if (sent === undefined) return input;
  const { value: _previous, maxLength, ...rest } = input;
  const keepsLimit = typeof maxLength === 'number' && sent.length <= maxLength;
  return { ...rest, ...(keepsLimit ? { maxLength } : {}), ...(sent !== '' ? { value: sent } : {}) };
}

// ---------------------------------------------------------------------------------------------------------
// Interpretation: a turn becomes a machine event.

export interface IntakeDialogOptions {
  config: GemeenteConfig;
  /** The team's huisartspraktijken (team config praktijken), to choose the family's own from. */
  praktijken?: readonly string[];
  /** The team's professionals: "Eerder begeleid door iemand van het team?" (continuity, issue 15). */
  professionals?: readonly TeamMember[];
  kind?: 'intake' | 'gezinsverzorger';
}

/** The flow a card belongs to: its buttons say so, and a card of another flow is not read as an answer. */
function flowIdOf(context: IntakeContext): 'intake' | 'gezinsverzorger' {
  return context.service === 'gezinsverzorger' ? 'gezinsverzorger' : 'intake';
}

function persistedSchema(machine: IntakeMachine) {
  const resumable = Object.keys(machine.config.states ?? {}).filter((s) => !['submitted', 'cancelled', 'resume', 'toGezinsverzorger', 'backToIntake'].includes(s));
  return z.looseObject({ status: z.literal('active'), value: z.string().refine((v) => resumable.includes(v)), context: IntakeContextSchema });
}

/**
 * The dialog of a referral flow: the gezinscoach intake, or (kind 'gezinsverzorger') a casemanager's request for a
 * gezinsverzorger. The two share every text, prompt and parser of the steps they share.
 */
export function createIntakeDialog({ config, kind = 'intake', praktijken = [], professionals = [] }: IntakeDialogOptions): FlowDialog<IntakeMachine> {
  const machine: IntakeMachine = kind === 'gezinsverzorger' ? (gezinsverzorgerMachine as unknown as IntakeMachine) : intakeMachine;
  const PersistedIntakeSchema = persistedSchema(machine);
  const wijkOptions: Option[] = config.wijken.map((w) => ({ value: w, title: w }));
  const criteriaOptions: Option[] = config.criteria.map((c) => ({ value: c.id, title: c.label }));

  /** The answers of one card with several questions: all of them, or every problem at once. */
  function together(parts: Interpretation<IntakeEvent>[]): Interpretation<IntakeEvent> {
    const problems = parts.flatMap((p) => (p.kind === 'problem' ? [p.message] : []));
    if (problems.length > 0) return { kind: 'problem', message: problems.join(' ') };
    const events = parts.flatMap((p) => (p.kind === 'event' ? [p.event, ...(p.then ?? [])] : []));
    return { kind: 'event', event: events[0]!, then: events.slice(1) };
  }

  /** The family's practice as chosen on the card, else the referrer's own; only a name the configuration knows. */
  function chosenPraktijk(input: UserInput, context: IntakeContext): string | undefined {
    const names = praktijkNames(context, praktijken);
    const chosen = typeof input.value?.praktijk === 'string' ? input.value.praktijk.trim() : '';
    if (chosen !== '') return names.includes(chosen) ? chosen : undefined;
    return ownPraktijk(context, praktijken);
  }

  function answer(state: State, raw: string | undefined, input: UserInput, context: IntakeContext): Interpretation<IntakeEvent> {
    const event = (e: IntakeEvent): Interpretation<IntakeEvent> => ({ kind: 'event', event: e });
    const problem = (message: string): Interpretation<IntakeEvent> => ({ kind: 'problem', message });
    const value = raw?.trim() ?? '';
    const yesNo = (make: (yes: boolean) => IntakeEvent) => {
      const yes = parseYesNo(value);
      return yes === undefined ? problem('Antwoord met Ja of Nee.') : event(make(yes));
    };
    const one = <V extends string>(options: Option<V>[], make: (v: V) => IntakeEvent, what: string) => {
      const chosen = parseOption(value, options);
      return chosen === undefined ? problem(`Kies ${what} uit de lijst.`) : event(make(chosen));
    };
    switch (state) {
      case 'role':
        return one(ROLE_OPTIONS, (role) => ({ type: 'answer.role', role }), 'je rol');
      case 'safety':
        if (/^zorg|niet acuut/.test(normalize(value))) return event({ type: 'answer.safety', concern: false, worry: true });
        return yesNo((concern) => ({ type: 'answer.safety', concern }));
      case 'safetySignal':
        return one(MELDCODE_OPTIONS, (meldcode) => ({ type: 'answer.safetySignal', meldcode }), 'waar je bent in de meldcode');
      case 'safetyAdvice':
        return one(SAFETY_ACTION_OPTIONS, (action) => ({ type: 'answer.safetyAction', action }), 'wat je al gedaan hebt');
      case 'spoedForm': {
        if (['volledig', 'hele aanmelding', 'alles invullen', 'eerst alles'].includes(normalize(value))) return event({ type: 'spoed.full' });
        if (!input.value) return problem('Vul de vier vakjes op de kaart in en kies Nu met spoed versturen. Of kies Eerst de hele aanmelding invullen.');
        const form = parseSpoedForm(input.value, wijkOptions);
        return form.ok ? event({ type: 'answer.spoedForm', ...form.value }) : problem(form.problem);
      }
      case 'children': {
        const children = parseChildren(value);
        return children.ok
          ? event({ type: 'answer.children', children: children.value, inTargetGroup: hasChildInTargetGroup(children.value, config.ageLimit) })
          : problem(children.problem);
      }
      case 'consent': {
        const consent = parseOption(value, CONSENT_OPTIONS);
        if (consent === undefined) return problem('Kies Ja, Nee of Anoniem overleg.');
        const answered = event({ type: 'answer.consent', consent, at: input.at.toISOString() });
        if (consent !== 'ja' || answered.kind !== 'event') return answered;
        // The huisarts question on the same card, or none for a huisarts or POH: they are the family's huisarts.
        const said = typeof input.value?.huisarts === 'string' ? parseYesNo(input.value.huisarts) : undefined;
        if (!isHuisarts(context) && said === undefined) return answered;
        return { ...answered, then: [{ type: 'answer.consentFeedback', allowed: isHuisarts(context) || said === true, praktijk: chosenPraktijk(input, context) }] };
      }
      case 'consentFeedback':
        return yesNo((allowed) => ({ type: 'answer.consentFeedback', allowed, praktijk: chosenPraktijk(input, context) }));
      case 'consentRefused':
        return normalize(value).startsWith('anoniem')
          ? event({ type: 'consent.anonymous', at: input.at.toISOString() })
          : problem('Kies Anoniem overleg starten, Terug (om de toestemming te wijzigen) of Stoppen.');
      case 'household':
        return one(HOUSEHOLD_OPTIONS, (household) => ({ type: 'answer.household', household }), 'de gezinssamenstelling');
      case 'wijk': {
        if (cardGroup(state, context).length > 1 && input.value && 'hoofdvraag' in input.value) {
          const field = (key: string) => (typeof input.value?.[key] === 'string' ? (input.value[key] as string) : '');
          return together([answer('wijk', field('wijk'), { ...input, value: undefined }, context), answer('hoofdvraag', field('hoofdvraag'), input, context)]);
        }
        return one(wijkOptions, (wijk) => ({ type: 'answer.wijk', wijk }), 'een wijk of dorp');
      }
      case 'hoofdvraag': {
        const chosen = parseOptions(value, LEEFGEBIED_OPTIONS);
        return chosen.ok
          ? event({ type: 'answer.hoofdvraag', hoofdvraag: chosen.value })
          : problem(`${chosen.problem} Kies één of meer leefgebieden, bijvoorbeeld "opvoeding en school" of "1, 3".`);
      }
      case 'criteria': {
        // On one card with the specialist question: its point is the list's last, and "Geen van deze" answers both.
        const withSpecialist = cardGroup(state, context).length > 1;
        const both = (criteria: string[], needed: boolean): Interpretation<IntakeEvent> =>
          withSpecialist ? { kind: 'event', event: { type: 'answer.criteria', criteria }, then: [{ type: 'answer.specialist', needed }] } : event({ type: 'answer.criteria', criteria });
        if (['geen', 'geen van deze', 'geen van allen', 'nee', 'niets', 'geen enkele'].includes(normalize(value))) return both([], false);
        if (value === '') return problem('Kies de punten die gelden, of Geen van deze.');
        const chosen = parseOptions(value, withSpecialist ? [...criteriaOptions, SPECIALIST_POINT] : criteriaOptions);
        return chosen.ok
          ? both(chosen.value.filter((v) => v !== SPECIALIST_POINT.value), chosen.value.includes(SPECIALIST_POINT.value))
          : problem(`${chosen.problem} Kies de punten die gelden (of typ hun nummers, bijvoorbeeld "1, 3"), of Geen van deze.`);
      }
      case 'specialist':
        return yesNo((needed) => ({ type: 'answer.specialist', needed }));
      case 'service': {
        const chosen = parseOption(value, SERVICE_OPTIONS);
        if (chosen === 'gezinsverzorger' && !config.services.includes('gezinsverzorger')) {
          return problem(`Gemeente ${config.gemeente} biedt geen gezinsverzorger aan. Kies een gezinscoach, of Stoppen.`);
        }
        return chosen === undefined ? problem('Kies een gezinscoach of een gezinsverzorger.') : event({ type: 'answer.service', service: chosen });
      }
      case 'goal':
        if (value.length < 5) return problem('Beschrijf het doel uit je plan in een zin.');
        if (value.length > 500) return problem(`Het doel is ${value.length} tekens; het maximum is 500. Je tekst staat hieronder nog: maak hem ${value.length - 500} tekens korter.`);
        return event({ type: 'answer.goal', goal: value });
      case 'tasks': {
        const chosen = parseOptions(value, GV_TASK_OPTIONS);
        return chosen.ok ? event({ type: 'answer.tasks', tasks: chosen.value }) : problem(`${chosen.problem} Kies één of meer taken.`);
      }
      case 'supportForm':
        return one(GV_FORM_OPTIONS, (form) => ({ type: 'answer.supportForm', form }), 'de vorm van ondersteuning');
      case 'hours': {
        const hours = parseNumber(value);
        if (hours === undefined || hours < 0.5 || hours > GV_MAX_HOURS) {
          return problem(`Typ een aantal uren per week van 0,5 tot en met ${GV_MAX_HOURS}, bijvoorbeeld 4 of 4,5.`);
        }
        return event({ type: 'answer.hours', hours: Math.round(hours * 2) / 2 });
      }
      case 'duration': {
        const said = normalize(value);
        const months = /half jaar/.test(said) ? 6 : /^(een |1 )?jaar$/.test(said) ? 12 : parseNumber(said.replace(/maanden?|mnd/, ''));
        if (months === undefined || !Number.isInteger(months) || months < 1 || months > GV_MAX_MONTHS) {
          return problem(`Typ een aantal maanden van 1 tot en met ${GV_MAX_MONTHS}, bijvoorbeeld 6.`);
        }
        return event({ type: 'answer.duration', months });
      }
      case 'cause':
        return one(GV_CAUSE_OPTIONS, (cause) => ({ type: 'answer.cause', cause }), 'de aanleiding');
      case 'toGezinsverzorger':
        return problem('');
      case 'explanation': {
        if (cardGroup(state, context).length > 1 && input.value && 'name' in input.value) {
          return together([answer('explanation', value, { ...input, value: undefined }, context), answer('contact', undefined, input, context)]);
        }
        if (value.length > EXPLANATION_MAX_LENGTH) {
          return problem(
            `Je toelichting is ${value.length} tekens; het maximum is ${EXPLANATION_MAX_LENGTH}. Je tekst staat hieronder nog: maak hem ${value.length - EXPLANATION_MAX_LENGTH} tekens korter en kies Verder.`,
          );
        }
        const skip = value === '' || ['overslaan', 'geen', 'nee', 'niets', 'geen toelichting'].includes(normalize(value));
        return event({ type: 'answer.explanation', explanation: skip ? null : value });
      }
      case 'contact': {
        if (!input.value) return problem('Vul de contactgegevens in op de kaart en kies Verder.');
        const contact = parseContact(input.value);
        return contact.ok ? event({ type: 'answer.contact', contact: contact.value, ...(professionals.length > 0 ? { eerderBegeleidDoor: earlierChosen(input, professionals) ?? null } : {}) }) : problem(contact.problem);
      }
      case 'summary': {
        const word = normalize(value);
        if (['versturen', 'verstuur', 'verzenden', 'ja', 'klopt', 'akkoord'].includes(word)) return event({ type: 'summary.submit' });
        if (['wijzigen', 'wijzig', 'aanpassen', 'veranderen'].includes(word)) return event({ type: 'summary.edit' });
        return problem('Kies Versturen, Wijzigen of Annuleren.');
      }
      case 'confirmCancel': {
        const yes = parseYesNo(value);
        if (yes === undefined) return problem('Kies "Ja, stoppen" of "Nee, terug naar de samenvatting".');
        return event({ type: yes ? 'nav.cancel' : 'nav.back' });
      }
      case 'editMenu':
        return one(editOptions(context), (step) => ({ type: 'edit.step', step }), 'wat je wilt wijzigen');
    }
  }

  /**
   * A typed sentence that is no answer to the question but a command ("ik wil terug", "stopen", "wijzig de wijk").
   * Never at a step whose answer is the referrer's own free text: there only the exact words count.
   */
  function typedIntent(state: State, typed: string, context: IntakeContext, message: string): Interpretation<IntakeEvent> | undefined {
    if (FREE_TEXT_STATES.has(state)) return undefined;
    const recognized = recognizeIntent(typed);
    if (!recognized) return undefined;
    const draft = { value: typed };
    if (recognized.intent === 'wijzig' && (state === 'summary' || state === 'editMenu') && recognized.sure) {
      const step = recognized.subject ? parseOption(recognized.subject, editOptions(context)) : undefined;
      if (step) return { kind: 'event', event: { type: 'edit.step', step } };
      return state === 'summary' ? { kind: 'event', event: { type: 'summary.edit' } } : undefined;
    }
    const known = FLOW_COMMANDS[recognized.intent];
    if (known && recognized.sure) return { kind: 'event', event: { type: known.event } };
    if (known) return { kind: 'problem', message: `${message} Bedoel je: ${known.meaning}? Typ dan **${known.word}**.`, draft };
    if (recognized.intent === 'wijzig') return undefined;
    return { kind: 'problem', message: `${message} Je bent nu bezig met een aanmelding: maak die eerst af, of typ **stop** om te stoppen.`, draft };
  }

  return {
    id: kind,
    version: 2,
    machine,
    input: (instanceId, referrer) => ({
      intakeId: instanceId,
      // A casemanager's request knows its role; the intake takes a huisarts's or POH's from the team configuration.
      ...(kind === 'intake' && referrer?.role ? { role: referrer.role } : {}),
      ...(referrer?.praktijk || referrer?.wijk || referrer?.gezinsverzorgerRole
        ? { referrer: { praktijk: referrer.praktijk, wijk: referrer.wijk, ...(referrer.gezinsverzorgerRole ? { gezinsverzorgerRole: referrer.gezinsverzorgerRole } : {}) } }
        : {}),
    }),
    instanceOf: (snapshot) => snapshot.context.intakeId,

    restore(persisted) {
      const parsed = PersistedIntakeSchema.safeParse(persisted);
      if (!parsed.success) return undefined;
      // Answers must still fit the configuration (a wijk or criterion may have been removed since).
      const { context } = parsed.data;
      if (context.wijk !== undefined && !config.wijken.includes(context.wijk)) return undefined;
      if (context.criteria?.some((id) => !config.criteria.some((c) => c.id === id))) return undefined;
      return machine.resolveState({ value: parsed.data.value as State, context });
    },

    interpret(snapshot, input) {
      const state = snapshot.value as State;
      const context = snapshot.context;
      if (input.value !== undefined) {
        const data = CardDataSchema.safeParse(input.value);
        if (!data.success || data.data.flow !== kind) return { kind: 'problem', message: 'Die kaart kan ik hier niet verwerken.' };
        if (data.data.instance !== context.intakeId || data.data.step !== state) return { kind: 'stale' };
        switch (data.data.action) {
          case 'back':
            return { kind: 'event', event: { type: 'nav.back' } };
          case 'cancel':
            return { kind: 'event', event: { type: 'nav.cancel' } };
          case 'help':
            return { kind: 'event', event: { type: 'help' } };
          case 'submit':
            return { kind: 'event', event: { type: 'summary.submit' } };
          case 'edit':
            return { kind: 'event', event: { type: 'summary.edit' } };
          case 'anonymous':
            return { kind: 'event', event: { type: 'consent.anonymous', at: input.at.toISOString() } };
          case 'answer': {
            const answered = answer(state, data.data.value, input, context);
            return answered.kind === 'problem' ? { ...answered, draft: draftOf(input.value) } : answered;
          }
        }
      }
      const typed = input.text ?? '';
      const command = parseCommand(typed);
      if (command) return { kind: 'event', event: { type: command } };
      const answered = answer(state, typed, input, context);
      if (answered.kind !== 'problem') return answered;
      return typedIntent(state, typed, context, answered.message) ?? { ...answered, draft: { value: typed } };
    },

    render(snapshot, note) {
      return [renderCard(snapshot, config, praktijken, note, professionals)];
    },

    recordOf(snapshot, { ack, outcome }) {
      const line =
        outcome === 'verstuurd'
          ? // The short acute form has no summary: what was sent is the form itself.
            String(snapshot.value) === 'spoedForm'
            ? 'Spoedmelding verstuurd.'
            : 'Samenvatting gecontroleerd en verstuurd.'
          : outcome === 'gestopt'
            ? 'Gestopt: er is niets bewaard en niets verstuurd.'
            : (ack ?? promptFor(snapshot.value as State, snapshot.context, config, praktijken).question);
      return { card: adaptiveCard([text(line, { size: 'Small', subtle: ack === undefined && outcome === undefined })]) };
    },

    /** "Genoteerd: ..." for the answer that moved the flow from previous to next. */
    acknowledgement(previous, next) {
      if (String(previous.value) === 'service') return 'Genoteerd: je meldt het gezin aan voor een gezinscoach.';
      // "Zorgen, maar niet acuut" is no plain "Nee": where the referrer stands in the meldcode is asked next.
      if (String(previous.value) === 'safety' && String(next.value) === 'safetySignal') return 'Genoteerd: zorgen over veiligheid: Niet acuut';
      const step = stepOf(String(previous.value));
      if (!step || step === 'summary') return undefined;
      // One card may have answered several questions: every step from this one up to the next question.
      const steps = editableSteps(next.context);
      const until = stepOf(String(next.value));
      const from = steps.indexOf(step);
      // Up to the summary: every step that was left. To a state that is no step (the short acute form): this one only.
      const to = until === 'summary' ? steps.length : until === undefined ? from + 1 : steps.indexOf(until);
      const answered = !previous.context.editing && from >= 0 && to > from ? steps.slice(from, to) : [step];
      const rows = answered.flatMap((s) => factsOf(s, next.context, config));
      // Within one step: its first question leading to a follow-up ("Wat heb je al gedaan?" after acute zorgen), or the
      // follow-up answered. Each notes its own answer, not the other's (asked again after "terug" they would repeat).
      const within = answered.length === 1 && (String(previous.value) !== step || until === step);
      const shown = within ? ownFacts(rows, factsOf(step, previous.context, config), String(previous.value) === step) : rows;
      return `Genoteerd: ${shown.map(([title, value]) => `${title.toLowerCase()}: ${value.replace(/\.$/, '')}`).join('; ')}`;
    },
  };
}

/**
 * What one question of a step with a follow-up noted: the step's first question its first fact (the follow-up's fact,
 * still there from before "terug", is asked again next); the follow-up what it added, or, answered the same as
 * before, what follows the first fact. All facts when that leaves nothing.
 */
function ownFacts(rows: [string, string][], before: [string, string][], firstQuestion: boolean): [string, string][] {
  if (firstQuestion) return rows.slice(0, 1);
  const known = new Set(before.map((row) => row.join('\u0000')));
  const added = rows.filter((row) => !known.has(row.join('\u0000')));
  const own = added.length > 0 ? added : rows.slice(1);
  return own.length > 0 ? own : rows;
}

/** Steps whose answer is the referrer's own words: a sentence there is an answer, never a command. */
const FREE_TEXT_STATES: ReadonlySet<State> = new Set<State>(['explanation', 'goal']);

/** Commands inside a flow, and how a guess at one is asked about. */
const FLOW_COMMANDS: Partial<Record<Intent, { event: 'nav.back' | 'nav.cancel' | 'help'; meaning: string; word: string }>> = {
  back: { event: 'nav.back', meaning: 'terug naar de vorige vraag', word: 'terug' },
  stop: { event: 'nav.cancel', meaning: 'de aanmelding stoppen', word: 'stop' },
  help: { event: 'help', meaning: 'uitleg bij deze vraag', word: 'help' },
};

/** What can be changed from the summary, by its title or a word for it ("wijk", "leeftijden"). */
function editOptions(context: IntakeContext): Option<EditableStep>[] {
  return editableSteps(context).map((step) => ({ value: step, title: STEP_TITLES[step], aliases: EDIT_ALIASES[step] }));
}

/** The text values a card sent, to show them again when it is asked again. */
function draftOf(value: Record<string, unknown> | undefined): Record<string, string> {
  const META = ['flow', 'instance', 'step', 'action'];
  return Object.fromEntries(Object.entries(value ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && !META.includes(entry[0])));
}

const EDIT_ALIASES: Record<EditableStep, string[]> = {
  goal: ['doel', 'plan'],
  tasks: ['taken'],
  supportForm: ['vorm', 'ondersteuning'],
  hours: ['uren', 'uur'],
  duration: ['duur', 'maanden'],
  cause: ['aanleiding', 'oorzaak', 'doelgroep'],
  role: ['rol', 'functie'],
  safety: ['veiligheid', 'acute zorgen', 'acute zorg'],
  children: ['kinderen', 'leeftijden', 'leeftijd'],
  consent: ['toestemming'],
  household: ['gezin', 'gezinssamenstelling', 'samenstelling'],
  wijk: ['wijk', 'dorp', 'woonplaats'],
  hoofdvraag: ['hoofdvraag', 'leefgebieden', 'vraag'],
  criteria: ['complexiteit', 'criteria', 'punten'],
  specialist: ['specialistische zorg', 'specialist', 'jeugdhulp'],
  explanation: ['toelichting', 'tekst'],
  contact: ['contact', 'contactgegevens', 'telefoon', 'adres'],
};

/** The short acute form's four fields; every problem named at once, so one correction is enough. */
function parseSpoedForm(value: Record<string, unknown>, wijkOptions: Option[]) {
  const field = (key: string) => (typeof value[key] === 'string' ? (value[key] as string).trim() : '');
  const problems: string[] = [];
  const children = parseChildren(field('children'));
  if (!children.ok) problems.push(field('children') === '' ? 'Vul de leeftijden van de kinderen in.' : children.problem);
  const wijk = parseOption(field('wijk'), wijkOptions);
  if (wijk === undefined) problems.push('Kies een wijk of dorp uit de lijst.');
  const situation = field('situation').replace(/\s+/g, ' ').trim();
  if (situation.length < 3) problems.push('Beschrijf in een paar woorden wat er speelt.');
  else if (situation.length > SPOED_SITUATION_MAX_LENGTH) problems.push(`Wat er speelt is ${situation.length} tekens; houd het op één regel (hoogstens ${SPOED_SITUATION_MAX_LENGTH}).`);
  const phone = field('phone');
  if (!PHONE_PATTERN.test(phone)) problems.push(phone === '' ? 'Vul je telefoonnummer in, zodat de jeugdconsulent je kan terugbellen.' : 'Je telefoonnummer klopt niet. Gebruik cijfers, bijvoorbeeld 06 12345678.');
  if (problems.length > 0 || !children.ok || wijk === undefined) return { ok: false as const, problem: problems.join(' ') };
  return { ok: true as const, value: { children: children.value, wijk, situation, referrerPhone: phone } };
}

/** Ages as the referrer would type them again: "3, 7 en zwanger". */
function childrenAsTyped(children: IntakeContext['children'] & object): string {
  return listNl(children.map((c) => ('expected' in c ? 'zwanger' : String(c.age))));
}

const CONTACT_PROBLEMS: Record<string, string> = {
  name: 'Vul de naam van de ouder of jongere in (minstens 2 tekens).',
  phone: 'Het telefoonnummer klopt niet. Gebruik cijfers, bijvoorbeeld 06 12345678.',
  email: 'Het e-mailadres klopt niet, bijvoorbeeld naam@voorbeeld.nl.',
  address: 'Het adres is te lang.',
};

function parseContact(value: Record<string, unknown>) {
  const field = (key: string) => {
    const v = value[key];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const parsed = ContactDetailsSchema.safeParse({ name: field('name') ?? '', phone: field('phone'), email: field('email'), address: field('address') });
  if (parsed.success) return { ok: true as const, value: parsed.data as ContactDetails };
  const missingReach = parsed.error.issues.some((i) => i.code === 'custom');
  const fields = [...new Set(parsed.error.issues.filter((i) => i.code !== 'custom').map((i) => String(i.path[0])))];
  const messages = fields.map((f) => CONTACT_PROBLEMS[f] ?? `${f} klopt niet.`);
  if (missingReach) messages.push('Vul een telefoonnummer of een e-mailadres in.');
  return { ok: false as const, problem: messages.join(' ') };
}
