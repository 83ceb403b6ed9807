import { CardFactory, TurnContext, type Activity, type CloudAdapter, type ConversationParameters } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import { z } from 'zod';
import type { Aanmelding, ConversationRef } from '../data/aanmelding.schema.js';
import type { ChannelLink, LinkableService } from '../data/channel-link.store.js';
import type { GemeenteConfig } from '../data/gemeente.config.js';
import type { NewOutboxJob, OutboxJob } from '../data/outbox.store.js';
import type { Stores } from '../data/stores.js';
import type { TeamConfig } from '../data/team.config.js';
import { auditVerifyFailed } from '../dialogs/audit-notice.js';
import type { AdaptiveCard, Reply } from '../dialogs/card.js';
import { channelGoneNotice, channelRenamedNotice, idleCasesNotice, spoedEscalationNotice, spoedWithoutChannelNotice } from '../dialogs/channel.dialog.js';
import { huisartsLetterCard, huisartsMessage } from '../dialogs/huisarts-message.js';
import { huisartsToInform } from '../machines/huisarts-feedback.js';
import { answerForwarded, dossierCard, evaluationReminder, referrerUpdate, teamCard } from '../dialogs/referral.card.js';
import { addMonths, localDate } from '../machines/dates.js';
import { onDutyFor } from '../machines/duty.js';
import { evaluationMonthsFor, type Assignment } from '../machines/referral-case.js';
import { isWaitingForPickup, waitedMinutes } from '../machines/spoed-escalation.js';
import { isNeverPosted } from '../machines/retention.js';
import type { Logger } from './logger.js';
import { OUTBOX_SEND, retryAfterMs, statusOf, type Pacer } from './teams-sender.js';
import { asReference, toActivity, toRef } from './activities.js';
import { NoticePayloadSchema, type ChannelLifecycle, type NoticePayload } from './channel-lifecycle.js';

/** The service whose channel receives an aanmelding: SPOED and the jeugdconsulent's route go to the jeugdconsulenten. */
export function serviceOf(a: Pick<Aanmelding, 'triage'>): LinkableService {
  if (a.triage.route === 'gezinsverzorger') return 'gezinsverzorger';
  return a.triage.urgent || a.triage.route === 'jeugdconsulent' ? 'jeugdconsulent' : 'gezinscoach';
}

/** The channels that may receive it, first choice first: without a jeugdconsulent channel, the gezinscoaches' one. */
export function servicesFor(a: Pick<Aanmelding, 'triage'>): LinkableService[] {
  const first = serviceOf(a);
  return first === 'jeugdconsulent' ? ['jeugdconsulent', 'gezinscoach'] : [first];
}

/** The linked channel that receives it now, if any. */
export async function channelFor(a: Pick<Aanmelding, 'triage'>, channels: { get(service: LinkableService): Promise<ChannelLink | undefined> }): Promise<ChannelLink | undefined> {
  for (const service of servicesFor(a)) {
    const link = await channels.get(service);
    if (link) return link;
  }
  return undefined;
}

/** Which aanmeldingen go to a channel at all: the ones a team has to act on. */
export function isForTheTeam(a: Pick<Aanmelding, 'triage'>): boolean {
  return !isNeverPosted(a);
}

/** The job that posts an aanmelding to a linked channel: one per aanmelding and link, however often it is queued. */
export function postJob(reference: string, link: Pick<ChannelLink, 'linkedAt'>): NewOutboxJob {
  return { key: `post:${reference}:${link.linkedAt}`, kind: 'post', payload: { reference } };
}

const TargetSchema = z.union([
  z.strictObject({ kind: z.literal('referrer'), reference: z.string() }),
  z.strictObject({ kind: z.literal('person'), aadObjectId: z.string(), name: z.string() }),
]);
export type Target = z.infer<typeof TargetSchema>;

