import type { Aanmelding, CaseStatus } from '../data/aanmelding.schema.js';
import { CASE_STATUSES, CLOSE_REASONS, LEEFGEBIEDEN, REFERRER_ROLES } from '../data/aanmelding.schema.js';
import { INTENSITIES, type Intensity } from '../data/gemeente.config.js';
import type { ProfessionalRole, TeamConfig } from '../data/team.config.js';
import { assignmentsOf, awaitsAgreement, intensityOf, loadsOf } from './referral-case.js';

/**
 * "Tellen en vertellen" (domain.md, Monitoring; seed 004, sturingsmatrix): the counts for a period [from, to],
 * both dates inclusive. Pure: the caller passes the records, the team and the current time.
 *
 * Decisions, so that every number can be explained:
 * - Dates are calendar days in Europe/Amsterdam: a referral at 23:30 Dutch time on `to` counts, one at 00:10 the
 *   day after does not.
 * - Instroom: every stored aanmelding whose createdAt falls in the period, except anonymous consultations (consent
 *   "anoniem": no family is referred), which are counted apart, in and out, under anoniemOverleg. A referral with
 *   several hoofdvragen counts once for each leefgebied.
 * - Age groups count children, not families: a family with a child of 2 and one of 9 adds one to 0–4 and one to
 *   4–12. The groups are the gemeente's (leeftijdsgroepen; default Venray's 0–4, 4–12, 12–23, Groningen 0–6, 6–12,
 *   12–18, 18–23). Groups are half-open: 0–4 is 0 up to 3 years, 4–12 is 4 up to 11, the last up to and including
 *   the age limit; older children count as "ouder-dan-<limit>" and a child on the way as "verwacht".
 * - Uitstroom: cases whose closure.at falls in the period; doorlooptijd is createdAt → closure.at in days.
 * - The "stand" (open cases per status, the waiting list, caseloads) is the records' current state, limited to
 *   cases created on or before the peilmoment: the end of `to`, or `now` when that is earlier. Waiting days are
 *   counted up to the peilmoment.
 * - Intensity (licht, waakvlam, complex-intensief) is part of the stand: the open cases someone has, each counted
 *   once (a keukentafelgesprek's two people too), against the team's norm for complex-intensief; each professional's
 *   waakvlam and complex-intensief cases are in their caseload row.
 * - Closures also count by receiving organisation (closure.referredTo), goals achieved (the share of the uitstroom
 *   closed as doelen-behaald) and client satisfaction (the mean of the marks 1–10 recorded at closure, with how many).
 * - Keukentafelgesprekken samen: those whose second person (gezinscoach and jeugdconsulent together, seed 004) came
 *   on in the period — the second pick-up or assignment in the history — and, in the stand, those running with both.
 * - Maatwerk beside the gezinscoach (seed 004: "maatwerkvoorziening en algemene voorziening gelijktijdig"): recorded
 *   with a start date; counted when that date is in the period, and in the stand while the case runs.
 */

/** The age groups of a gemeente: the ages they start at (gemeente configuration leeftijdsgroepen) and its age limit. */
export interface AgeGroups {
  leeftijdsgroepen: readonly number[];
  ageLimit: number;
}
/** The sturingsmatrix' groups of seed 004 (Venray): 0–4, 4–12, 12–23. */
export const DEFAULT_AGE_GROUPS: AgeGroups = { leeftijdsgroepen: [0, 4, 12], ageLimit: 23 };

/** The keys as the sturingsmatrix writes them ("0-4", "4-12", "12-23"), then older than the limit and on the way. */
export function ageGroupKeys(groups: AgeGroups = DEFAULT_AGE_GROUPS): string[] {
  const starts = groups.leeftijdsgroepen;
  return [...starts.map((from, i) => `${from}-${starts[i + 1] ?? groups.ageLimit}`), `ouder-dan-${groups.ageLimit}`, 'verwacht'];
}
export const AGE_GROUPS = ageGroupKeys();
export type AgeGroup = string;

