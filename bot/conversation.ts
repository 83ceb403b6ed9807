import { randomUUID } from 'node:crypto';
import { createActor, type AnyMachineSnapshot, type AnyStateMachine, type EventFromLogic, type SnapshotFrom } from 'xstate';
import type { Aanmelding, ConversationRef, NewAanmelding, ReferrerRole, TeamsIdentity } from '../data/aanmelding.schema.js';
import type { NewOutboxJob } from '../data/outbox.store.js';
import type { ConversationRecord } from '../data/conversation-state.store.js';
import type { GemeenteConfig } from '../data/gemeente.config.js';
import { KeyedMutex } from '../data/keyed-mutex.js';
import type { Stores } from '../data/stores.js';
import type { Reply } from '../dialogs/card.js';
import { CardDataSchema, type FlowDialog, type ReferrerDefaults, type RenderNote, type UserInput } from '../dialogs/flow.js';
import type { IntakeContext, IntakeMachine } from '../machines/intake.machine.js';
import { answersOf, triageInputOf } from '../machines/intake.record.js';
import { assigneesOf, isAssignedTo } from '../machines/referral-case.js';
import { routeFor } from '../machines/triage.js';
import { withinWorkingHours } from '../machines/working-hours.js';
import {
  cancelled,
  completed,
  completionRefusal,
  completionReference,
  didYouMean,
  finishedFlow,
  nothingToComplete,
  generalHelp,
  gezinsverzorgerNotForYou,
  intakePurged,
  restarted,
  submitFailed,
  submitted,
  suggestedCommand,
  topLevelCommand,
  welcome,
} from '../dialogs/welcome.dialog.js';
import { deliveryNote } from '../dialogs/channel.dialog.js';
import { hisRefused, hisRequest, hisSummaryCard, statusOverview, waitsForPickup } from '../dialogs/status.dialog.js';
import type { WaitingTime } from '../machines/waiting-time.js';
import { isShortSpoed } from '../dialogs/referral.card.js';
import type { Logger } from './logger.js';

/** One message from one person in one conversation. */
export interface Turn {
  /** Conversation and user: a group chat never mixes two people's answers. */
  key: string;
  activityId?: string;
  conversationId: string;
  user: TeamsIdentity;
  input: UserInput;
  /** Where to reach this person later (feedback on their aanmelding). */
  conversationRef?: ConversationRef;
}

export interface ConversationDeps {
  stores: Stores;
  config: GemeenteConfig;
  intake: FlowDialog<IntakeMachine>;
  /** A casemanager's request for a gezinsverzorger, when the gemeente offers one. */
  gezinsverzorger?: FlowDialog<IntakeMachine>;
  log: Logger;
  newId?: () => string;
  /** The referrer's role as the team configuration knows it (verwijzers[].rol), if at all. */
  roleOf?: (aadObjectId: string | undefined) => ReferrerRole | undefined;
  /** What the team configuration knows of a referrer (role, practice, the wijk it suggests). */
  referrerOf?: (aadObjectId: string | undefined) => ReferrerDefaults | undefined;
  /**
   * The channel post for a new aanmelding, when its team has a channel: a job to commit together with the record
   * (given the reference it gets). Undefined: nothing to post now.
   */
  postJobFor?: (draft: NewAanmelding) => Promise<((reference: string) => NewOutboxJob) | undefined>;
  /** After a stored aanmelding: starts its delivery and says whether it goes to a channel. */
  onSubmitted?: (aanmelding: Aanmelding) => Promise<'posting' | 'no-channel' | 'not-for-team'>;
  /** Starts the outbox on what a completed short acute aanmelding queued (the card, the assignee's dossier). */
  deliver?: () => void;
  /** The expected waiting time of a route (bot/waiting-times.ts), told when an aanmelding is sent and in "status". */
  waitingTime?: (route: Aanmelding['triage']['route']) => Promise<WaitingTime>;
}

/** Sends a turn's replies; resolves with the id of the message that holds the open question card, if one was sent. */
export type Deliver = (replies: Reply[]) => Promise<string | undefined>;

const REMEMBERED_ACTIVITY_IDS = 20;

/**
 * Runs every turn the same way: restore the conversation's snapshot → interpret the input → send the event →
 * persist the new snapshot (or store the finished aanmelding) → render the prompt for the new state.
 */
export class Conversations {
  private readonly mutex = new KeyedMutex();
  private readonly newId: () => string;
  /** Each running turn's new state, until its replies are out (see handle). */
  private readonly unsaved = new WeakMap<Turn, ConversationRecord>();