/** What a 1:1 message says is rendered when it is sent: the outbox holds references, never a family's data. */
const ContentSchema = z.union([
  /** `professional`: who picked it up (a keukentafelgesprek's referrer hears each of its two people). */
  z.strictObject({ kind: z.literal('referrer-update'), about: z.enum(['opgepakt', 'wachtlijst', 'vraag', 'afgesloten']), professional: z.string().optional() }),
  z.strictObject({ kind: z.literal('dossier') }),
  z.strictObject({ kind: z.literal('answer'), questionId: z.string() }),
  z.strictObject({ kind: z.literal('evaluation'), dueOn: z.iso.date() }),
  /**
   * The family's huisarts told at assignment or closure: to the practice's contact in Teams, or (no contact) to the
   * assignee as a letter to send on (machines/huisarts-feedback.ts).
   */
  z.strictObject({ kind: z.literal('huisarts'), moment: z.enum(['toegewezen', 'afgesloten']), as: z.enum(['bericht', 'brief']) }),
  /** To a coordinator: a SPOED aanmelding nobody picked up (bot/spoed-escalation.ts). */
  z.strictObject({ kind: z.literal('spoed-escalation'), level: z.number().int().min(1).max(2) }),
]);
export const MessagePayloadSchema = z.strictObject({ reference: z.string(), to: TargetSchema, content: ContentSchema });
export type MessagePayload = z.infer<typeof MessagePayloadSchema>;
const ReferencePayloadSchema = z.looseObject({ reference: z.string() });


export interface DeliveryDeps {
  adapter: CloudAdapter;
  appId: string;
  stores: Stores;
  config: GemeenteConfig;
  team: TeamConfig;
  log: Logger;
  pacer: Pacer;
  now: () => Date;
  /** Told when Teams refuses a channel post for good (403/404): the channel is unlinked and the coordinators hear it. */
  lifecycle?: ChannelLifecycle;
}

export type DeliveryResult = { ok: true } | { ok: false; permanent: boolean; error: string; retryAfterMs?: number };

/**
 * What a failed send means for its job: Teams' 403 (the bot is no longer in that team or chat) and 404 (the
 * conversation is gone) will not get better by trying again; anything else is tried again by the outbox, not sooner
 * than Teams' Retry-After.
 */
export function failureOf(error: unknown): DeliveryResult & { ok: false } {
  const status = statusOf(error);
  const retryAfter = retryAfterMs(error);
  return {
    ok: false,
    permanent: status === 403 || status === 404,
    error: `${status ? `HTTP ${status}: ` : ''}${error instanceof Error ? error.message : String(error)}`.slice(0, 300),
    ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
  };
}

/** Carries out outbox jobs against Teams (or the Playground, or a test's fake connector). */
export class Deliveries {
  constructor(private readonly deps: DeliveryDeps) {}

  async run(job: OutboxJob): Promise<DeliveryResult> {
    if (job.kind === 'notice') {
      const notice = NoticePayloadSchema.safeParse(job.payload);
      if (!notice.success) return { ok: false, permanent: true, error: 'ongeldige opdracht' };
      try {
        return await this.notice(notice.data);
      } catch (error) {
        return failureOf(error);
      }
    }
    const parsed = (job.kind === 'message' ? MessagePayloadSchema : ReferencePayloadSchema).safeParse(job.payload);
    if (!parsed.success) return { ok: false, permanent: true, error: 'ongeldige opdracht' };
    const aanmelding = await this.deps.stores.referrals.get(parsed.data.reference);
    if (!aanmelding) return { ok: false, permanent: true, error: 'aanmelding bestaat niet' };
    try {
      if (job.kind === 'post') return await this.post(aanmelding);
      if (job.kind === 'update-card') return await this.updateCard(aanmelding);
      return await this.message(aanmelding, parsed.data as MessagePayload);
    } catch (error) {
      return failureOf(error);
    }
  }

  /**
   * The card for the channel as everyone sees it (each viewer's own actions come with the refresh). `mention`: the
   * first post of a SPOED aanmelding @mentions the jeugdconsulenten on duty; updates name them without notifying.
   */
  channelCard(a: Aanmelding, assignments: Assignment[], mention = false): AdaptiveCard {
    const { config, team, now } = this.deps;
    const duty = onDutyFor(a, team, now());
    return teamCard(a, assignments, { config, team, ...(duty ? { onDuty: { ...duty, mention } } : {}) });
  }

