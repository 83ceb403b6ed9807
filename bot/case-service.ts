import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Aanmelding, CaseEvent, NewAanmelding } from '../data/aanmelding.schema.js';
import type { NewOutboxJob } from '../data/outbox.store.js';
import { CLOSE_REASONS, EVALUATION_OUTCOMES, GOAL_MAX_LENGTH, GV_MAX_HOURS, REFERENCE_PATTERN, WAITLIST_REASONS } from '../data/aanmelding.schema.js';
import { IntensitySchema } from '../data/gemeente.config.js';
import type { AuditEvent } from '../data/audit-log.js';
import type { ChannelLink, LinkableService } from '../data/channel-link.store.js';
import type { GemeenteConfig } from '../data/gemeente.config.js';
import { onto } from '../data/referral.store.js';
import type { Stores } from '../data/stores.js';
import type { TeamConfig } from '../data/team.config.js';
import type { AdaptiveCard } from '../dialogs/card.js';
import { plainText, withoutControlCharacters } from '../dialogs/plain-text.js';
import { cardRefused, normsInWords, overNormWarning, referrerCard, SUBMIT_REFUSED, teamCard } from '../dialogs/referral.card.js';
import { dutchDate } from '../machines/dates.js';
import { onDutyFor } from '../machines/duty.js';
import { huisartsMomentOf, huisartsToInform } from '../machines/huisarts-feedback.js';
import {
  assigneesOf,
  awaitsAgreement,
  decide,
  fillsFreeSlot,
  intensityOf,
  isAssignedTo,
  isConsultation,
  teamRoleOf,
  type Actor,
  type CaseDecision,
  type CaseEffect,
  type CaseOptions,
  type CaseRequest,
  hoursOf,
} from '../machines/referral-case.js';
import { channelFor, isForTheTeam, postJob, servicesFor, type MessagePayload } from './deliveries.js';
import type { NoticePayload } from './channel-lifecycle.js';
import type { Logger } from './logger.js';

/** What a card's Action.Execute sends (its data merged with the inputs of the opened ShowCard). */
const ActionDataSchema = z.looseObject({
  reference: z.string().min(1),
  version: z.coerce.number().int().min(1).optional(),
  professional: z.string().min(1).optional(),
  reason: z.string().optional(),
  question: z.string().optional(),
  dueOn: z.string().optional(),
  intensity: z.string().optional(),
  referredTo: z.string().optional(),
  satisfaction: z.string().optional(),
  goal: z.string().optional(),
  since: z.string().optional(),
});

/** An optional field of a card: Teams sends an untouched input as "" (or not at all). */
const blank = z.literal('').transform(() => undefined);

/** "8" from a number input, or nothing; a non-number stays a problem for the rule to name. */
const optionalMark = z.union([blank, z.coerce.number()]).optional();

const EvaluationDataSchema = z.looseObject({
  flow: z.literal('evaluatie'),
  reference: z.string().min(1),
  dueOn: z.iso.date(),
  outcome: z.enum(EVALUATION_OUTCOMES),
  nextDueOn: z.iso.date().optional().or(blank),
  reason: z.enum(CLOSE_REASONS).optional().or(blank),
  referredTo: z.string().trim().max(100).optional().or(blank),
  satisfaction: optionalMark,
  hoursPerWeek: z.union([blank, z.coerce.number().min(0.5).max(GV_MAX_HOURS)]).optional(),
  praktijkbegeleider: z.string().trim().max(60).optional().or(blank),
  gedragswetenschapper: z.string().trim().max(60).optional().or(blank),
});

/** The verbs of the card's buttons (and Teams' refresh): a refused one is named in the audit log, anything else is "onbekend". */
const KNOWN_VERBS = new Set(['refresh', 'claim', 'dossier', 'assign', 'waitlist', 'close', 'evaluation-date', 'ask', 'intensity', 'agree', 'goal', 'maatwerk']);