  constructor(private readonly deps: ConversationDeps) {
    this.newId = deps.newId ?? randomUUID;
  }

  /**
   * One turn, under the chat's lock from reading its state to writing it: the replies are worked out, `deliver` sends
   * them, and then the new state is written once, with the message that holds the open question (the next answer
   * replaces it in place by a one-line record: issue 16). One write per turn, after the person has the question.
   * When the write fails after the replies went out, the turn fails; the state is then the one before this answer, and
   * a click on the card just sent is stale and asks that question again, as after a kill in that moment (issue 17).
   */
  handle(turn: Turn, deliver: Deliver = async () => undefined): Promise<void> {
    return this.mutex.run(turn.key, async () => {
      const replies = await this.handleInOrder(turn);
      const questionId = await deliver(replies);
      const record = this.unsaved.get(turn);
      this.unsaved.delete(turn);
      const { conversations } = this.deps.stores;
      if (record) await conversations.put(turn.key, questionId && record.flow ? { ...record, questionActivityId: questionId } : record);
      else if (questionId) await conversations.markQuestion(turn.key, questionId);
    });
  }

  /** Resolves when no turn is running any more. */
  idle(): Promise<void> {
    return this.mutex.idle();
  }

  private async handleInOrder(turn: Turn): Promise<Reply[]> {
    const { stores } = this.deps;
    let record: ConversationRecord = (await stores.conversations.get(turn.key)) ?? {
      updatedAt: turn.input.at.toISOString(),
      seenActivityIds: [],
    };
    if (turn.activityId) {
      // Teams re-sends an activity it believes was lost; the first one was handled already.
      if (record.seenActivityIds.includes(turn.activityId)) {
        this.deps.log.info({ event: 'turn.duplicate', activityId: turn.activityId });
        return [];
      }
      record = { ...record, seenActivityIds: [...record.seenActivityIds, turn.activityId].slice(-REMEMBERED_ACTIVITY_IDS) };
    }

    // An unfinished intake purged for being idle (bot/retention.ts): said once, whatever this person does now.
    if (record.purged) {
      const notice = intakePurged(record.purged.idleDays);
      record = { ...record, purged: undefined };
      if (CardDataSchema.safeParse(turn.input.value).success && topLevelCommand(turn.input) === undefined) {
        await this.save(turn, record);
        return [notice, welcome()];
      }
      return [notice, ...(await this.respond(record, turn))];
    }
    return this.respond(record, turn);
  }

  private async respond(record: ConversationRecord, turn: Turn): Promise<Reply[]> {
    const replies: Reply[] = [];
    // "Kopieer voor het HIS" under a sent aanmelding or in status: answered beside whatever runs now.
    const his = hisRequest(turn.input);
    if (his) {
      await this.save(turn, record);
      return [await this.hisSummary(his, turn)];
    }
    if (record.flow) {
      const flow = this.flowById(record.flow.id);
      const snapshot = flow && record.flow.version === flow.version ? flow.restore(record.flow.snapshot) : undefined;
      if (flow && snapshot) return this.step(record, flow, snapshot, turn);
      this.deps.log.warn({ event: 'flow.unrestorable', flow: record.flow.id, version: record.flow.version });
      record = { ...record, flow: undefined };
      replies.push(restarted());
      return [...replies, ...(await this.start(record, turn))];
    }

    const command = topLevelCommand(turn.input);
    if (command === 'start') return this.start(record, turn);
    if (command === 'aanvullen') return this.startCompletion(record, turn);
    if (command === 'gezinsverzorger' && this.deps.gezinsverzorger) {
      // The request is for the roles the gemeente allows, as the team knows the person; typing it proves no role.
      const role = this.deps.roleOf?.(turn.user.aadObjectId);
      if (role && this.deps.config.gezinsverzorgerAanvragers.includes(role)) return this.start(record, turn, this.deps.gezinsverzorger, { role });
      this.deps.log.info({ event: 'gezinsverzorger.not-allowed' });
      return [gezinsverzorgerNotForYou(this.deps.config), ...(await this.start(record, turn))];
    }
    await this.save(turn, record);
    if (command === 'help') return [generalHelp(this.deps.config)];
    if (command === 'status') {
      const me = turn.user.aadObjectId ?? turn.user.id;
      const mine = await this.deps.stores.referrals.forPerson(me);
      const referred = mine.filter((a) => (a.referrer.identity.aadObjectId ?? a.referrer.identity.id) === me);
      const waiting = new Map<string, WaitingTime>();
      for (const a of referred) {
        const estimate = waitsForPickup(a) ? await this.waitingTime(a) : undefined;
        if (estimate) waiting.set(a.reference, estimate);
      }
      return [statusOverview(referred, mine.filter((a) => isAssignedTo(a, me)), this.deps.config, waiting)];
    }
    const card = CardDataSchema.safeParse(turn.input.value);
    if (card.success) {
      const last = record.last?.instanceId === card.data.instance ? record.last : undefined;
      return [finishedFlow(last?.reference, last?.outcome), welcome()];
    }
    const guess = suggestedCommand(turn.input);
    if (guess) return [didYouMean(guess)];
    return [welcome(firstName(turn.user.name))];
  }