  private async post(a: Aanmelding): Promise<DeliveryResult> {
    const { stores, pacer, now, log } = this.deps;
    if (a.post) return { ok: true };
    const link = await channelFor(a, stores.channels);
    if (!link) return { ok: false, permanent: true, error: 'geen kanaal gekoppeld' };
    const card = this.channelCard(a, await stores.referrals.assignments(), true);
    let posted: { conversationId: string; activityId: string } | undefined;
    await pacer.turn(link.channelId);
    // Tried once: when Teams refuses, the outbox tries again later; when it refuses for good, the channel is gone.
    await this.proactive(link.reference, async (context) => {
      // The connector's own answer has both ids; botbuilder's createConversationAsync drops the activity id,
      // which we need to update the card in place later.
      const client = context.turnState.get<ConnectorClient>(context.adapter.ConnectorClientKey);
      const created = await client.conversations.createConversation({
        isGroup: true,
        channelData: { channel: { id: link.channelId } },
        activity: messageWith(card) as Activity,
      } as ConversationParameters);
      posted = { conversationId: created.id, activityId: created.activityId ?? created.id };
    }).catch(async (error: unknown) => {
      const failure = failureOf(error);
      if (failure.permanent) await this.deps.lifecycle?.gone({ channelId: link.channelId }, 'plaatsen-geweigerd');
      throw error;
    });
    if (!posted) return { ok: false, permanent: false, error: 'geen antwoord op plaatsen' };
    const at = now();
    const post = { service: link.service, ...posted, serviceUrl: link.reference.serviceUrl, postedAt: at.toISOString() };
    const where = posted.conversationId;
    const saved = await stores.referrals.annotate(
      a.reference,
      (current) => ({ ...current, post }),
      () => ({ audit: [{ event: 'aanmelding.geplaatst', reference: a.reference, actor: { id: 'bot', name: 'Aanmeldbot' }, source: where, detail: `kanaal ${link.service}` }] }),
      at,
    );
    log.info({ event: 'aanmelding.posted', reference: a.reference, service: link.service });
    // A change made while we were posting shows on the card right away.
    if (saved && saved.version !== a.version) return this.updateCard(saved);
    return { ok: true };
  }

  private async updateCard(a: Aanmelding): Promise<DeliveryResult> {
    if (!a.post) return { ok: true };
    const post = a.post;
    const card = this.channelCard(a, await this.deps.stores.referrals.assignments());
    // Pacing and retries on 429/412/502/504 come from TeamsLimitsMiddleware, which every send passes through.
    await this.proactive({ serviceUrl: post.serviceUrl, channelId: 'msteams', conversation: { id: post.conversationId } }, async (context) => {
      await context.updateActivity({ ...messageWith(card), id: post.activityId, conversation: { id: post.conversationId } } as Partial<Activity>);
    });
    return { ok: true };
  }