const DAY_MS = 24 * 60 * 60 * 1000;
/** A period longer than this is refused: a typo like 2206 would otherwise make 2,000 months of rows. */
export const MAX_PERIOD_YEARS = 10;
const TIME_ZONE = 'Europe/Amsterdam';

export interface Period {
  /** YYYY-MM-DD, inclusive. */
  from: string;
  /** YYYY-MM-DD, inclusive. */
  to: string;
}

export type PeriodResult = { ok: true; period: Period } | { ok: false; problem: string };

/** Checks a period typed by a person (CLI, query string); the problems are Dutch. */
export function parsePeriod(from: string | undefined, to: string | undefined): PeriodResult {
  if (from === undefined || from === '') return { ok: false, problem: 'de begindatum (--from / from) ontbreekt' };
  if (to === undefined || to === '') return { ok: false, problem: 'de einddatum (--to / to) ontbreekt' };
  if (!isCalendarDate(from)) return { ok: false, problem: `begindatum "${from}" is geen geldige datum (JJJJ-MM-DD)` };
  if (!isCalendarDate(to)) return { ok: false, problem: `einddatum "${to}" is geen geldige datum (JJJJ-MM-DD)` };
  if (from > to) return { ok: false, problem: `de begindatum ${from} ligt na de einddatum ${to}` };
  if (Number(to.slice(0, 4)) - Number(from.slice(0, 4)) > MAX_PERIOD_YEARS) {
    return { ok: false, problem: `de periode mag hoogstens ${MAX_PERIOD_YEARS} jaar zijn` };
  }
  return { ok: true, period: { from, to } };
}

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export interface CaseloadRow {
  name: string;
  role: ProfessionalRole;
  activeCases: number;
  maxCases: number;
  maxWaakvlam: number;
  maxComplexIntensief: number;
  /** Their open cases of waakvlam and complex-intensief, against maxWaakvlam and maxComplexIntensief. */
  waakvlam: number;
  complexIntensief: number;
  hoursPerWeek: number;
  room: number;
}

export interface MonitoringReport {
  period: Period & { peilmoment: string };
  instroom: {
    total: number;
    /** Every month of the period, also the empty ones (YYYY-MM). */
    perMonth: Record<string, number>;
    perWijk: Record<string, number>;
    perReferrerRole: Record<string, number>;
    perHoofdvraag: Record<string, number>;
    perRoute: Record<string, number>;
    /** Per child (see above). */
    perAgeGroup: Record<AgeGroup, number>;
    children: number;
  };
  uitstroom: {
    total: number;
    perReason: Record<string, number>;
    leadTimeDays: { mean: number | null; median: number | null };
    /** Closure reasons doorverwezen-*, by where to. */
    doorverwezenNaar: Record<string, number>;
    /** Closed as eenzijdig-gestopt. */
    uitval: number;
    /** By receiving organisation (closure.referredTo), most first. */
    perOrganisatie: Record<string, number>;
    /** Closed as doelen-behaald, of the uitstroom; percentage null without uitstroom. */
    doelenBehaald: { count: number; of: number; percentage: number | null };
    /** Client satisfaction recorded at closure (1–10): the mean (null without marks) and how many marks. */
    tevredenheid: { mean: number | null; n: number };
  };
  /** Working together (seed 004, sturingsmatrix): keukentafelgesprekken with both people, maatwerk beside the gezinscoach. */
  samen: {
    /** Keukentafelgesprekken whose second person came on in the period. */
    keukentafelgesprekkenGestart: number;
    /** Maatwerk recorded with a start date in the period. */
    maatwerkIngezet: number;
  };
  stand: {
    openPerStatus: Record<Exclude<CaseStatus, 'afgesloten'>, number>;
    wachtlijst: { length: number; longestWaitDays: number | null };
    caseloads: CaseloadRow[];
    /** The open cases someone has, per intensity (seed 004, sturingsmatrix). */
    intensiteit: {
      perLevel: Record<Intensity, number>;
      /** Waakvlam or complex-intensief not yet agreed by the gedragswetenschapper. */
      wachtOpAkkoord: number;
      /** The team's norm for complex-intensief at the same time (team configuration normComplexIntensief). */
      normComplexIntensief: number;
    };
    /** Open keukentafelgesprekken with both people on them. */
    keukentafelgesprekkenSamen: number;
    /** Open cases with maatwerk running beside the gezinscoach (started on or before the peilmoment). */
    maatwerkTegelijk: number;
  };
  /** Anonymous consultations (consent "anoniem"): started and closed in the period, apart from in- and uitstroom. */
  anoniemOverleg: { instroom: number; uitstroom: number };
}