  /** The waiting time for an aanmelding's route; a failure to compute it never stands in the way of the answer. */
  private async waitingTime(a: Aanmelding): Promise<WaitingTime | undefined> {
    try {
      return await this.deps.waitingTime?.(a.triage.route);
    } catch (error) {
      this.deps.log.warn({ event: 'waiting-time.failed', err: errorSummary(error) });
      return undefined;
    }
  }

  /** The plain-text summary for the patient record, to its referrer only; every one given is audited (NEN 7513). */
  private async hisSummary(reference: string, turn: Turn): Promise<Reply> {
    const { stores, config } = this.deps;
    const me = turn.user.aadObjectId ?? turn.user.id;
    const a = await stores.referrals.get(reference);
    if (!a || (a.referrer.identity.aadObjectId ?? a.referrer.identity.id) !== me) return hisRefused();
    await stores.audit.append(
      { event: 'aanmelding.his-samenvatting', reference, actor: { id: me, name: turn.user.name }, source: turn.conversationId, detail: 'samenvatting voor het HIS in persoonlijke chat' },
      turn.input.at,
    );
    return hisSummaryCard(a, config);
  }

  private flowById(id: string): FlowDialog<IntakeMachine> | undefined {
    return [this.deps.intake, this.deps.gezinsverzorger].find((flow) => flow?.id === id);
  }

  private async start(record: ConversationRecord, turn: Turn, intake: FlowDialog<IntakeMachine> = this.deps.intake, known: { role?: ReferrerRole } = {}): Promise<Reply[]> {
    const actor = createActor(intake.machine, { input: { ...intake.input(this.newId(), this.deps.referrerOf?.(turn.user.aadObjectId)), ...known } }).start();
    const snapshot = actor.getSnapshot();
    await this.save(turn, { ...record, questionActivityId: undefined, flow: { id: intake.id, version: intake.version, snapshot: actor.getPersistedSnapshot() } });
    this.deps.log.info({ event: 'flow.started', flow: intake.id, instance: intake.instanceOf(snapshot) });
    return asQuestion(intake.render(snapshot));
  }

