import {
  AanmeldingSchema,
  CLOSE_REASONS,
  GV_CAUSE_IDS,
  GV_CAUSES,
  GV_SUPPORT_FORMS,
  GV_TASKS,
  HOUSEHOLDS,
  LEEFGEBIEDEN,
  SAFETY_ACTIONS,
  WAITLIST_REASONS,
  type Aanmelding,
  type AanmeldingAnswers,
  type CaseEvent,
  type CaseStatus,
  type Child,
  type Consent,
  type ReferrerRole,
} from '../data/aanmelding.schema.js';
import type { AuditEvent } from '../data/audit-log.js';
import type { GemeenteConfig } from '../data/gemeente.config.js';
import { purgeOf, referenceFor } from '../data/referral.store.js';
import { appendReferrals, type AppendBatch } from '../data/store-dump.js';
import type { Stores } from '../data/stores.js';
import type { Professional, TeamConfig } from '../data/team.config.js';
import { consentGivers } from '../machines/consent.js';
import { addMonths, localDate } from '../machines/dates.js';
import { caseloads, rolesForRoute } from '../machines/referral-case.js';
import { DEFAULT_RETENTION_MONTHS, purgeDueAt } from '../machines/retention.js';
import { routeFor } from '../machines/triage.js';
import { SCHEDULED_PURGE } from './retention.js';

/**
 * Made-up aanmeldingen for trying the bot and for benchmarks (`npm run seed`): obviously invented families
 * ("Testgezin Voorbeeld 123", phone 06 00000123) and referrers ("Testverwijzer Voorbeeld 7"), with a spread over
 * routes, wijken (of the gemeente configuration), statuses and years. Deterministic: the same count, seed and `now`
 * (and the same counters in the store) give the same records.
 *
 * Like a real team, the work in hand does not grow with the history: whatever the count, about `openCases`
 * (default 150) of the newest are open; the rest are closed, and those closed longer ago than the retention period
 * are purged exactly as the bot's retention does (purgeOf). Open cases are only assigned to a professional of the
 * team with room under their capacity (maxCases); otherwise they wait on the waiting list. Every change in a
 * case's history has its audit entry (and every purge its 'aanmelding.opgeschoond'), chained after the log's tail.
 *
 * One liberty: aanmeldingen the team never sees (buiten-doelgroep, toestemming-nodig) cannot be closed through the
 * bot; older ones are closed here by the coordinator, or they would pile up as open cases.
 */

export interface SeedOptions {
  config: GemeenteConfig;
  team: TeamConfig;
  /** Different seeds give different aanmeldingen (default 1). */
  seed?: number;
  /** The dates go backwards from here (default: now). */
  now?: Date;
  /** Over how many years (default: one per 1,000 aanmeldingen, at least 1 and at most 10). */
  years?: number;
  /** How many of them are still open (default 150, or 30% of a smaller count). */
  openCases?: number;
  /** Closed cases older than this are purged (default 24, as RETENTION_MONTHS). */
  retentionMonths?: number;
  /** Active cases per professional already in the store (their capacity is shared). */
  loads?: ReadonlyMap<string, number>;
  /** The audit entries' source (default 'npm run seed'). */
  source?: string;
  /**
   * The team's channel, when the aanmeldingen for the team should count as posted there already (a store with a
   * linked channel, as the benchmark uses): each gets its post and an 'aanmelding.geplaatst' entry.
   */
  postedTo?: { service: 'gezinscoach' | 'gezinsverzorger'; conversationId: string; serviceUrl: string }[];
}

export interface SeedSummary {
  count: number;
  open: number;
  purged: number;
  perStatus: Record<CaseStatus, number>;
  perRoute: Record<string, number>;
  first?: string;
  last?: string;
  auditEntries: number;
  durationMs: number;
}

const DAY = 86_400_000;
const MINUTE = 60_000;
export const DEFAULT_OPEN_CASES = 150;