/** The audit event of each kind of change in a case's history (an assignment may set the intensity too: two events). */
const AUDIT_FOR: Partial<Record<CaseEvent['action'], AuditEvent['event']>> = {
  opgepakt: 'aanmelding.opgepakt',
  toegewezen: 'aanmelding.toegewezen',
  wachtlijst: 'aanmelding.wachtlijst',
  vraag: 'aanmelding.vraag',
  antwoord: 'aanmelding.antwoord',
  afgesloten: 'aanmelding.afgesloten',
  evaluatie: 'aanmelding.evaluatie',
  intensiteit: 'aanmelding.intensiteit',
  akkoord: 'aanmelding.akkoord',
  doel: 'aanmelding.doel',
  maatwerk: 'aanmelding.maatwerk',
};

/** The requests that can take someone over a norm: the open cases' assignments are read for them. */
const WEIGHS_ON_NORMS = new Set<CaseRequest['kind']>(['claim', 'assign', 'intensity']);

const DONE: Record<CaseRequest['kind'], (a: Aanmelding, request: CaseRequest) => string> = {
  claim: (a) =>
    isConsultation(a)
      ? `Je overlegt met de verwijzer over ${a.reference}; neem geen contact op met het gezin. De verwijzer hoort dat je contact opneemt, en het dossier staat in je persoonlijke chat met mij.`
      : `Je hebt ${a.reference} opgepakt. Het dossier staat in je persoonlijke chat met mij.`,
  assign: (a, request) =>
    `Toegewezen aan ${assigneesOf(a).find((x) => request.kind === 'assign' && x.aadObjectId === request.professional)?.name ?? a.assignee?.name ?? 'de professional'}. Die krijgt het dossier persoonlijk, en de verwijzer hoort het.`,
  intensity: (a) =>
    awaitsAgreement(a)
      ? `Intensiteit vastgelegd: ${intensityOf(a)}. Nu wacht het op het akkoord van de gedragswetenschapper.`
      : `Intensiteit vastgelegd: ${intensityOf(a)}.`,
  agree: (a) => `Akkoord vastgelegd op ${intensityOf(a)} voor ${a.reference}.`,
  waitlist: () => 'Op de wachtlijst gezet. De verwijzer hoort het.',
  ask: () => 'Je vraag is persoonlijk naar de verwijzer gestuurd. Het antwoord krijg je in je persoonlijke chat met mij.',
  close: () => 'Afgesloten. De verwijzer hoort het.',
  goal: (a) => `Het doel van ${a.reference} is vastgelegd. Het staat in het dossier, niet in dit kanaal.`,
  maatwerk: (a) => `Vastgelegd: naast de gezinscoach loopt maatwerk, sinds ${a.maatwerk ? dutchDate(a.maatwerk.since) : '–'}.`,
  dossier: () => 'Het dossier staat in je persoonlijke chat met mij.',
  answer: () => 'Antwoord verstuurd.',
  'evaluation-date': (a) =>
    `De evaluatie staat nu op ${a.evaluation ? dutchDate(a.evaluation.dueOn) : '–'}. Op die dag krijgen ${a.triage.route === 'gezinsverzorger' ? 'de casemanager en de gezinsverzorger' : 'wie de aanmelding heeft'} een herinnering.`,
  evaluate: (a, request) =>
    a.status === 'afgesloten'
      ? `Vastgelegd: ${a.reference} is afgesloten.`
      : `Vastgelegd${request.kind === 'evaluate' && request.outcome === 'afschalen' ? afgeschaald(a) : ''}. De volgende evaluatie van ${a.reference} is op ${a.evaluation ? dutchDate(a.evaluation.dueOn) : '–'}; je krijgt dan weer een herinnering.`,
};

export interface CaseServiceDeps {
  stores: Stores;
  config: GemeenteConfig;
  team: TeamConfig;
  log: Logger;
  now: () => Date;
  /** Called after jobs were added to the outbox. */
  deliver: () => void;
  /** Called after an evaluation date changed: a date of today or earlier is reminded at once. */
  evaluationsChanged?: () => void;
}

export interface CardActionOutcome {
  card: AdaptiveCard;
}