export interface MonitoringInput {
  aanmeldingen: readonly Aanmelding[];
  team: TeamConfig;
  period: Period;
  now: Date;
  /** The gemeente's age groups (default: the sturingsmatrix' 0–4, 4–12, 12–23). */
  ageGroups?: AgeGroups;
}

export function monitoringCounts({ aanmeldingen, team, period, now, ageGroups = DEFAULT_AGE_GROUPS }: MonitoringInput): MonitoringReport {
  const peilmoment = new Date(Math.min(now.getTime(), endOfDay(period.to)));
  const perMonth = Object.fromEntries(monthsOf(period).map((month) => [month, 0]));
  const perWijk: Record<string, number> = {};
  const perReferrerRole = zeros(REFERRER_ROLES);
  const perHoofdvraag = zeros(LEEFGEBIEDEN);
  const perRoute: Record<string, number> = {};
  const perAgeGroup = zeros(ageGroupKeys(ageGroups));
  const perReason = zeros(CLOSE_REASONS);
  const doorverwezenNaar: Record<string, number> = Object.fromEntries(
    CLOSE_REASONS.filter((r) => r.startsWith('doorverwezen-')).map((r) => [r.slice('doorverwezen-'.length), 0]),
  );
  const leadTimes: number[] = [];
  const perOrganisatie: Record<string, number> = {};
  const marks: number[] = [];
  const samen = { keukentafelgesprekkenGestart: 0, maatwerkIngezet: 0 };
  const inPeriod = (day: string) => day >= period.from && day <= period.to;
  let instroom = 0;
  let children = 0;
  const anoniemOverleg = { instroom: 0, uitstroom: 0 };

  for (const a of aanmeldingen) {
    const created = dayOf(a.createdAt);
    if (a.answers.consent?.referral === 'anoniem') {
      const closed = a.closure ? dayOf(a.closure.at) : undefined;
      if (created >= period.from && created <= period.to) anoniemOverleg.instroom++;
      if (closed !== undefined && closed >= period.from && closed <= period.to) anoniemOverleg.uitstroom++;
      continue;
    }
    if (created >= period.from && created <= period.to) {
      instroom++;
      perMonth[created.slice(0, 7)] = (perMonth[created.slice(0, 7)] ?? 0) + 1;
      add(perWijk, a.answers.wijk);
      add(perReferrerRole, a.referrer.role);
      for (const leefgebied of new Set(a.answers.hoofdvraag)) add(perHoofdvraag, leefgebied);
      add(perRoute, a.triage.route);
      for (const child of a.answers.children) {
        add(perAgeGroup, 'expected' in child ? 'verwacht' : ageGroupOf(child.age, ageGroups));
        children++;
      }
    }
    if (a.closure) {
      const closed = dayOf(a.closure.at);
      if (closed >= period.from && closed <= period.to) {
        add(perReason, a.closure.reason);
        if (a.closure.reason.startsWith('doorverwezen-')) add(doorverwezenNaar, a.closure.reason.slice('doorverwezen-'.length));
        leadTimes.push((Date.parse(a.closure.at) - Date.parse(a.createdAt)) / DAY_MS);
        if (a.closure.referredTo) add(perOrganisatie, a.closure.referredTo);
        if (a.closure.satisfaction !== undefined) marks.push(a.closure.satisfaction);
      }
    }
    const together = bothOnAt(a);
    if (together && inPeriod(dayOf(together))) samen.keukentafelgesprekkenGestart++;
    if (a.maatwerk && inPeriod(a.maatwerk.since)) samen.maatwerkIngezet++;
  }

  const stand = standAt(aanmeldingen, team, peilmoment);
  return {
    period: { ...period, peilmoment: peilmoment.toISOString() },
    instroom: { total: instroom, perMonth, perWijk: sortedByCount(perWijk), perReferrerRole, perHoofdvraag, perRoute: sortedByCount(perRoute), perAgeGroup, children },
    uitstroom: {
      total: leadTimes.length,
      perReason,
      leadTimeDays: { mean: round1(mean(leadTimes)), median: round1(median(leadTimes)) },
      doorverwezenNaar,
      uitval: perReason['eenzijdig-gestopt'],
      perOrganisatie: sortedByCount(perOrganisatie),
      doelenBehaald: {
        count: perReason['doelen-behaald'],
        of: leadTimes.length,
        percentage: leadTimes.length === 0 ? null : round1((perReason['doelen-behaald'] / leadTimes.length) * 100),
      },
      tevredenheid: { mean: round1(mean(marks)), n: marks.length },
    },
    samen,
    stand,
    anoniemOverleg,
  };
}