  private async step(record: ConversationRecord, intake: FlowDialog<IntakeMachine>, snapshot: SnapshotFrom<IntakeMachine>, turn: Turn): Promise<Reply[]> {
    const { log } = this.deps;
    const state = String(snapshot.value);
    const interpretation = intake.interpret(snapshot, turn.input);
    const shown = record.questionActivityId;
    /** The previous question card, replaced in place by a one-line record (or nothing, when no card is known). */
    const collapse = (what: Parameters<typeof intake.recordOf>[1]): Reply[] => (shown ? [{ ...intake.recordOf(snapshot, what), replaces: { activityId: shown, ifRefused: 'skip' } }] : []);
    const stay = async (note: RenderNote) => {
      await this.save(turn, record);
      const again = asQuestion(intake.render(snapshot, note));
      // A card's answer did not fit: the card itself shows the problem, with what was filled in. Typed: the card
      // shrinks to its question, and it is asked again below the typed answer.
      if (shown && turn.input.value !== undefined && again.length === 1) return [{ ...again[0]!, replaces: { activityId: shown, ifRefused: 'send' as const } }];
      return [...collapse({}), ...again];
    };
    if (interpretation.kind === 'stale') return stay({ stale: true });
    if (interpretation.kind === 'problem') {
      log.info({ event: 'turn.reasked', flow: intake.id, state });
      return stay({ problem: interpretation.message, ...(interpretation.draft ? { draft: interpretation.draft } : {}) });
    }
    const event = interpretation.event;
    if (event.type === 'help') return stay({ help: true });
    if (!snapshot.can(event)) {
      return stay({ problem: event.type === 'nav.back' ? 'Dit is de eerste vraag; verder terug kan niet.' : 'Dat kan bij deze vraag niet.' });
    }

    let next = advance(intake.machine, snapshot, event);
    // The other answers of the same card (issue 16: several questions on one card), while the flow takes them.
    for (const more of interpretation.then ?? []) {
      if (next.status === 'done' || !next.snapshot.can(more)) break;
      next = advance(intake.machine, next.snapshot, more);
    }
    log.info({ event: 'turn.step', flow: intake.id, from: state, to: String(next.value) });
    if (next.status !== 'done') {
      await this.save(turn, { ...record, questionActivityId: undefined, flow: { id: intake.id, version: intake.version, snapshot: next.persisted } });
      const ack = event.type.startsWith('answer.') ? intake.acknowledgement(snapshot, next.snapshot) : undefined;
      // With the old card known, the answer's record takes its place; else the new card says it.
      return [...collapse({ ack }), ...asQuestion(intake.render(next.snapshot, shown ? {} : { ack }))];
    }

    const instanceId = intake.instanceOf(snapshot);
    // A casemanager who asks for a gezinsverzorger goes on in that request (its own flow).
    if (next.value === 'toGezinsverzorger' && this.deps.gezinsverzorger) {
      log.info({ event: 'flow.handover', from: intake.id, to: this.deps.gezinsverzorger.id });
      return this.start({ ...record, flow: undefined }, turn, this.deps.gezinsverzorger);
    }
    // "Terug" at the first question of the request: back to the intake's question what the casemanager asks for.
    if (next.value === 'backToIntake') {
      const { intake: referral } = this.deps;
      const snapshot = referral.machine.resolveState({
        value: 'service',
        context: { intakeId: this.newId(), service: 'gezinscoach', editing: false, role: next.snapshot.context.role ?? 'casemanager' },
      });
      const persisted = createActor(referral.machine, { snapshot, input: referral.input(snapshot.context.intakeId) }).getPersistedSnapshot();
      await this.save(turn, { ...record, questionActivityId: undefined, flow: { id: referral.id, version: referral.version, snapshot: persisted } });
      log.info({ event: 'flow.handover', from: intake.id, to: referral.id });
      return asQuestion(referral.render(snapshot));
    }
    if (next.value === 'submitted') {
      const completes = next.snapshot.context.completes;
      if (completes !== undefined) {
        // Like a new aanmelding: the summary card becomes one line, unless the completion failed (the summary stays).
        const { sent, replies } = await this.submitCompletion(record, intake, snapshot, next.snapshot.context, turn);
        return sent ? [...collapse({ outcome: 'verstuurd' }), ...replies] : replies;
      }
      let aanmelding: Aanmelding;
      try {
        // Write before we confirm: the referrer hears "verstuurd" only once the aanmelding is durable.
        aanmelding = await this.submitIntake(next.snapshot.context, turn);
      } catch (error) {
        log.error({ event: 'aanmelding.failed', instance: instanceId, err: errorSummary(error) });
        await this.save(turn, record); // the summary stays, with every answer
        return [submitFailed(), ...intake.render(snapshot)];
      }
      await this.save(turn, {
        ...record,
        flow: undefined,
        questionActivityId: undefined,
        last: { flowId: intake.id, instanceId, outcome: 'verstuurd', reference: aanmelding.reference },
      });
      let delivery: 'posting' | 'no-channel' | 'not-for-team';
      try {
        delivery = (await this.deps.onSubmitted?.(aanmelding)) ?? 'not-for-team';
      } catch (error) {
        // Stored is what counts; posting is retried when a channel is linked or the outbox runs again.
        log.error({ event: 'aanmelding.handover-failed', reference: aanmelding.reference, err: errorSummary(error) });
        delivery = 'no-channel';
      }
      const { config } = this.deps;
      // Outside the jeugdconsulenten's working hours a SPOED referrer hears at once whom to call now.
      const inHours = withinWorkingHours(config.werktijden, turn.input.at);
      const consent = aanmelding.answers.consent?.referral ?? 'nee';
      const waiting = delivery === 'not-for-team' ? undefined : await this.waitingTime(aanmelding);
      return [...collapse({ outcome: 'verstuurd' }), submitted(aanmelding, config, deliveryNote(delivery, config, aanmelding.triage.route, aanmelding.triage.urgent, consent, inHours), waiting)];
    }
    await this.save(turn, { ...record, flow: undefined, questionActivityId: undefined, last: { flowId: intake.id, instanceId, outcome: 'gestopt' } });
    log.info({ event: 'flow.cancelled', flow: intake.id, instance: instanceId, at: state });
    return [...collapse({ outcome: 'gestopt' }), cancelled()];
  }

