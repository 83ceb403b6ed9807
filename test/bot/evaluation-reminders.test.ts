import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CloudAdapter } from 'botbuilder';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CaseService } from '../../bot/case-service.js';
import { Deliveries, type MessagePayload } from '../../bot/deliveries.js';
import { EvaluationReminders } from '../../bot/evaluation-reminders.js';
import { Pacer } from '../../bot/teams-sender.js';
import type { Aanmelding, GezinsverzorgerRequest } from '../../data/aanmelding.schema.js';
import type { OutboxJob } from '../../data/outbox.store.js';
import { openStores, type Stores } from '../../data/stores.js';
import { evaluationReminder } from '../../dialogs/referral.card.js';
import type { Actor } from '../../machines/referral-case.js';
import { adaptiveCardProblems } from '../support/adaptive-cards.js';
import { adele, config, draft, lynne, megan, ROUTE_ANSWERS, team } from '../fixtures/referral.js';

const T = team();
const log = pino({ level: 'silent' });
const CHANNEL = '19:gezinsverzorgers@thread.tacv2;messageid=1700000000000';
const GOAL = 'Moeder houdt over drie maanden zelf de dagstructuur vol.';

/** The casemanager who owns the family's plan and asked for the gezinsverzorger. */
const carla: Actor = { aadObjectId: '00000000-0000-0000-0000-0000000000030', name: 'Carla Casemanager' };

// Times are chosen around midnight in the Netherlands: the evaluation date is the Dutch date, not the UTC one.
/** 3 March 2026, 00:30 in Amsterdam (still 2 March in UTC). */
const ASSIGNED = new Date('2026-03-02T23:30:00.000Z');
const FIRST_EVALUATION = '2026-06-03';
/** 2 June 2026, 23:59 in Amsterdam: the day before. */
const DAY_BEFORE = new Date('2026-06-02T21:59:00.000Z');
/** 3 June 2026, 00:30 in Amsterdam: the evaluation date. */
const ON_THE_DATE = new Date('2026-06-02T22:30:00.000Z');
/** A week later, 09:00 in Amsterdam. */
const WEEK_LATER = new Date('2026-06-10T07:00:00.000Z');

// ---------------------------------------------------------------------------------------------------------
// Fixtures

const request = (overrides: Partial<GezinsverzorgerRequest> = {}): GezinsverzorgerRequest => ({
  goal: GOAL,
  tasks: ['huishoudelijk', 'verzorgend'],
  supportForm: 'ondersteunend',
  hoursPerWeek: 4.5,
  durationMonths: 6,
  cause: 'geboorte',
  targetGroup: 'tijdelijk',
  ...overrides,
});

let dataDir: string;
let stores: Stores;
let now: Date;
let cases: CaseService;
let reminders: EvaluationReminders;
let evaluationsChanged: ReturnType<typeof vi.fn<() => void>>;

const clock = () => now;
const remindersOver = (s: Stores) => new EvaluationReminders({ stores: s, now: clock, deliver: () => {}, log });

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'evaluation-reminders-'));
  stores = await openStores({ dataDir });
  now = ASSIGNED;
  evaluationsChanged = vi.fn<() => void>();
  cases = new CaseService({ stores, config, team: T, log, now: clock, deliver: () => {}, evaluationsChanged });
  reminders = remindersOver(stores);
});

afterEach(async () => {
  await stores.flush();
  await rm(dataDir, { recursive: true, force: true });
});

/** A casemanager's request for a gezinsverzorger, as the intake stores it. */
async function requested(): Promise<Aanmelding> {
  const { aanmelding } = await stores.referrals.create(
    draft({
      answers: { ...ROUTE_ANSWERS.gezinsverzorger, gezinsverzorger: request() },
      referrer: {
        identity: { id: '29:carla', aadObjectId: carla.aadObjectId, name: carla.name },
        role: 'casemanager',
        conversationId: 'a:carla-personal',
        conversation: { serviceUrl: 'https://smba.example/', channelId: 'msteams', conversation: { id: 'a:carla-personal' } },
      },
    }),
    new Date('2026-03-01T10:00:00.000Z'),
  );
  expect(aanmelding.triage.route).toBe('gezinsverzorger');
  return aanmelding;
}