/**
 * When a keukentafelgesprek first had both its people: the second pick-up or assignment in its history (undefined
 * while it has one, or on another route).
 */
export function bothOnAt(a: Aanmelding): string | undefined {
  if (a.triage.route !== 'keukentafelgesprek' || !a.assignee || !a.coAssignee) return undefined;
  return a.history.filter((e) => e.action === 'opgepakt' || e.action === 'toegewezen')[1]?.at;
}

/** An open case as the coordinator's overview shows it: no name, contact or free text of the family. */
export interface OpenCase {
  reference: string;
  status: Exclude<CaseStatus, 'afgesloten'>;
  route: Aanmelding['triage']['route'];
  wijk: string;
  urgent: boolean;
  /** Who has the case (a professional, never the family), or null while nobody does. */
  assignee: string | null;
  /** Days from the aanmelding until someone picked it up, or until the peilmoment when nobody did yet. */
  waitingDays: number;
  onWachtlijst: boolean;
}

/** The open cases at the peilmoment, longest waiting first. */
export function openCases(aanmeldingen: readonly Aanmelding[], peilmoment: Date): OpenCase[] {
  const at = peilmoment.getTime();
  return aanmeldingen
    .filter((a) => a.status !== 'afgesloten' && Date.parse(a.createdAt) <= at)
    .map((a) => {
      const pickedUp = a.history.find((e) => e.action === 'opgepakt' || e.action === 'toegewezen');
      const until = pickedUp && a.assignee ? Math.min(Date.parse(pickedUp.at), at) : at;
      return {
        reference: a.reference,
        status: a.status as OpenCase['status'],
        route: a.triage.route,
        wijk: a.answers.wijk,
        urgent: a.triage.urgent,
        assignee: a.assignee?.name ?? null,
        waitingDays: Math.max(0, Math.floor((until - Date.parse(a.createdAt)) / DAY_MS)),
        onWachtlijst: isOnWachtlijst(a),
      };
    })
    .sort((x, y) => y.waitingDays - x.waitingDays || x.reference.localeCompare(y.reference));
}