  /**
   * "De rest aanvullen" of a short acute aanmelding: the intake again, from consent on, with what the short form
   * already holds (role, safety, ages, wijk). Only its referrer may, and only once.
   */
  private async startCompletion(record: ConversationRecord, turn: Turn): Promise<Reply[]> {
    const { stores, intake, log } = this.deps;
    const me = turn.user.aadObjectId ?? turn.user.id;
    const asked = completionReference(turn.input);
    const mine = (await stores.referrals.forPerson(me)).filter((a) => (a.referrer.identity.aadObjectId ?? a.referrer.identity.id) === me);
    const target = asked ? mine.find((a) => a.reference === asked) : mine.filter((a) => isShortSpoed(a) && a.status !== 'afgesloten').at(-1);
    await this.save(turn, record);
    const refusal = completionRefusal(target, asked);
    if (refusal || !target) return [refusal ?? nothingToComplete()];
    // What the team configuration knows of the referrer (their practice) counts here as in a new intake.
    const input = intake.input(this.newId(), this.deps.referrerOf?.(turn.user.aadObjectId));
    const context: IntakeContext = {
      intakeId: input.intakeId,
      service: 'gezinscoach',
      editing: false,
      role: target.referrer.role,
      ...(input.referrer ? { referrer: input.referrer } : {}),
      safety: target.answers.safety,
      children: target.answers.children,
      wijk: target.answers.wijk,
      completes: target.reference,
    };
    const snapshot = intake.machine.resolveState({ value: 'consent', context });
    const persisted = createActor(intake.machine, { snapshot, input: intake.input(context.intakeId) }).getPersistedSnapshot();
    await this.save(turn, { ...record, questionActivityId: undefined, flow: { id: intake.id, version: intake.version, snapshot: persisted } });
    log.info({ event: 'flow.started', flow: intake.id, instance: context.intakeId, completes: target.reference });
    return asQuestion(intake.render(snapshot, { ack: `Je vult ${target.reference} aan. De leeftijden en de wijk staan er al in; die kun je bij de samenvatting nog wijzigen.` }));
  }

  /** The completed intake goes into the short acute aanmelding it completes: same reference, a new version. */
  private async submitCompletion(
    record: ConversationRecord,
    intake: FlowDialog<IntakeMachine>,
    summary: SnapshotFrom<IntakeMachine>,
    context: IntakeContext,
    turn: Turn,
  ): Promise<{ sent: boolean; replies: Reply[] }> {
    const { config, log } = this.deps;
    const reference = context.completes!;
    const instanceId = context.intakeId;
    let result: { completed: Aanmelding } | { refused: Reply };
    try {
      result = await this.completeAanmelding(reference, context, turn);
    } catch (error) {
      log.error({ event: 'aanmelding.completion-failed', reference, err: errorSummary(error) });
      await this.save(turn, record);
      return { sent: false, replies: [submitFailed(), ...intake.render(summary)] };
    }
    if ('refused' in result) {
      // Completed meanwhile (another chat) or closed: the answers of this turn are not kept.
      await this.save(turn, { ...record, flow: undefined, questionActivityId: undefined, last: { flowId: intake.id, instanceId, outcome: 'gestopt' } });
      return { sent: false, replies: [result.refused] };
    }
    await this.save(turn, { ...record, flow: undefined, questionActivityId: undefined, last: { flowId: intake.id, instanceId, outcome: 'verstuurd', reference } });
    log.info({ event: 'aanmelding.completed', reference });
    this.deps.deliver?.();
    return { sent: true, replies: [completed(result.completed, config)] };
  }