const current = async (a: Aanmelding) => (await stores.referrals.get(a.reference))!;

/** Megan, the coordinator, assigns the request to Lynne, the gezinsverzorger, on the channel card. */
async function assignedToLynne(): Promise<Aanmelding> {
  const a = await requested();
  await cases.onCardAction('assign', { reference: a.reference, version: a.version, professional: lynne.aadObjectId }, megan, CHANNEL);
  const assigned = await current(a);
  expect(assigned.assignee?.aadObjectId).toBe(lynne.aadObjectId);
  return assigned;
}

/** An assigned trajectory on its evaluation date, with the reminders queued. */
async function dueToday(): Promise<Aanmelding> {
  const a = await assignedToLynne();
  now = ON_THE_DATE;
  expect(await reminders.check()).toBe(1);
  return current(a);
}

async function changeDate(a: Aanmelding, dueOn: string, by: Actor) {
  const latest = await current(a);
  return cases.onCardAction('evaluation-date', { reference: a.reference, version: latest.version, dueOn }, by, CHANNEL);
}

const evaluate = (a: Aanmelding, by: Actor, outcome: 'doorgaan' | 'afschalen' | 'afsluiten', extra: Record<string, string> = {}) =>
  cases.onEvaluation({ flow: 'evaluatie', reference: a.reference, dueOn: a.evaluation!.dueOn, outcome, ...extra }, by, 'a:personal');

/** The reminder jobs in the outbox: to whom, for which date. */
async function reminderJobs(s: Stores = stores): Promise<OutboxJob[]> {
  return (await s.outbox.list()).filter((job) => job.kind === 'message' && (job.payload as MessagePayload).content.kind === 'evaluation');
}

const recipients = (jobs: OutboxJob[]) => jobs.map((job) => (job.payload as MessagePayload).to);
const dueDates = (jobs: OutboxJob[]) => jobs.map((job) => (job.payload as MessagePayload).content).map((c) => (c.kind === 'evaluation' ? c.dueOn : undefined));

// ---------------------------------------------------------------------------------------------------------

describe('the first evaluation moment of a gezinsverzorger trajectory', () => {
  it('has none before the request is assigned', async () => {
    expect((await requested()).evaluation).toBeUndefined();
  });

  it('is three months after the assignment, on the date in the Netherlands', async () => {
    const a = await assignedToLynne();
    expect(a.evaluation).toEqual({ dueOn: FIRST_EVALUATION });
  });

  it('is written to the audit log with the assignment', async () => {
    const a = await assignedToLynne();
    expect(await stores.audit.entries()).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'aanmelding.toegewezen', reference: a.reference })]));
  });
});