function standAt(aanmeldingen: readonly Aanmelding[], team: TeamConfig, peilmoment: Date): MonitoringReport['stand'] {
  const at = peilmoment.getTime();
  const existing = aanmeldingen.filter((a) => Date.parse(a.createdAt) <= at);
  const openPerStatus = zeros(CASE_STATUSES.filter((s): s is Exclude<CaseStatus, 'afgesloten'> => s !== 'afgesloten'));
  let length = 0;
  let longest: number | null = null;
  for (const a of existing) {
    if (a.status !== 'afgesloten') openPerStatus[a.status]++;
    if (isOnWachtlijst(a) && a.waitlist && Date.parse(a.waitlist.since) <= at) {
      length++;
      longest = Math.max(longest ?? 0, Math.floor((at - Date.parse(a.waitlist.since)) / DAY_MS));
    }
  }
  const assignments = assignmentsOf(existing);
  const loads = loadsOf(assignments);
  const perLevel = zeros(INTENSITIES);
  let wachtOpAkkoord = 0;
  for (const a of existing) {
    if (a.status === 'afgesloten' || !a.assignee) continue;
    perLevel[intensityOf(a)]++;
    if (awaitsAgreement(a)) wachtOpAkkoord++;
  }
  const ofIntensity = (aadObjectId: string, intensity: Intensity) => assignments.filter((x) => x.aadObjectId === aadObjectId && x.intensity === intensity).length;
  return {
    openPerStatus,
    wachtlijst: { length, longestWaitDays: longest },
    caseloads: team.professionals.map((p) => {
      const activeCases = loads.get(p.aadObjectId) ?? 0;
      return {
        name: p.name,
        role: p.role,
        activeCases,
        ...p.capacity,
        waakvlam: ofIntensity(p.aadObjectId, 'waakvlam'),
        complexIntensief: ofIntensity(p.aadObjectId, 'complex-intensief'),
        room: Math.max(0, p.capacity.maxCases - activeCases),
      };
    }),
    intensiteit: { perLevel, wachtOpAkkoord, normComplexIntensief: team.normComplexIntensief },
    keukentafelgesprekkenSamen: existing.filter((a) => a.status !== 'afgesloten' && bothOnAt(a) !== undefined && Date.parse(bothOnAt(a)!) <= at).length,
    maatwerkTegelijk: existing.filter((a) => a.status !== 'afgesloten' && a.maatwerk !== undefined && a.maatwerk.since <= dayOf(at)).length,
  };
}

/** On the waiting list: put there, and since then neither picked up nor closed (an open question keeps it there). */
function isOnWachtlijst(a: Aanmelding): boolean {
  return a.waitlist !== undefined && a.assignee === undefined && a.status !== 'afgesloten';
}

export function ageGroupOf(age: number, groups: AgeGroups = DEFAULT_AGE_GROUPS): AgeGroup {
  const keys = ageGroupKeys(groups);
  if (age > groups.ageLimit) return keys.at(-2)!;
  return keys[groups.leeftijdsgroepen.findLastIndex((from) => age >= from)]!;
}

const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
const hourFormat = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hour: '2-digit', hourCycle: 'h23' });

/** The calendar day (YYYY-MM-DD) of an instant in Dutch time. */
export function dayOf(iso: string | number): string {
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  // Intl is slow for 10,000 records; per UTC day, the Dutch day changes once, at a boundary found once with Intl.
  const utcDay = Math.floor(t / DAY_MS);
  let known = utcDays.get(utcDay);
  if (!known) {
    const day = new Date(utcDay * DAY_MS).toISOString().slice(0, 10);
    known = { day, next: new Date((utcDay + 1) * DAY_MS).toISOString().slice(0, 10), boundary: endOfDay(day) + 1 };
    utcDays.set(utcDay, known);
  }
  return t >= known.boundary ? known.next : known.day;
}
const utcDays = new Map<number, { day: string; next: string; boundary: number }>();

function intlDayOf(t: number): string {
  return dayFormat.format(new Date(t));
}

/** The last millisecond of a Dutch calendar day. */
export function endOfDay(day: string): number {
  const next = new Date(`${day}T00:00:00.000Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  const nextDay = next.toISOString().slice(0, 10);
  // Midnight in Amsterdam is 22:00 or 23:00 UTC the day before (summer or winter time).
  for (const offsetHours of [2, 1]) {
    const candidate = next.getTime() - offsetHours * 60 * 60 * 1000;
    if (intlDayOf(candidate) === nextDay && hourFormat.format(candidate) === '00') return candidate - 1;
  }
  throw new Error(`no midnight found for ${nextDay}`);
}

function monthsOf(period: Period): string[] {
  const months: string[] = [];
  let year = Number(period.from.slice(0, 4));
  let month = Number(period.from.slice(5, 7));
  const last = period.to.slice(0, 7);
  for (;;) {
    const key = `${year}-${String(month).padStart(2, '0')}`;
    months.push(key);
    if (key >= last) return months;
    month = month === 12 ? 1 : month + 1;
    if (month === 1) year++;
  }
}

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

function add(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function sortedByCount(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([ka, a], [kb, b]) => b - a || ka.localeCompare(kb, 'nl')));
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function round1(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}