  private async completeAanmelding(reference: string, context: IntakeContext, turn: Turn): Promise<{ completed: Aanmelding } | { refused: Reply }> {
    const { stores, config } = this.deps;
    const me = turn.user.aadObjectId ?? turn.user.id;
    const at = turn.input.at;
    // A coordinator may act on the card meanwhile (a new version): read again and apply to that one.
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await stores.referrals.get(reference);
      const refusal = completionRefusal(current && (current.referrer.identity.aadObjectId ?? current.referrer.identity.id) === me ? current : undefined, reference);
      if (refusal || !current) return { refused: refusal ?? nothingToComplete() };
      const answers = { ...answersOf(context), spoed: { ...current.answers.spoed!, completedAt: at.toISOString() } };
      const triage = routeFor(triageInputOf(context), config);
      const result = await stores.referrals.update(
        reference,
        current.version,
        (a) => ({ ...a, answers, triage, history: [...a.history, { at: at.toISOString(), action: 'aangevuld', by: { aadObjectId: me, name: turn.user.name }, detail: 'Aangevuld door de verwijzer' }] }),
        at,
        (stored) => ({
          jobs: [
            ...(stored.post ? [{ key: `update:${reference}:v${stored.version}`, kind: 'update-card' as const, payload: { reference } }] : []),
            // Whoever has the case gets the whole dossier now.
            ...assigneesOf(stored).map((person) => ({
              key: `aangevuld:${reference}:dossier:${person.aadObjectId}`,
              kind: 'message' as const,
              payload: { reference, to: { kind: 'person' as const, aadObjectId: person.aadObjectId, name: person.name }, content: { kind: 'dossier' as const } },
            })),
          ],
          audit: [{ event: 'aanmelding.aangevuld', reference, actor: { id: me, name: turn.user.name }, source: turn.conversationId, detail: `route ${triage.route}` }],
        }),
      );
      if (result.ok) return { completed: result.aanmelding };
      if (result.reason === 'not-found') return { refused: nothingToComplete() };
    }
    throw new Error(`aanvullen van ${reference}: steeds een nieuwere versie`);
  }

  private async submitIntake(context: IntakeContext, turn: Turn): Promise<Aanmelding> {
    const { stores, config, log } = this.deps;
    const triage = routeFor(triageInputOf(context), config);
    const draft: NewAanmelding = {
      intakeId: context.intakeId,
      referrer: {
        identity: turn.user,
        role: context.role ?? 'anders',
        conversationId: turn.conversationId,
        ...(turn.conversationRef ? { conversation: turn.conversationRef } : {}),
        ...(this.deps.referrerOf?.(turn.user.aadObjectId)?.praktijk ? { praktijk: this.deps.referrerOf(turn.user.aadObjectId)!.praktijk } : {}),
      },
      answers: answersOf(context, triage),
      triage,
    };
    // The channel post is queued in the same transaction as the aanmelding and its audit entry: no crash can
    // leave a stored aanmelding that the team never sees.
    const postTo = this.deps.postJobFor ? await this.deps.postJobFor(draft) : undefined;
    const { aanmelding, created } = await stores.referrals.create(draft, turn.input.at, (stored) => ({
      jobs: postTo ? [postTo(stored.reference)] : [],
      audit: [
        {
          event: 'aanmelding.aangemaakt',
          reference: stored.reference,
          actor: { id: turn.user.aadObjectId ?? turn.user.id, name: turn.user.name },
          source: turn.conversationId,
          detail: `route ${triage.route}${triage.urgent ? ', spoed' : ''}`,
        },
      ],
    }));
    if (created) log.info({ event: 'aanmelding.created', reference: aanmelding.reference, route: triage.route, urgent: triage.urgent });
    return aanmelding;
  }

  /** The conversation's state after this turn: written by handle() once the replies are out. */
  private async save(turn: Turn, record: ConversationRecord): Promise<void> {
    this.unsaved.set(turn, { ...record, updatedAt: turn.input.at.toISOString() });
  }
}

/** Sends one event to a machine restored from a snapshot; returns the new snapshot and its persisted form. */
function advance<TMachine extends AnyStateMachine>(machine: TMachine, snapshot: SnapshotFrom<TMachine>, event: EventFromLogic<TMachine>) {
  const actor = createActor(machine as AnyStateMachine, { snapshot: snapshot as AnyMachineSnapshot });
  actor.start();
  actor.send(event);
  const next = actor.getSnapshot();
  const persisted = actor.getPersistedSnapshot();
  actor.stop();
  return { snapshot: next as SnapshotFrom<TMachine>, persisted, status: next.status, value: String(next.value) };
}

/** A flow's question cards: their messages are kept, to be replaced once answered. */
function asQuestion(replies: Reply[]): Reply[] {
  return replies.map((reply) => (reply.card ? { ...reply, question: true as const } : reply));
}

function firstName(name: string): string | undefined {
  const first = name.trim().split(/\s+/)[0];
  return first && first.length > 1 ? first : undefined;
}

export function errorSummary(error: unknown): { name: string; message: string; stack?: string } {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'unknown', message: String(error) };
}