  private async message(a: Aanmelding, payload: MessagePayload): Promise<DeliveryResult> {
    const { stores, config, now } = this.deps;
    let reply: Reply;
    switch (payload.content.kind) {
      case 'referrer-update': {
        // Only the waiting-list message says how long the list is.
        const waiting = payload.content.about === 'wachtlijst' ? (await stores.referrals.open()).filter((x) => x.status === 'wachtlijst' && serviceOf(x) === serviceOf(a)).length : 0;
        reply = referrerUpdate(a, payload.content.about, waiting, payload.content.professional);
        break;
      }
      case 'dossier': {
        // No Teams contact at the family's practice: the letter for the huisarts comes with the dossier.
        const huisarts = a.assignee ? huisartsToInform(a, this.deps.team) : undefined;
        const letter = huisarts && !huisarts.contact ? { to: huisarts, moment: a.status === 'afgesloten' ? ('afgesloten' as const) : ('toegewezen' as const) } : undefined;
        reply = { card: dossierCard(a, config, letter) };
        break;
      }
      case 'huisarts': {
        // Checked again when sent: the family's permission or practice may have changed since it was queued.
        const huisarts = huisartsToInform(a, this.deps.team);
        if (!huisarts) return { ok: true };
        reply = payload.content.as === 'bericht' ? huisartsMessage(a, payload.content.moment, huisarts, config) : { card: huisartsLetterCard(a, huisarts, config) };
        break;
      }
      case 'answer':
        reply = answerForwarded(a, payload.content.questionId);
        break;
      case 'evaluation':
        // Moved or recorded meanwhile: this reminder is not needed any more.
        if (a.evaluation?.dueOn !== payload.content.dueOn || a.status === 'afgesloten') return { ok: true };
        reply = {
          card: evaluationReminder(
            a,
            addMonths(localDate(now()), evaluationMonthsFor(a, { evaluationMonths: config.evaluatieNaMaanden, coachEvaluationMonths: config.evaluatieGezinscoachNaMaanden }) ?? config.evaluatieNaMaanden),
            config,
            this.deps.team,
          ),
        };
        break;
      case 'spoed-escalation':
        // Picked up meanwhile: the warning is not needed any more.
        if (!isWaitingForPickup(a)) return { ok: true };
        reply = spoedEscalationNotice(a, payload.content.level, waitedMinutes(payload.content.level, { minutes: config.spoedEscalatieNaMinuten }));
        break;
    }
    const sent = await this.sendTo(payload.to, a, reply);
    if (!sent.ok) return sent;
    if (payload.content.kind === 'dossier' && payload.to.kind === 'person') {
      // NEN 7513: every view of the full record is logged, with who and where.
      await stores.audit.append(
        { event: 'dossier.verstuurd', reference: a.reference, actor: { id: payload.to.aadObjectId, name: payload.to.name }, source: sent.conversationId, detail: 'volledig dossier in persoonlijke chat' },
        now(),
      );
    }
    if (payload.content.kind === 'huisarts' && payload.to.kind === 'person') {
      const { moment, as } = payload.content;
      await stores.audit.append(
        {
          event: 'huisarts.geinformeerd',
          reference: a.reference,
          actor: { id: 'bot', name: 'Aanmeldbot' },
          source: sent.conversationId,
          detail: `${moment === 'toegewezen' ? 'betrokkenheid' : 'afsluiting'}: ${as === 'bericht' ? `bericht aan ${payload.to.name} (contactpersoon praktijk)` : `brief voor de huisarts aan ${payload.to.name}`}`.slice(0, 200),
        },
        now(),
      );
    }
    return { ok: true };
  }

  private async notice(payload: NoticePayload): Promise<DeliveryResult> {
    const { notice } = payload;
    const reply =
      notice.kind === 'channel-gone'
        ? channelGoneNotice(notice.service, notice.reason, notice.channelName)
        : notice.kind === 'channel-renamed'
          ? channelRenamedNotice(notice.service, notice.channelName)
          : notice.kind === 'spoed-without-channel'
            ? spoedWithoutChannelNotice(notice.reference)
            : notice.kind === 'stilstand'
              ? idleCasesNotice(notice.cases, notice.months, notice.more)
              : auditVerifyFailed(notice.seq, notice.problem);
    const sent = await this.sendTo({ kind: 'person', ...payload.to }, undefined, reply, payload.serviceUrl);
    return sent.ok ? { ok: true } : sent;
  }