/** Everything the team does with an aanmelding, and everything that follows from it. */
export class CaseService {
  constructor(private readonly deps: CaseServiceDeps) {}

  /** The card for one viewer, optionally with a notice on top. */
  async cardFor(a: Aanmelding, viewer: Actor | undefined, notice?: { text: string; tone: 'good' | 'attention' | 'warning' }): Promise<AdaptiveCard> {
    const { config, team, stores } = this.deps;
    const duty = onDutyFor(a, team, this.deps.now());
    return teamCard(a, await stores.referrals.assignments(), {
      config,
      team,
      viewer: viewer && { aadObjectId: viewer.aadObjectId, role: teamRoleOf(viewer.aadObjectId, team) },
      ...(notice ? { notice } : {}),
      // The same people as on the post, without notifying them again.
      ...(duty ? { onDuty: { ...duty, mention: false } } : {}),
    });
  }

  /**
   * An Action.Execute on the channel card: answered within Teams' 5 seconds, deliveries follow afterwards. Only the
   * team sees the team's card; the referrer gets the view of their own aanmelding; anyone else a refusal that is the
   * same whether or not the reference exists, written to the audit log with who asked.
   */
  async onCardAction(verb: string, rawData: unknown, actor: Actor, source: string): Promise<CardActionOutcome> {
    const { stores, team, now, log, config } = this.deps;
    const data = ActionDataSchema.safeParse(rawData);
    const a = data.success ? await stores.referrals.get(data.data.reference) : undefined;
    if (teamRoleOf(actor.aadObjectId, team) === undefined) {
      if (a && isReferrerOf(a, actor)) return { card: referrerCard(a, config) };
      await this.auditRefusal(`knop ${KNOWN_VERBS.has(verb) ? verb : 'onbekend'}; niet in het team`, data.success ? data.data.reference : undefined, actor, source);
      log.warn({ event: 'case.card-refused', verb: KNOWN_VERBS.has(verb) ? verb : 'onbekend' });
      return { card: cardRefused() };
    }
    if (!data.success || !a) {
      return { card: { type: 'AdaptiveCard', $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', version: '1.5', body: [{ type: 'TextBlock', text: 'Deze aanmelding kan ik niet (meer) vinden.', wrap: true }] } };
    }
    if (verb === 'refresh') return { card: await this.cardFor(a, actor) };

    const request = requestFrom(verb, data.data);
    if ('problem' in request) return { card: await this.cardFor(a, actor, { text: request.problem, tone: 'attention' }) };

    // Teams retries an invoke it did not hear back from: the same action by the same person is done already.
    const version = data.data.version ?? a.version;
    if (version !== a.version) {
      const last = a.history.at(-1);
      const retried = version === a.version - 1 && last?.by.aadObjectId === actor.aadObjectId && sameAction(last.action, request.kind);
      if (retried) return { card: await this.cardFor(a, actor, { text: DONE[request.kind](a, request), tone: 'good' }) };
      // Filling a slot that is still free is what the sender meant, whatever changed in between (the other slot).
      if (!fillsFreeSlot(a, request, actor, team)) {
        log.info({ event: 'case.conflict', reference: a.reference, verb });
        return { card: await this.cardFor(a, actor, { text: 'Iemand anders heeft deze aanmelding net gewijzigd. Dit is de huidige stand; kijk of je actie nog nodig is.', tone: 'warning' }) };
      }
    }

    let base = a;
    let decision: CaseDecision;
    let current: Aanmelding;
    // Two people filling the two slots of a keukentafelgesprek at once: the one who comes second decides again on the
    // record as it is now (a few times at most); anything else that lost the race sees the current card.
    for (let attempt = 1; ; attempt++) {
      decision = decide(base, request, actor, team, now(), {
        ...caseOptions(config),
        ...(WEIGHS_ON_NORMS.has(request.kind) ? { assignments: await stores.referrals.assignments() } : {}),
      });
      if (!decision.ok) {
        log.info({ event: 'case.refused', reference: a.reference, verb });
        return { card: await this.cardFor(base, actor, { text: decision.refusal, tone: 'attention' }) };
      }
      if (!decision.changed) {
        await this.queue(base, decision.effects);
        current = base;
        break;
      }
      const { effects, overNorm } = decision;
      const before = base;
      // The change, its audit entries and what it sets in motion (card update, messages) commit together.
      const saved = await stores.referrals.update(base.reference, base.version, (current) => onto(current, (decision as Extract<CaseDecision, { ok: true }>).next), now(), (stored) => {
        const huisarts = this.huisartsFollowUp(before, stored, actor, source);
        return {
          jobs: [...this.jobsFor(stored, effects, true), ...huisarts.jobs],
          audit: [
            ...stored.history.slice(before.history.length).flatMap((entry, index, added) => {
              const auditEvent = AUDIT_FOR[entry.action];
              // The norm a change goes over is audited with it (on the last of its events).
              const detail = `${entry.detail ?? ''}${index === added.length - 1 && overNorm ? `; boven de norm: ${normsInWords(overNorm)}` : ''}`.slice(0, 200);
              return auditEvent ? [{ event: auditEvent, reference: a.reference, actor: { id: actor.aadObjectId, name: actor.name }, source, ...(detail ? { detail } : {}) }] : [];
            }),
            ...huisarts.audit,
          ],
        };
      });
      if (saved.ok) {
        current = saved.aanmelding;
        log.info({ event: 'case.changed', reference: a.reference, verb, status: current.status });
        this.deps.deliver();
        break;
      }
      if (saved.reason === 'conflict' && attempt < 3 && fillsFreeSlot(saved.current, request, actor, team)) {
        base = saved.current;
        continue;
      }
      const latest = saved.reason === 'conflict' ? saved.current : a;
      return { card: await this.cardFor(latest, actor, { text: 'Iemand anders was je net voor. Dit is de huidige stand.', tone: 'warning' }) };
    }
    if (request.kind === 'evaluation-date' && decision.changed) this.deps.evaluationsChanged?.();
    const done = DONE[request.kind](current, request);
    // Over a norm is allowed (seed 004: judged per case), but said plainly.
    if (decision.overNorm) return { card: await this.cardFor(current, actor, { text: `${done}\n\n${overNormWarning(decision.overNorm, config)}`, tone: 'warning' }) };
    return { card: await this.cardFor(current, actor, { text: done, tone: 'good' }) };
  }

  /** The referrer answers a question from the team, in their 1:1 chat. */
  async onAnswer(reference: string, questionId: string, answer: string, actor: Actor, source: string): Promise<string> {
    const { stores, team, now } = this.deps;
    // Control and bidi characters never mean anything in an answer; markdown stays as typed (escaped when shown).
    const text = withoutControlCharacters(answer).trim();
    if (text === '') return 'Typ eerst je antwoord in het vak en kies dan Antwoord versturen.';
    if (text.length > 2000) return `Je antwoord is ${text.length} tekens; het maximum is 2000.`;
    const a = await stores.referrals.get(reference);
    // Only the referrer answers; anyone else hears the same whether or not the reference exists.
    if (!a || !isReferrerOf(a, actor)) return this.refuseSubmit('vraag', reference, actor, source);
    const decision = decide(a, { kind: 'answer', questionId, answer: text }, actor, team, now(), caseOptions(this.deps.config));
    if (!decision.ok) return decision.refusal;
    const saved = await stores.referrals.update(a.reference, a.version, (current) => onto(current, decision.next), now(), (stored) => ({
      jobs: this.jobsFor(stored, decision.effects, true),
      audit: [{ event: 'aanmelding.antwoord', reference, actor: { id: actor.aadObjectId, name: actor.name }, source }],
    }));
    if (!saved.ok) return 'Dat lukte net niet omdat de aanmelding tegelijk werd gewijzigd. Probeer het nog eens.';
    this.deps.deliver();
    return `Dank je. Je antwoord over ${reference} is doorgestuurd naar ${plainText(a.questions.find((q) => q.id === questionId)?.askedBy.name ?? 'het team')}.`;
  }

  /** The casemanager or the gezinsverzorger records an evaluation's outcome from the reminder in their 1:1 chat. */
  async onEvaluation(rawData: unknown, actor: Actor, source: string): Promise<string> {
    const { stores, team, now, config } = this.deps;
    const data = EvaluationDataSchema.safeParse(rawData);
    if (!data.success) return 'Kies een uitkomst; bij Doorgaan ook een nieuwe datum, bij Afschalen het aantal uur (hoogstens 40), bij Afsluiten een reden.';
    const a = await stores.referrals.get(data.data.reference);
    if (!a || !(isReferrerOf(a, actor) || isAssignedTo(a, actor.aadObjectId) || teamRoleOf(actor.aadObjectId, team) !== undefined)) {
      return this.refuseSubmit('evaluatie', data.data.reference, actor, source);
    }
    const d = data.data;
    const participants = { ...(d.praktijkbegeleider ? { praktijkbegeleider: d.praktijkbegeleider } : {}), ...(d.gedragswetenschapper ? { gedragswetenschapper: d.gedragswetenschapper } : {}) };
    const request: CaseRequest = {
      kind: 'evaluate',
      dueOn: d.dueOn,
      outcome: d.outcome,
      ...(d.nextDueOn ? { nextDueOn: d.nextDueOn } : {}),
      ...(d.reason ? { reason: d.reason } : {}),
      ...(d.referredTo ? { referredTo: d.referredTo } : {}),
      ...(d.satisfaction !== undefined ? { satisfaction: d.satisfaction } : {}),
      ...(d.hoursPerWeek !== undefined ? { hoursPerWeek: d.hoursPerWeek } : {}),
      ...(Object.keys(participants).length > 0 ? { participants } : {}),
    };
    const decision = decide(a, request, actor, team, now(), caseOptions(config));
    if (!decision.ok) return decision.refusal;
    const saved = await stores.referrals.update(a.reference, a.version, (current) => onto(current, decision.next), now(), (stored) => {
      const huisarts = this.huisartsFollowUp(a, stored, actor, source);
      return {
        jobs: [...this.jobsFor(stored, decision.effects, true), ...huisarts.jobs],
        // Afschalen to waakvlam adds the intensity event too: each change its own entry.
        audit: [
          ...stored.history.slice(a.history.length).flatMap((entry) => {
            const auditEvent = entry.action === 'afgesloten' ? 'aanmelding.evaluatie' : AUDIT_FOR[entry.action];
            return auditEvent ? [{ event: auditEvent, reference: a.reference, actor: { id: actor.aadObjectId, name: actor.name }, source, ...(entry.detail ? { detail: entry.detail } : {}) }] : [];
          }),
          ...huisarts.audit,
        ],
      };
    });
    if (!saved.ok) return 'Dat lukte net niet omdat de aanmelding tegelijk werd gewijzigd. Probeer het nog eens.';
    this.deps.deliver();
    return DONE.evaluate(saved.aanmelding, request);
  }

  /** The channel post of a new aanmelding, to be committed with it: only when its team has a channel now. */
  async postJobFor(draft: NewAanmelding): Promise<((reference: string) => NewOutboxJob) | undefined> {
    if (!isForTheTeam(draft)) return undefined;
    const link = await channelFor(draft, this.deps.stores.channels);
    return link ? (reference) => postJob(reference, link) : undefined;
  }

  /** After a submitted aanmelding (its post, if any, is queued already): says where it goes, and delivers. */
  async afterSubmit(a: Aanmelding): Promise<'posting' | 'no-channel' | 'not-for-team'> {
    if (!isForTheTeam(a)) return 'not-for-team';
    const link = await channelFor(a, this.deps.stores.channels);
    if (!link) {
      if (a.triage.urgent) await this.spoedWithoutChannel(a);
      return 'no-channel';
    }
    // Normally queued with the aanmelding; linked just then, the channel gets it here (the key makes it once).
    await this.deps.stores.outbox.enqueue(postJob(a.reference, link), this.deps.now());
    this.deps.deliver();
    return 'posting';
  }

  /**
   * A SPOED aanmelding that no channel receives must not wait unseen: every coordinator hears it 1:1 (its reference
   * only), once; the referrer has been given the numbers to call.
   */
  private async spoedWithoutChannel(a: Aanmelding): Promise<void> {
    const { stores, team, now, log } = this.deps;
    const serviceUrl = a.referrer.conversation?.serviceUrl;
    log.warn({ event: 'spoed.zonder-kanaal', reference: a.reference });
    if (!serviceUrl) return;
    for (const coordinator of team.coordinators) {
      await stores.outbox.enqueue(
        {
          key: `notice:spoed:${a.reference}:${coordinator.aadObjectId}`,
          kind: 'notice',
          payload: { to: { aadObjectId: coordinator.aadObjectId, name: coordinator.name }, serviceUrl, notice: { kind: 'spoed-without-channel', reference: a.reference } } satisfies NoticePayload,
        },
        now(),
      );
    }
    this.deps.deliver();
  }

  /** A coordinator links a channel: it gets every aanmelding of that service that is still waiting for one. */
  async link(link: ChannelLink): Promise<number> {
    const { stores } = this.deps;
    const waiting = (await stores.referrals.open()).filter((a) => !a.post && isForTheTeam(a) && servicesFor(a).includes(link.service));
    await stores.channels.link(link, {
      jobs: waiting.map((a) => postJob(a.reference, link)),
      audit: [{ event: 'kanaal.gekoppeld', actor: { id: link.linkedBy.aadObjectId, name: link.linkedBy.name }, source: link.channelId, detail: `kanaal voor ${link.service}` }],
    });
    this.deps.deliver();
    return waiting.length;
  }

  /**
   * The safety net behind the transactional outbox: every open aanmelding for a team that has a channel, not posted
   * and without its post job, gets one (an aanmelding stored on lowdb just before a crash, or submitted while the
   * channel was being linked). Run at start-up and then now and then; cheap, as it looks at open cases only.
   */
  async queueMissingPosts(): Promise<number> {
    const { stores, now } = this.deps;
    const links = new Map((await stores.channels.all()).map((link) => [link.service, link]));
    let queued = 0;
    for (const a of await stores.referrals.open()) {
      const link = !a.post && isForTheTeam(a) ? servicesFor(a).map((service) => links.get(service)).find(Boolean) : undefined;
      if (link && (await stores.outbox.enqueue(postJob(a.reference, link), now()))) queued++;
    }
    if (queued > 0) {
      this.deps.log.warn({ event: 'outbox.posts-restored', count: queued });
      this.deps.deliver();
    }
    return queued;
  }

  /** A refused card action, with who asked and the reference they sent (when it looks like one). */
  private async auditRefusal(detail: string, sent: string | undefined, actor: Actor, source: string): Promise<void> {
    const reference = sent !== undefined && REFERENCE_PATTERN.test(sent) ? sent : undefined;
    await this.deps.stores.audit.append(
      { event: 'kaartactie.geweigerd', ...(reference ? { reference } : {}), actor: { id: actor.aadObjectId || 'onbekend', name: actor.name.slice(0, 200) }, source, detail },
      this.deps.now(),
    );
  }

  /** An Action.Submit in a 1:1 chat by someone it is not for: audited, and the same answer whether or not the reference exists. */
  private async refuseSubmit(what: 'vraag' | 'evaluatie', reference: string, actor: Actor, source: string): Promise<string> {
    await this.auditRefusal(`${what}; niet voor deze persoon`, reference, actor, source);
    this.deps.log.warn({ event: 'case.submit-refused', what });
    return SUBMIT_REFUSED;
  }

  /** Queues what a decision without a change implies (a dossier asked for again). */
  private async queue(a: Aanmelding, effects: CaseEffect[]): Promise<void> {
    const jobs = this.jobsFor(a, effects, false);
    for (const job of jobs) await this.deps.stores.outbox.enqueue(job, this.deps.now());
    if (jobs.length > 0) this.deps.deliver();
  }

  /**
   * The family's huisarts at the first assignment and at closure (seed 004), unless the family refused: a message to
   * the practice's contact in Teams; without one, a letter for the assignee (in the dossier at assignment, 1:1 at
   * closure to whoever closed it). The keys make each moment go once.
   */
  private huisartsFollowUp(before: Aanmelding, after: Aanmelding, actor: Actor, source: string): { jobs: NewOutboxJob[]; audit: AuditEvent[] } {
    const moment = huisartsMomentOf(before, after);
    const huisarts = moment ? huisartsToInform(after, this.deps.team) : undefined;
    if (!moment || !huisarts) return { jobs: [], audit: [] };
    const job = (to: Actor, as: 'bericht' | 'brief'): NewOutboxJob => ({
      key: `huisarts:${after.reference}:${moment}`,
      kind: 'message',
      payload: { reference: after.reference, to: { kind: 'person', aadObjectId: to.aadObjectId, name: to.name }, content: { kind: 'huisarts', moment, as } } satisfies MessagePayload,
    });
    if (huisarts.contact) return { jobs: [job(huisarts.contact, 'bericht')], audit: [] };
    if (moment === 'afgesloten') {
      const to = isAssignedTo(after, actor.aadObjectId) ? actor : after.assignee!;
      return { jobs: [job(to, 'brief')], audit: [] };
    }
    // The letter comes with the dossier the assignee receives now (bot/deliveries.ts).
    return {
      jobs: [],
      audit: [{ event: 'huisarts.geinformeerd', reference: after.reference, actor: { id: actor.aadObjectId, name: actor.name }, source, detail: `betrokkenheid: brief voor de huisarts in het dossier van ${after.assignee!.name}`.slice(0, 200) }],
    };
  }

  /** What a decision implies as outbox jobs: a card update for everyone (after a change), 1:1 messages. */
  private jobsFor(a: Aanmelding, effects: CaseEffect[], changed: boolean): NewOutboxJob[] {
    const at = this.deps.now();
    const messages: { key: string; payload: MessagePayload }[] = effects.map((effect, index) => {
      const key = `${a.reference}:v${a.version}:${index}`;
      switch (effect.kind) {
        case 'tell-referrer':
          return {
            key,
            payload: {
              reference: a.reference,
              to: { kind: 'referrer', reference: a.reference },
              content: { kind: 'referrer-update', about: effect.about, ...(effect.professional ? { professional: effect.professional } : {}) },
            },
          };
        case 'send-dossier':
          // Asked again later (a new view) gets a new key; the same request retried by Teams does not.
          return {
            key: changed ? key : `${key}:dossier:${effect.to.aadObjectId}:${Math.floor(at.getTime() / 10_000)}`,
            payload: { reference: a.reference, to: { kind: 'person', aadObjectId: effect.to.aadObjectId, name: effect.to.name }, content: { kind: 'dossier' } },
          };
        case 'forward-answer':
          return {
            key,
            payload: { reference: a.reference, to: { kind: 'person', aadObjectId: effect.to.aadObjectId, name: effect.to.name }, content: { kind: 'answer', questionId: effect.questionId } },
          };
      }
    });
    return [
      ...(changed && a.post ? [{ key: `update:${a.reference}:v${a.version}`, kind: 'update-card' as const, payload: { reference: a.reference } }] : []),
      ...messages.map((m) => ({ key: m.key, kind: 'message' as const, payload: m.payload })),
    ];
  }
}

/** The gemeente's settings the case rules read. */
function caseOptions(config: GemeenteConfig): CaseOptions {
  return { evaluationMonths: config.evaluatieNaMaanden, coachEvaluationMonths: config.evaluatieGezinscoachNaMaanden, organisaties: config.organisaties };
}

/** ", afgeschaald naar 3 uur per week" or ", afgeschaald naar waakvlam". */
function afgeschaald(a: Aanmelding): string {
  return a.triage.route === 'gezinsverzorger' ? `: afgeschaald naar ${String(hoursOf(a) ?? '–').replace('.', ',')} uur per week` : ': afgeschaald naar waakvlam; de gedragswetenschapper geeft nog akkoord';
}

function isReferrerOf(a: Aanmelding, actor: Actor): boolean {
  return (a.referrer.identity.aadObjectId ?? a.referrer.identity.id) === actor.aadObjectId;
}

function sameAction(action: string, kind: CaseRequest['kind']): boolean {
  return (
    {
      claim: 'opgepakt',
      assign: 'toegewezen',
      waitlist: 'wachtlijst',
      ask: 'vraag',
      close: 'afgesloten',
      answer: 'antwoord',
      'evaluation-date': 'evaluatie',
      evaluate: 'evaluatie',
      intensity: 'intensiteit',
      agree: 'akkoord',
      goal: 'doel',
      maatwerk: 'maatwerk',
      dossier: '',
    } as Record<string, string>
  )[kind] === action;
}

function requestFrom(verb: string, data: z.infer<typeof ActionDataSchema>): CaseRequest | { problem: string } {
  switch (verb) {
    case 'claim':
      return { kind: 'claim' };
    case 'dossier':
      return { kind: 'dossier' };
    case 'assign': {
      if (!data.professional) return { problem: 'Kies eerst aan wie je de aanmelding toewijst.' };
      // The card's intensity choice; an empty or unknown one leaves the intensity as it is.
      const intensity = IntensitySchema.safeParse(data.intensity);
      return { kind: 'assign', professional: data.professional, ...(intensity.success ? { intensity: intensity.data } : {}) };
    }
    case 'intensity': {
      const level = IntensitySchema.safeParse(data.intensity);
      return level.success ? { kind: 'intensity', level: level.data } : { problem: 'Kies een intensiteit.' };
    }
    case 'agree':
      return { kind: 'agree' };
    case 'waitlist': {
      const reason = z.enum(WAITLIST_REASONS).safeParse(data.reason);
      return reason.success ? { kind: 'waitlist', reason: reason.data } : { problem: 'Kies een reden voor de wachtlijst.' };
    }
    case 'close': {
      const reason = z.enum(CLOSE_REASONS).safeParse(data.reason);
      if (!reason.success) return { problem: 'Kies een reden om af te sluiten.' };
      const satisfaction = optionalMark.safeParse(data.satisfaction);
      if (!satisfaction.success) return { problem: 'Geef de tevredenheid als een cijfer van 1 tot en met 10, of laat het leeg.' };
      const referredTo = data.referredTo?.trim();
      return {
        kind: 'close',
        reason: reason.data,
        ...(referredTo ? { referredTo } : {}),
        ...(satisfaction.data !== undefined ? { satisfaction: satisfaction.data } : {}),
      };
    }
    case 'goal': {
      const goal = withoutControlCharacters(data.goal ?? '').trim();
      if (goal.length < 3) return { problem: 'Typ het doel dat je met het gezin hebt afgesproken.' };
      if (goal.length > GOAL_MAX_LENGTH) return { problem: `Het doel is te lang (hoogstens ${GOAL_MAX_LENGTH} tekens).` };
      return { kind: 'goal', text: goal };
    }
    case 'maatwerk': {
      const since = z.iso.date().safeParse(data.since);
      return since.success ? { kind: 'maatwerk', since: since.data } : { problem: 'Kies de datum waarop het maatwerk is gestart.' };
    }
    case 'evaluation-date': {
      const dueOn = z.iso.date().safeParse(data.dueOn);
      return dueOn.success ? { kind: 'evaluation-date', dueOn: dueOn.data } : { problem: 'Kies een evaluatiedatum.' };
    }
    case 'ask': {
      const question = withoutControlCharacters(data.question ?? '').trim();
      if (question === '') return { problem: 'Typ eerst je vraag aan de verwijzer.' };
      if (question.length > 500) return { problem: 'Je vraag is te lang (hoogstens 500 tekens).' };
      return { kind: 'ask', question, questionId: randomUUID() };
    }
    default:
      return { problem: 'Deze knop ken ik niet.' };
  }
}

export type { LinkableService };