describe('reminders on the evaluation date', () => {
  it('queues nothing before the date', async () => {
    await assignedToLynne();
    now = DAY_BEFORE;
    expect(await reminders.check()).toBe(0);
    expect(await reminderJobs()).toEqual([]);
  });

  it('queues exactly two reminders on the date: one to the casemanager, one to the gezinsverzorger', async () => {
    const a = await dueToday();
    const jobs = await reminderJobs();
    expect(jobs).toHaveLength(2);
    expect(recipients(jobs)).toEqual(
      expect.arrayContaining([
        { kind: 'referrer', reference: a.reference },
        { kind: 'person', aadObjectId: lynne.aadObjectId, name: lynne.name },
      ]),
    );
    expect(dueDates(jobs)).toEqual([FIRST_EVALUATION, FIRST_EVALUATION]);
    expect(a.evaluation).toEqual({ dueOn: FIRST_EVALUATION, remindedFor: FIRST_EVALUATION });
  });

  it('queues nothing more when it checks again', async () => {
    await dueToday();
    expect(await reminders.check()).toBe(0);
    now = WEEK_LATER;
    expect(await reminders.check()).toBe(0);
    expect(await reminderJobs()).toHaveLength(2);
  });

  it('queues nothing more after a restart, with the date long past', async () => {
    const a = await dueToday();
    await stores.close();

    const restarted = (stores = await openStores({ dataDir }));
    now = WEEK_LATER;
    expect(await remindersOver(restarted).check()).toBe(0);
    expect(await reminderJobs(restarted)).toHaveLength(2);
    expect((await restarted.referrals.get(a.reference))?.evaluation?.remindedFor).toBe(FIRST_EVALUATION);
    await restarted.flush();
  });

  it('reminds at the first check after a restart when the bot was down on the date', async () => {
    const a = await assignedToLynne();
    await stores.close();

    const restarted = (stores = await openStores({ dataDir }));
    now = WEEK_LATER;
    expect(await remindersOver(restarted).check()).toBe(1);
    expect(dueDates(await reminderJobs(restarted))).toEqual([FIRST_EVALUATION, FIRST_EVALUATION]);
    expect((await restarted.referrals.get(a.reference))?.evaluation?.remindedFor).toBe(FIRST_EVALUATION);
    await restarted.flush();
  });

  it('does not remind a closed trajectory', async () => {
    const a = await assignedToLynne();
    await cases.onCardAction('close', { reference: a.reference, version: a.version, reason: 'doelen-behaald' }, lynne, CHANNEL);
    now = ON_THE_DATE;
    expect(await reminders.check()).toBe(0);
  });
});

describe('moving the evaluation date on the card', () => {
  const APRIL = new Date('2026-04-10T08:00:00.000Z');

  it.each([
    ['today', '2026-04-10'],
    ['a date already past', '2026-04-01'],
  ])('reminds at once for %s', async (_, dueOn) => {
    const a = await assignedToLynne();
    now = APRIL;
    expect(await reminders.check()).toBe(0);

    await changeDate(a, dueOn, lynne);
    expect((await current(a)).evaluation?.dueOn).toBe(dueOn);
    expect(evaluationsChanged).toHaveBeenCalledTimes(1);
    expect(await reminders.check()).toBe(1);
    expect(dueDates(await reminderJobs())).toEqual([dueOn, dueOn]);
  });

  it('reminds on the new date only, when moved later', async () => {
    const a = await assignedToLynne();
    await changeDate(a, '2026-07-01', megan);
    now = ON_THE_DATE;
    expect(await reminders.check()).toBe(0);
    now = new Date('2026-07-01T06:00:00.000Z');
    expect(await reminders.check()).toBe(1);
    expect(dueDates(await reminderJobs())).toEqual(['2026-07-01', '2026-07-01']);
  });

  it('reminds again for a new date after the reminder of the old one', async () => {
    const a = await dueToday();
    await changeDate(a, '2026-06-03', lynne); // unchanged: no new reminder
    expect(await reminders.check()).toBe(0);
    now = WEEK_LATER;
    await changeDate(a, '2026-06-10', lynne);
    expect(await reminders.check()).toBe(1);
    expect(await reminderJobs()).toHaveLength(4);
  });

  it('is refused to a professional who is not the assignee', async () => {
    const a = await assignedToLynne();
    const outcome = await changeDate(a, '2026-04-01', adele);
    expect(JSON.stringify(outcome.card)).toContain('Alleen de coördinator of wie de aanmelding heeft');
    expect((await current(a)).evaluation?.dueOn).toBe(FIRST_EVALUATION);
    expect(evaluationsChanged).not.toHaveBeenCalled();
  });
});