  /** A 1:1 message to the referrer of `a`, or to a person (in their chat with the bot, or a new one). */
  private async sendTo(to: Target, a: Aanmelding | undefined, reply: Reply, serviceUrl?: string): Promise<DeliveryResult & { conversationId?: string }> {
    const { appId, stores, team } = this.deps;
    let reference: ConversationRef | undefined;
    let person: { teamsUserId?: string; serviceUrl?: string; tenantId?: string; aadObjectId: string; name: string } | undefined;
    if (to.kind === 'referrer') {
      reference = a?.referrer.conversation;
      if (!reference) return { ok: false, permanent: true, error: 'geen gesprek met de verwijzer bekend' };
    } else {
      const known = await stores.people.get(to.aadObjectId);
      reference = known?.personal;
      const configured = [...team.coordinators, ...team.professionals].find((p) => p.aadObjectId === to.aadObjectId);
      person = {
        aadObjectId: to.aadObjectId,
        name: to.name,
        teamsUserId: known?.teamsUserId ?? configured?.teamsUserId,
        // A notice about no aanmelding without a serviceUrl of its own: the team's channel tells where Teams is.
        serviceUrl: known?.serviceUrl ?? serviceUrl ?? a?.post?.serviceUrl ?? a?.referrer.conversation?.serviceUrl ?? (a ? undefined : (await stores.channels.all())[0]?.reference.serviceUrl),
        tenantId: known?.tenantId,
      };
    }
    const activity = toActivity(reply);
    if (reference) {
      const ref = reference;
      await this.proactive(ref, async (context) => void (await context.sendActivity(activity)));
      return { ok: true, conversationId: ref.conversation.id };
    }
    // Never chatted with the bot: start a 1:1 chat with them (Teams allows this within the tenant).
    if (!person?.teamsUserId || !person.serviceUrl) return { ok: false, permanent: true, error: 'persoon niet bereikbaar (nog nooit gezien)' };
    let started: ConversationRef | undefined;
    const target = person;
    const tenant = target.tenantId ? { tenantId: target.tenantId } : {};
    // Through a proactive turn, like every other send: the connector client's own retries are off there, so a
    // refusal is tried once now and again later by the outbox. (adapter.createConversationAsync would retry 3 times
    // itself before the outbox does.)
    await this.proactive({ serviceUrl: target.serviceUrl!, channelId: 'msteams', conversation: { id: `nieuw:${target.aadObjectId}` } }, async (context) => {
      const client = context.turnState.get<ConnectorClient>(context.adapter.ConnectorClientKey);
      const created = await client.conversations.createConversation({
        isGroup: false,
        bot: { id: appId, name: 'Aanmeldbot' },
        members: [{ id: target.teamsUserId!, name: target.name }],
        ...(target.tenantId ? { tenantId: target.tenantId, channelData: { tenant: { id: target.tenantId } } } : {}),
      } as ConversationParameters);
      const conversation = { id: created.id, conversationType: 'personal', ...tenant };
      await this.deps.pacer.turn(created.id);
      await client.conversations.sendToConversation(created.id, {
        ...activity,
        channelId: 'msteams',
        serviceUrl: target.serviceUrl!,
        from: { id: appId, name: 'Aanmeldbot' },
        recipient: { id: target.teamsUserId!, name: target.name },
        conversation,
      } as Activity);
      started = toRef({ serviceUrl: target.serviceUrl!, channelId: 'msteams', conversation, bot: { id: appId, name: 'Aanmeldbot' }, user: { id: target.teamsUserId!, name: target.name } } as never);
    });
    if (started) {
      await stores.people.remember({
        aadObjectId: target.aadObjectId,
        teamsUserId: target.teamsUserId!,
        name: target.name,
        serviceUrl: target.serviceUrl!,
        personal: started,
        ...(target.tenantId ? { tenantId: target.tenantId } : {}),
      });
    }
    return { ok: true, conversationId: started?.conversation.id };
  }
  /**
   * Runs a send of the outbox in a conversation: tried once (the middleware does not retry it), and a refusal comes
   * back here as an error for the job, instead of reaching the adapter's turn-error handler, which would post
   * "Er ging iets mis" into that conversation (a team channel).
   */
  private async proactive(reference: ConversationRef, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    let failure: unknown;
    await this.deps.adapter.continueConversationAsync(this.deps.appId, asReference(reference), async (context) => {
      context.turnState.set(OUTBOX_SEND, true);
      try {
        await logic(context);
      } catch (error) {
        failure = error;
      }
    });
    if (failure !== undefined) throw failure;
  }
}

function messageWith(card: AdaptiveCard): Partial<Activity> {
  return { type: 'message', attachments: [CardFactory.adaptiveCard(card)] };
}