// ---------------------------------------------------------------------------------------------------------------
// A small deterministic random source (mulberry32)

interface Random {
  (): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  weighted<T extends string>(weights: Partial<Record<T, number>>): T;
  chance(p: number): boolean;
  some<T>(items: readonly T[], min: number, max: number): T[];
}

function random(seed: number): Random {
  let state = seed >>> 0 || 0x5eed;
  const next = (() => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Random;
  next.int = (min, max) => min + Math.floor(next() * (max - min + 1));
  next.pick = (items) => items[Math.floor(next() * items.length)]!;
  next.chance = (p) => next() < p;
  next.weighted = (weights) => {
    const entries = Object.entries(weights) as [never, number][];
    let roll = next() * entries.reduce((sum, [, w]) => sum + w, 0);
    for (const [key, w] of entries) if ((roll -= w) < 0) return key;
    return entries.at(-1)![0];
  };
  next.some = (items, min, max) => {
    const pool = [...items];
    const n = Math.min(pool.length, next.int(min, max));
    const chosen: (typeof items)[number][] = [];
    for (let i = 0; i < n; i++) chosen.push(pool.splice(Math.floor(next() * pool.length), 1)[0]!);
    return chosen;
  };
  return next;
}

// ---------------------------------------------------------------------------------------------------------------
// Made-up people and texts

const REFERRER_ROLE_CYCLE: ReferrerRole[] = ['huisarts', 'poh', 'jgz', 'huisarts', 'school', 'casemanager', 'poh', 'soj', 'huisarts', 'jgz', 'casemanager', 'ouder', 'school', 'anders'];

interface SeedReferrer {
  identity: { id: string; aadObjectId: string; name: string };
  role: ReferrerRole;
  conversationId: string;
  praktijk?: string;
}

/** 42 made-up referrers: aadObjectIds 5eed0000-0000-4000-8000-0000000000NN never belong to a real person. */
const REFERRERS: SeedReferrer[] = Array.from({ length: 42 }, (_, i) => {
  const n = i + 1;
  const role = REFERRER_ROLE_CYCLE[i % REFERRER_ROLE_CYCLE.length]!;
  return {
    identity: { id: `29:testverwijzer-${n}`, aadObjectId: `5eed0000-0000-4000-8000-${String(n).padStart(12, '0')}`, name: `Testverwijzer Voorbeeld ${n}` },
    role,
    conversationId: `a:testverwijzer-${n}`,
    ...(role === 'huisarts' || role === 'poh' ? { praktijk: `Testpraktijk Voorbeeld ${(n % 5) + 1}` } : {}),
  };
});

const CASEMANAGERS = REFERRERS.filter((r) => r.role === 'casemanager');

const EXPLANATIONS = [
  'ouders vragen hulp bij slapen en grenzen stellen.',
  'moeder is overbelast en zoekt steun bij de opvoeding.',
  'zorgen over schoolverzuim van het oudste kind.',
  'spanningen na de scheiding; de omgang loopt moeizaam.',
  'het gezin heeft schulden en weinig netwerk.',
  'vader vraagt hulp bij de structuur van de dag.',
  'jongere trekt zich terug; ouders weten niet hoe ze het gesprek aangaan.',
];
const GOALS = [
  'het huishouden draait weer zonder hulp.',
  'de kinderen gaan op tijd en verzorgd naar school.',
  'ouder herstelt na de operatie en pakt de zorg weer op.',
  'er is een vaste dagstructuur die het gezin zelf volhoudt.',
];
const QUESTIONS = ['kunt u de hulpvraag iets toelichten?', 'is er al eerder hulp geweest?', 'wanneer is het gezin het best bereikbaar?'];
const ANSWERS = ['ja, zie de toelichting in het dossier.', 'er is eerder kort hulp geweest via school.', 'het best op dinsdag of donderdag.'];

// ---------------------------------------------------------------------------------------------------------------
// The generator

type Profile = 'gezinscoach' | 'complex' | 'specialist' | 'veiligheid' | 'gezinsverzorger' | 'buiten-doelgroep';

export function defaultYears(count: number): number {
  return Math.min(10, Math.max(1, Math.ceil(count / 1000)));
}

export function defaultOpenCases(count: number): number {
  return Math.min(DEFAULT_OPEN_CASES, Math.ceil(count * 0.3));
}

/**
 * `count` made-up aanmeldingen with references that continue `sequences` (the store's counters), oldest first,
 * with their audit events in time order: what appendReferrals writes.
 */
export function generateAanmeldingen(count: number, options: SeedOptions, sequences: Record<string, number> = {}): AppendBatch {
  const { config, team } = options;
  const now = options.now ?? new Date();
  const rnd = random(options.seed ?? 1);
  const years = options.years ?? defaultYears(count);
  const openTarget = Math.min(count, options.openCases ?? defaultOpenCases(count));
  const months = options.retentionMonths ?? DEFAULT_RETENTION_MONTHS;
  const source = options.source ?? 'npm run seed';
  const loads = new Map(options.loads ?? []);
  const coordinators = team.coordinators;
  const standalone = config.criteria.filter((c) => !c.onlyInCombination).map((c) => c.id);
  const combined = config.criteria.filter((c) => c.onlyInCombination).map((c) => c.id);
  const allCriteria = config.criteria.map((c) => c.id);
  const offersGv = config.services.includes('gezinsverzorger');
  const today = localDate(now);

  // When: working hours on weekdays, spread over the years before now; oldest first.
  const times = Array.from({ length: count }, () => {
    const at = new Date(now.getTime() - rnd() * years * 365 * DAY);
    at.setUTCHours(rnd.int(7, 15), rnd.int(0, 59), rnd.int(0, 59), 0);
    const weekday = at.getUTCDay();
    if (weekday === 6 || weekday === 0) at.setTime(at.getTime() - (weekday === 6 ? 1 : 2) * DAY);
    return at.getTime() >= now.getTime() ? now.getTime() - rnd.int(1, 120) * MINUTE : at.getTime();
  }).sort((a, b) => a - b);

  // Which are open: about openTarget among the newest.
  const open = new Array<boolean>(count).fill(false);
  for (let i = count - 1, opened = 0; i >= 0 && opened < openTarget; i--) {
    if (rnd.chance(0.7) || count - i <= openTarget - opened) {
      open[i] = true;
      opened++;
    }
  }

  const counters = { ...sequences };
  const referrals: Aanmelding[] = [];
  const audit: { event: AuditEvent; at: Date; order: number }[] = [];

  for (let i = 0; i < count; i++) {
    const n = i + 1;
    const createdAt = new Date(times[i]!);
    const year = String(createdAt.getUTCFullYear());
    const reference = referenceFor(year, (counters[year] = (counters[year] ?? 0) + 1));

    // What the referrer answered
    const profile = rnd.weighted<Profile>({
      gezinscoach: 46,
      complex: 18,
      specialist: 10,
      veiligheid: 3,
      gezinsverzorger: offersGv ? 9 : 0,
      'buiten-doelgroep': 4,
    });
    const referrer = rnd.pick(profile === 'gezinsverzorger' ? CASEMANAGERS : REFERRERS);
    const consent: Consent =
      profile === 'veiligheid' ? rnd.weighted<Consent>({ ja: 5, anoniem: 2, nee: 3 }) : profile === 'gezinsverzorger' ? 'ja' : rnd.chance(0.12) ? 'anoniem' : 'ja';
    const children = childrenFor(rnd, profile === 'buiten-doelgroep', config.ageLimit);
    const criteria =
      profile === 'gezinscoach'
        ? combined.length && rnd.chance(0.08)
          ? [rnd.pick(combined)]
          : []
        : profile === 'complex'
          ? [...rnd.some(standalone, 1, 3), ...(combined.length && rnd.chance(0.15) ? [rnd.pick(combined)] : [])]
          : rnd.some(allCriteria, 0, 2);
    const safety = profile === 'veiligheid' ? { concern: true, action: rnd.pick(SAFETY_ACTIONS) } : { concern: false };
    const specialistCareNeeded = profile === 'specialist';
    const service = profile === 'gezinsverzorger' ? 'gezinsverzorger' : 'gezinscoach';
    const triage = routeFor({ service, consent, safetyConcern: safety.concern, children, criteria, specialistCareNeeded }, config);
    const cause = rnd.pick(GV_CAUSE_IDS);
    const answers: AanmeldingAnswers = {
      service,
      safety,
      children,
      consent: {
        referral: consent,
        givenBy: consentGivers(children),
        feedbackToHuisarts: consent === 'ja' && rnd.chance(0.6),
        recordedAt: new Date(createdAt.getTime() - rnd.int(2, 20) * MINUTE).toISOString(),
      },
      household: rnd.weighted<(typeof HOUSEHOLDS)[number]>({
        'ouders-met-kinderen': 40,
        'alleenstaande-moeder': 22,
        'gescheiden-ouders': 16,
        'samengesteld-gezin': 10,
        'alleenstaande-vader': 6,
        anders: 6,
      }),
      // The first wijk (usually the kern) is the largest.
      wijk: rnd.chance(0.25) ? config.wijken[0]! : rnd.pick(config.wijken),
      hoofdvraag: profile === 'gezinsverzorger' ? ['praktisch', ...rnd.some(LEEFGEBIEDEN.filter((l) => l !== 'praktisch'), 0, 1)] : rnd.some(LEEFGEBIEDEN, 1, 3),
      criteria,
      specialistCareNeeded,
      ...(rnd.chance(0.85) ? { explanation: `Verzonnen testaanmelding: ${rnd.pick(EXPLANATIONS)}` } : {}),
      ...(consent === 'ja'
        ? {
            contact: {
              name: `Testgezin Voorbeeld ${n}`,
              phone: `06 00000${String(n % 1000).padStart(3, '0')}`,
              ...(rnd.chance(0.3) ? { email: `testgezin${n}@voorbeeld.invalid` } : {}),
            },
          }
        : {}),
      ...(service === 'gezinsverzorger'
        ? {
            gezinsverzorger: {
              goal: `Verzonnen testdoel: ${rnd.pick(GOALS)}`,
              tasks: rnd.some(GV_TASKS, 1, 3),
              supportForm: rnd.pick(GV_SUPPORT_FORMS),
              hoursPerWeek: rnd.pick([2, 4, 6, 8, 10, 12]),
              durationMonths: rnd.int(3, 12),
              cause,
              targetGroup: GV_CAUSES[cause],
            },
          }
        : {}),
    };

    // What happened to it since
    const life = new Life(createdAt, now, rnd);
    const route = triage.route;
    const forTeam = route !== 'buiten-doelgroep' && route !== 'toestemming-nodig';
    const coordinator = rnd.pick(coordinators);
    const coordinatorActor = { aadObjectId: coordinator.aadObjectId, name: coordinator.name };
    const fitting = team.professionals.filter((p) => rolesForRoute(route).includes(p.role));
    const linkedFirst = [...fitting.filter((p) => p.wijken.includes(answers.wijk)), ...fitting.filter((p) => !p.wijken.includes(answers.wijk))];
    const history: CaseEvent[] = [
      { at: createdAt.toISOString(), action: 'aangemaakt', by: { aadObjectId: referrer.identity.aadObjectId, name: referrer.identity.name } },
    ];
    const state: Partial<Pick<Aanmelding, 'assignee' | 'waitlist' | 'closure' | 'evaluation'>> & { status: CaseStatus; questions: Aanmelding['questions'] } = {
      status: 'nieuw',
      questions: [],
    };
    const assign = (professional: Professional, at: Date, ongoing: boolean) => {
      const selfClaimed = rnd.chance(0.5);
      history.push(
        selfClaimed
          ? { at: at.toISOString(), action: 'opgepakt', by: actorOf(professional), detail: `opgepakt door ${professional.name}` }
          : { at: at.toISOString(), action: 'toegewezen', by: coordinatorActor, detail: `toegewezen aan ${professional.name} door ${coordinator.name}` },
      );
      state.status = 'toegewezen';
      state.assignee = { aadObjectId: professional.aadObjectId, name: professional.name, role: professional.role };
      delete state.waitlist;
      if (route === 'gezinsverzorger' && ongoing) {
        let dueOn = addMonths(localDate(at), config.evaluatieNaMaanden);
        // Evaluations in the past went on ("doorgaan"): the next one is after today.
        while (dueOn <= today) dueOn = addMonths(dueOn, config.evaluatieNaMaanden);
        state.evaluation = { dueOn };
      }
    };
    const waitlist = (at: Date, reason: (typeof WAITLIST_REASONS)[number]) => {
      history.push({ at: at.toISOString(), action: 'wachtlijst', by: coordinatorActor, detail: `op de wachtlijst gezet door ${coordinator.name}` });
      state.status = 'wachtlijst';
      state.waitlist = { reason, since: at.toISOString() };
    };
    const ask = (at: Date) => {
      const by = state.assignee ? { aadObjectId: state.assignee.aadObjectId, name: state.assignee.name } : coordinatorActor;
      history.push({ at: at.toISOString(), action: 'vraag', by, detail: `meer informatie gevraagd door ${by.name}` });
      state.questions.push({ id: `vraag-${reference}-1`, askedBy: by, question: `Verzonnen testvraag: ${rnd.pick(QUESTIONS)}`, askedAt: at.toISOString() });
      state.status = 'meer-informatie';
    };
    const answer = (at: Date) => {
      history.push({ at: at.toISOString(), action: 'antwoord', by: history[0]!.by, detail: 'informatie aangevuld door de verwijzer' });
      state.questions = state.questions.map((q) => ({ ...q, answer: `Verzonnen testantwoord: ${rnd.pick(ANSWERS)}`, answeredAt: at.toISOString() }));
      state.status = state.assignee ? 'toegewezen' : state.waitlist ? 'wachtlijst' : 'nieuw';
    };
    const withRoom = () => linkedFirst.find((p) => (loads.get(p.aadObjectId) ?? 0) < p.capacity.maxCases);

    // A case made a moment ago cannot have been closed yet.
    if (open[i] || now.getTime() - createdAt.getTime() < 10 * MINUTE) {
      if (forTeam) {
        const wanted = rnd.weighted<CaseStatus>({ nieuw: 22, toegewezen: 50, wachtlijst: 16, 'meer-informatie': 12 });
        const professional = wanted === 'toegewezen' || (wanted === 'meer-informatie' && rnd.chance(0.4)) ? withRoom() : undefined;
        const steps = life.steps(wanted === 'nieuw' ? 0 : 2, 10 * DAY);
        if (wanted === 'toegewezen' && !professional) waitlist(steps[0]!, 'geen-ruimte');
        else if (wanted === 'wachtlijst') waitlist(steps[0]!, rnd.weighted({ 'geen-ruimte': 60, 'gezin-later': 20, 'wacht-op-overleg': 15, anders: 5 }));
        if (professional) {
          assign(professional, steps[0]!, true);
          loads.set(professional.aadObjectId, (loads.get(professional.aadObjectId) ?? 0) + 1);
        }
        if (wanted === 'meer-informatie') ask(steps[1]!);
      }
    } else if (!forTeam || linkedFirst.length === 0) {
      const [closedAt] = life.steps(1, 30 * DAY);
      history.push({ at: closedAt!.toISOString(), action: 'afgesloten', by: coordinatorActor, detail: `afgesloten door ${coordinator.name}` });
      state.status = 'afgesloten';
      state.closure = { reason: route === 'buiten-doelgroep' ? 'doorverwezen-wijkteam' : 'anders', at: closedAt!.toISOString() };
    } else {
      const waited = rnd.chance(0.2);
      const asked = rnd.chance(0.12);
      const long = route === 'gezinsverzorger' ? 400 * DAY : 300 * DAY;
      const steps = life.steps(2 + Number(waited) + 2 * Number(asked), long);
      let s = 0;
      if (waited) waitlist(steps[s++]!, rnd.weighted({ 'geen-ruimte': 60, 'gezin-later': 20, 'wacht-op-overleg': 15, anders: 5 }));
      const professional = rnd.chance(0.7) ? linkedFirst[0]! : rnd.pick(linkedFirst);
      assign(professional, steps[s++]!, false);
      if (asked) {
        ask(steps[s++]!);
        answer(steps[s++]!);
      }
      const closedAt = steps[s]!;
      const reason = rnd.weighted<(typeof CLOSE_REASONS)[number]>({
        'doelen-behaald': 52,
        'doorverwezen-jeugdconsulent': route === 'jeugdconsulent' ? 0 : 9,
        'doorverwezen-wijkteam': 9,
        'doorverwezen-specialistisch': 9,
        'eenzijdig-gestopt': 13,
        anders: 8,
      });
      const afterEvaluation = route === 'gezinsverzorger' && rnd.chance(0.6);
      history.push({
        at: closedAt.toISOString(),
        action: 'afgesloten',
        by: actorOf(professional),
        detail: afterEvaluation ? `afgesloten na evaluatie door ${professional.name}` : `afgesloten door ${professional.name}`,
      });
      state.status = 'afgesloten';
      state.closure = { reason, at: closedAt.toISOString() };
    }

    const channel = forTeam ? options.postedTo?.find((c) => c.service === (route === 'gezinsverzorger' ? 'gezinsverzorger' : 'gezinscoach')) : undefined;
    const postedAt = new Date(createdAt.getTime() + MINUTE);
    const built = {
      ...(channel
        ? { post: { service: channel.service, conversationId: `${channel.conversationId};messageid=seed-${reference}`, activityId: `seed-${reference}`, serviceUrl: channel.serviceUrl, postedAt: postedAt.toISOString() } }
        : {}),
      reference,
      intakeId: `seed-${reference}`,
      createdAt: createdAt.toISOString(),
      updatedAt: history.at(-1)!.at,
      version: history.length,
      referrer,
      answers,
      triage,
      ...state,
      history,
    } as Aanmelding;
    for (const event of history) {
      audit.push({
        at: new Date(event.at),
        order: audit.length,
        event: {
          event: `aanmelding.${event.action}` as AuditEvent['event'],
          reference,
          actor: { id: event.by.aadObjectId, name: event.by.name },
          source,
          detail: event.action === 'aangemaakt' ? `route ${route}${triage.urgent ? ', spoed' : ''}` : event.detail,
        },
      });
    }
    if (channel) {
      audit.push({
        at: postedAt,
        order: audit.length,
        event: { event: 'aanmelding.geplaatst', reference, actor: { id: 'bot', name: 'Aanmeldbot' }, source: channel.conversationId, detail: `kanaal ${channel.service}` },
      });
    }
    // Validated once: by purgeOf (which parses what it returns) or here.
    let record: Aanmelding | undefined;
    const due = purgeDueAt(built, months);
    if (due && due.getTime() <= now.getTime()) {
      // The bot purges within 6 hours of the due moment.
      const purgedAt = new Date(Math.min(now.getTime(), due.getTime() + rnd.int(1, 360) * MINUTE));
      const purged = purgeOf(built, purgedAt);
      if (purged.purged) {
        record = purged.aanmelding;
        audit.push({
          at: purgedAt,
          order: audit.length,
          event: {
            event: 'aanmelding.opgeschoond',
            reference,
            actor: SCHEDULED_PURGE,
            source,
            detail: `identificerende gegevens verwijderd, ${months} maanden na afsluiten`,
          },
        });
      }
    }
    referrals.push(record ?? AanmeldingSchema.parse(built));
  }
  audit.sort((a, b) => a.at.getTime() - b.at.getTime() || a.order - b.order);
  return { referrals, audit: audit.map(({ event, at }) => ({ event, at })) };
}

const actorOf = (p: Professional) => ({ aadObjectId: p.aadObjectId, name: p.name });

function childrenFor(rnd: Random, outsideTargetGroup: boolean, ageLimit: number): Child[] {
  if (outsideTargetGroup) return Array.from({ length: rnd.int(1, 2) }, () => ({ age: rnd.int(ageLimit + 1, Math.min(ageLimit + 20, 120)) }));
  const count = Number(rnd.weighted({ 1: 40, 2: 35, 3: 17, 4: 8 }));
  const children: Child[] = [];
  for (let i = 0; i < count; i++) {
    if (i === 0 && rnd.chance(0.05)) children.push({ expected: true });
    else children.push({ age: rnd.chance(0.1) && ageLimit >= 18 ? rnd.int(18, ageLimit) : rnd.int(0, Math.min(17, ageLimit)) });
  }
  return children;
}

/** Moments in a case's life after its creation, never after now: when time is short, everything happens sooner. */
class Life {
  constructor(
    private readonly createdAt: Date,
    private readonly now: Date,
    private readonly rnd: Random,
  ) {}

  /** `n` increasing moments after createdAt, together about `typical` long, squeezed into the time there was. */
  steps(n: number, typical: number): Date[] {
    if (n === 0) return [];
    const room = this.now.getTime() - this.createdAt.getTime() - MINUTE;
    const gaps = Array.from({ length: n }, () => (0.1 + this.rnd()) * (typical / n));
    const total = gaps.reduce((a, b) => a + b, 0);
    const scale = total > room ? (room / total) * (0.5 + this.rnd() * 0.5) : 1;
    let at = this.createdAt.getTime();
    return gaps.map((gap) => new Date((at += Math.max(1000, Math.floor(gap * scale)))));
  }
}

/**
 * Adds `count` made-up aanmeldingen to the store, after what is there (references continue the store's counters;
 * the capacity the store's open cases take is respected), with their audit entries, in one write.
 */
export async function seedAanmeldingen(stores: Stores, count: number, options: SeedOptions): Promise<SeedSummary> {
  const started = performance.now();
  const loads = options.loads ?? caseloads(await stores.referrals.open());
  let batch: AppendBatch | undefined;
  const result = await appendReferrals(stores, ({ sequences }) => (batch = generateAanmeldingen(count, { ...options, loads }, sequences)));
  const referrals = batch!.referrals;
  const perStatus = { nieuw: 0, toegewezen: 0, wachtlijst: 0, 'meer-informatie': 0, afgesloten: 0 } satisfies Record<CaseStatus, number>;
  const perRoute: Record<string, number> = {};
  for (const a of referrals) {
    perStatus[a.status]++;
    perRoute[a.triage.route] = (perRoute[a.triage.route] ?? 0) + 1;
  }
  return {
    count: referrals.length,
    open: referrals.length - perStatus.afgesloten,
    purged: referrals.filter((a) => a.purgedAt !== undefined).length,
    perStatus,
    perRoute,
    first: referrals[0]?.reference,
    last: referrals.at(-1)?.reference,
    auditEntries: result.auditEntries,
    durationMs: performance.now() - started,
  };
}