describe('recording the outcome of an evaluation from the reminder', () => {
  const toldReferrer = async () =>
    (await stores.outbox.list()).map((job) => (job.payload as MessagePayload).content).filter((content) => content?.kind === 'referrer-update');
  const evaluationAudit = async () => (await stores.audit.entries()).filter((e) => e.event === 'aanmelding.evaluatie');

  it('doorgaan by the casemanager moves the date and writes an audit entry', async () => {
    const a = await dueToday();
    const reply = await evaluate(a, carla, 'doorgaan', { nextDueOn: '2026-09-01' });
    expect(reply).toContain('1 september 2026');
    const after = await current(a);
    expect(after.evaluation?.dueOn).toBe('2026-09-01');
    expect(after.status).toBe('toegewezen');
    expect(await evaluationAudit()).toEqual([
      expect.objectContaining({ event: 'aanmelding.evaluatie', reference: a.reference, actor: { id: carla.aadObjectId, name: carla.name } }),
    ]);
    // The next reminder waits for the new date.
    now = WEEK_LATER;
    expect(await reminders.check()).toBe(0);
  });

  it.each([
    ['a past date', '2026-05-01'],
    ['today', '2026-06-03'],
  ])('refuses doorgaan with %s', async (_, nextDueOn) => {
    const a = await dueToday();
    expect(await evaluate(a, carla, 'doorgaan', { nextDueOn })).toContain('nieuwe evaluatiedatum na vandaag');
    expect((await current(a)).evaluation?.dueOn).toBe(FIRST_EVALUATION);
    expect(await evaluationAudit()).toEqual([]);
  });

  it('afschalen by the gezinsverzorger lowers the hours, in the history and the caseload, and sets the next evaluation three months from today', async () => {
    const a = await dueToday();
    now = WEEK_LATER; // 10 June
    expect(await evaluate(a, lynne, 'afschalen', { hoursPerWeek: '3' })).toContain('afgeschaald naar 3 uur per week');
    const after = await current(a);
    expect(after.hoursPerWeek).toBe(3);
    expect(after.evaluation?.dueOn).toBe('2026-09-10');
    expect(after.history.at(-1)?.detail).toContain('afgeschaald van 4,5 naar 3 uur per week');
    expect((await stores.referrals.assignments()).find((x) => x.reference === a.reference)?.hoursPerWeek).toBe(3);
    expect(await evaluationAudit()).toHaveLength(1);
  });

  it('refuses afschalen without fewer hours than now', async () => {
    const a = await dueToday();
    expect(await evaluate(a, lynne, 'afschalen')).toContain('aantal uur per week');
    expect(await evaluate(a, lynne, 'afschalen', { hoursPerWeek: '4,5'.replace(',', '.') })).toContain('minder uur dan nu');
    expect((await current(a)).hoursPerWeek).toBeUndefined();
  });

  it('names the praktijkbegeleider and the gedragswetenschapper who took part in the history', async () => {
    const a = await dueToday();
    await evaluate(a, carla, 'doorgaan', { nextDueOn: '2026-09-01', praktijkbegeleider: 'Petra Smit', gedragswetenschapper: 'Megan Bowen' });
    expect((await current(a)).history.at(-1)?.detail).toContain('met praktijkbegeleider Petra Smit en gedragswetenschapper Megan Bowen');
  });

  it('afsluiten closes the case with the reason given, and tells the casemanager when the gezinsverzorger closes it', async () => {
    const a = await dueToday();
    const reply = await evaluate(a, lynne, 'afsluiten', { reason: 'eenzijdig-gestopt' });
    expect(reply).toContain('afgesloten');
    const after = await current(a);
    expect(after.status).toBe('afgesloten');
    expect(after.closure?.reason).toBe('eenzijdig-gestopt');
    expect(after.evaluation).toBeUndefined();
    expect(await toldReferrer()).toContainEqual({ kind: 'referrer-update', about: 'afgesloten' });
  });

  it('afsluiten by the casemanager does not tell the casemanager what they did themselves', async () => {
    const a = await dueToday();
    await evaluate(a, carla, 'afsluiten', { reason: 'doelen-behaald' });
    expect((await current(a)).closure?.reason).toBe('doelen-behaald');
    expect(await toldReferrer()).not.toContainEqual({ kind: 'referrer-update', about: 'afgesloten' });
  });

  it('refuses the same reminder answered twice', async () => {
    const a = await dueToday();
    await evaluate(a, carla, 'doorgaan', { nextDueOn: '2026-09-01' });
    expect(await evaluate(a, lynne, 'afschalen')).toContain('al vastgelegd');
    expect((await current(a)).evaluation?.dueOn).toBe('2026-09-01');
    expect(await evaluationAudit()).toHaveLength(1);
  });

  it.each([
    ['a gezinscoach of the team', adele],
    ['the coordinator', megan],
  ])('refuses %s: only the casemanager and the gezinsverzorger record it', async (_, someone) => {
    const a = await dueToday();
    expect(await evaluate(a, someone, 'afsluiten', { reason: 'doelen-behaald' })).toContain('Alleen de casemanager en de gezinsverzorger');
    expect((await current(a)).status).toBe('toegewezen');
    expect(await evaluationAudit()).toEqual([]);
  });

  it('asks for an outcome when the reminder sends none', async () => {
    const a = await dueToday();
    expect(await cases.onEvaluation({ flow: 'evaluatie', reference: a.reference, dueOn: a.evaluation!.dueOn }, carla, 'a:personal')).toContain('Kies een uitkomst');
  });
});

describe('the reminder card', () => {
  it('shows the goal of the plan and the three outcomes, and parses as an Adaptive Card', async () => {
    const a = await dueToday();
    const card = evaluationReminder(a, '2026-09-03', config, team());
    const json = JSON.stringify(card);
    expect(json).toContain(GOAL);
    for (const title of ['Doorgaan', 'Afschalen', 'Afsluiten']) expect(json).toContain(`"title":"${title}"`);
    expect(json).toContain('"value":"2026-09-03"');
    expect(json).toContain(`"dueOn":"${FIRST_EVALUATION}"`);
    expect(adaptiveCardProblems(card)).toEqual([]);
  });
});

describe('delivering a reminder', () => {
  function deliveries() {
    const adapter = { continueConversationAsync: vi.fn(async () => {}), createConversationAsync: vi.fn(async () => {}) };
    const run = new Deliveries({ adapter: adapter as unknown as CloudAdapter, appId: 'app', stores, config, team: T, log, pacer: new Pacer(), now: clock });
    return { run, adapter };
  }

  async function referrerReminder(): Promise<OutboxJob> {
    const job = (await reminderJobs()).find((j) => (j.payload as MessagePayload).to.kind === 'referrer');
    if (!job) throw new Error('no reminder to the casemanager');
    return job;
  }

  it('sends the reminder when the date still stands', async () => {
    await dueToday();
    const { run, adapter } = deliveries();
    expect(await run.run(await referrerReminder())).toEqual({ ok: true });
    expect(adapter.continueConversationAsync).toHaveBeenCalledTimes(1);
  });

  it('skips the reminder, without sending, when the date was moved meanwhile', async () => {
    const a = await dueToday();
    const job = await referrerReminder();
    await changeDate(a, '2026-07-01', lynne);
    const { run, adapter } = deliveries();
    expect(await run.run(job)).toEqual({ ok: true });
    expect(adapter.continueConversationAsync).not.toHaveBeenCalled();
    expect(adapter.createConversationAsync).not.toHaveBeenCalled();
  });

  it('skips the reminder when the evaluation was recorded meanwhile', async () => {
    const a = await dueToday();
    const job = await referrerReminder();
    await evaluate(a, lynne, 'afschalen', { hoursPerWeek: '3' });
    const { run, adapter } = deliveries();
    expect(await run.run(job)).toEqual({ ok: true });
    expect(adapter.continueConversationAsync).not.toHaveBeenCalled();
  });
});
