import {
  TeamsActivityHandler,
  TurnContext,
  type Activity,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type ChannelAccount,
} from 'botbuilder';
import { z } from 'zod';
import type { PeopleStore } from '../data/people.store.js';
import type { ChannelLinkStore } from '../data/channel-link.store.js';
import type { TeamConfig } from '../data/team.config.js';
import type { Reply } from '../dialogs/card.js';
import { channelHelp, channelStatus, groupChatHelp, linked, linkRefused, linkWhich, parseChannelCommand } from '../dialogs/channel.dialog.js';
import { STATUS_LABELS } from '../dialogs/referral.card.js';
import { onlyInPersonalChat, welcome } from '../dialogs/welcome.dialog.js';
import { teamRoleOf, type Actor } from '../machines/referral-case.js';
import type { CaseService } from './case-service.js';
import type { ChannelLifecycle, GoneReason } from './channel-lifecycle.js';
import type { Logger } from './logger.js';
import type { Conversations } from './conversation.js';
import { toActivity, toRef } from './activities.js';
import type { ReferralStore } from '../data/referral.store.js';

/** Where the referral conversation may happen: never in a channel or group chat, which many people read. */
function isPersonal(context: TurnContext): boolean {
  const type = context.activity.conversation?.conversationType;
  return type === undefined || type === 'personal';
}

function teamIdOf(activity: Activity): string | undefined {
  return TeamsChannelDataSchema.safeParse(activity.channelData ?? {}).data?.team?.id;
}

function actorOf(activity: Activity): Actor {
  // An empty aadObjectId is no id (the door lets it through for the Emulator's sake): the Teams id then.
  return { aadObjectId: activity.from.aadObjectId || activity.from.id, name: activity.from.name ?? '' };
}

const AnswerSchema = z.looseObject({ flow: z.literal('vraag'), reference: z.string().min(1), question: z.string().min(1), answer: z.string().optional() });
const TeamsChannelDataSchema = z.looseObject({
  team: z.looseObject({ id: z.string().min(1) }).optional(),
  channel: z.looseObject({ id: z.string().min(1) }).optional(),
  tenant: z.looseObject({ id: z.string().min(1) }).optional(),
});

export interface BotDeps {
  conversations: Conversations;
  cases: CaseService;
  people: PeopleStore;
  channels: ChannelLinkStore;
  referrals: ReferralStore;
  team: TeamConfig;
  lifecycle: ChannelLifecycle;
  log: Logger;
  now?: () => Date;
}

/** Thin: turns activities into calls on Conversations (1:1 intake) and CaseService (the team's work). */
export class AanmeldBot extends TeamsActivityHandler {
  private readonly now: () => Date;

  constructor(private readonly deps: BotDeps) {
    super();
    this.now = deps.now ?? (() => new Date());
    this.onMessage(async (context, next) => {
      await this.remember(context);
      if (isPersonal(context)) await this.handlePersonal(context);
      else if (context.activity.conversation.conversationType === 'channel') await this.handleChannel(context);
      else await context.sendActivity(toActivity(onlyInPersonalChat()));
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient.id;
      const added = context.activity.membersAdded ?? [];
      const people = added.filter((member: ChannelAccount) => member.id !== botId);
      // Installing the app (the bot among those added) is welcomed by installationUpdate below, once; Teams and the
      // Playground send both.
      const botAdded = added.some((member: ChannelAccount) => member.id === botId);
      if (isPersonal(context) && people.length > 0 && !botAdded) await context.sendActivity(toActivity(welcome()));
      // The bot itself was added to a team: tell the team how to link a channel; to a group chat: where to refer.
      if (!isPersonal(context) && botAdded) {
        const inGroupChat = context.activity.conversation?.conversationType === 'groupChat';
        await context.sendActivity(toActivity(inGroupChat ? groupChatHelp() : channelHelp((await deps.channels.all()).map((l) => l.service))));
      }
      await next();
    });

    // Teams' lifecycle: installed and removed, channels and teams that change under a link.
    this.onInstallationUpdateAdd(async (context, next) => {
      // In a team, membersAdded (above) already explains how to link a channel.
      if (isPersonal(context)) await context.sendActivity(toActivity(welcome()));
      await next();
    });
    this.onInstallationUpdateRemove(async (context, next) => {
      const teamId = teamIdOf(context.activity);
      if (isPersonal(context)) {
        const aadObjectId = context.activity.from?.aadObjectId;
        // That chat is gone: a later message starts a new one instead of failing against the old.
        if (aadObjectId && (await deps.people.forgetPersonal(aadObjectId))) deps.log.info({ event: 'app.verwijderd', scope: 'personal' });
      } else if (teamId) await this.channelsGone(context, { teamId }, 'bot-verwijderd');
      await next();
    });
    this.onMembersRemoved(async (context, next) => {
      const botId = context.activity.recipient.id;
      const teamId = teamIdOf(context.activity);
      if (teamId && (context.activity.membersRemoved ?? []).some((member: ChannelAccount) => member.id === botId)) await this.channelsGone(context, { teamId }, 'bot-verwijderd');
      await next();
    });
    this.onTeamsChannelDeletedEvent(async (channel, _team, context, next) => {
      if (channel?.id) await this.channelsGone(context, { channelId: channel.id }, 'kanaal-verwijderd');
      await next();
    });
    this.onTeamsChannelRenamedEvent(async (channel, _team, _context, next) => {
      if (channel?.id && channel.name) await deps.lifecycle.renamed(channel.id, channel.name);
      await next();
    });
    this.onTeamsTeamArchivedEvent(async (team, context, next) => {
      if (team?.id) await this.channelsGone(context, { teamId: team.id }, 'team-gearchiveerd');
      await next();
    });
    this.onTeamsTeamDeletedEvent(async (team, context, next) => {
      if (team?.id) await this.channelsGone(context, { teamId: team.id }, 'team-verwijderd');
      await next();
    });
    this.onTeamsTeamHardDeletedEvent(async (team, context, next) => {
      if (team?.id) await this.channelsGone(context, { teamId: team.id }, 'team-verwijderd');
      await next();
    });
  }

  private async channelsGone(context: TurnContext, match: { channelId: string } | { teamId: string }, reason: GoneReason): Promise<void> {
    const from = context.activity.from;
    const actor = from?.aadObjectId ? { id: from.aadObjectId, name: from.name ?? '' } : undefined;
    await this.deps.lifecycle.gone(match, reason, actor);
  }

  protected override async onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    await this.remember(context);
    const { card } = await this.deps.cases.onCardAction(
      invokeValue.action?.verb ?? '',
      invokeValue.action?.data,
      actorOf(context.activity),
      context.activity.conversation.id,
    );
    return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card as never };
  }

  private async handlePersonal(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const value = activity.value !== null && typeof activity.value === 'object' && !Array.isArray(activity.value) ? (activity.value as Record<string, unknown>) : undefined;
    if (value?.flow === 'evaluatie') {
      const reply = await this.deps.cases.onEvaluation(value, actorOf(activity), activity.conversation.id);
      await context.sendActivity(toActivity({ text: reply }));
      return;
    }
    // Only a card of that kind is checked: a failed safeParse builds an error (0.1 ms), and most turns are intake answers.
    const answer = value?.flow === 'vraag' ? AnswerSchema.safeParse(value) : undefined;
    if (answer?.success) {
      const reply = await this.deps.cases.onAnswer(answer.data.reference, answer.data.question, answer.data.answer ?? '', actorOf(activity), activity.conversation.id);
      await context.sendActivity(toActivity({ text: reply }));
      return;
    }
    const text = (TurnContext.removeRecipientMention(activity) ?? activity.text ?? '').trim();
    const from = activity.from;
    const key = `${activity.conversation.id}|${from.aadObjectId ?? from.id}`;
    await this.deps.conversations.handle(
      {
        key,
        activityId: activity.id,
        conversationId: activity.conversation.id,
        conversationRef: toRef(TurnContext.getConversationReference(activity)),
        user: { id: from.id, ...(from.aadObjectId ? { aadObjectId: from.aadObjectId } : {}), name: from.name ?? '' },
        input: { text: value ? undefined : text, value, at: this.now() },
      },
      (replies) => this.sendReplies(context, replies),
    );
  }

  /**
   * A turn's replies in the personal chat; resolves with the id of the message holding the question card, if one was
   * sent. An answered question becoming its one-line record (dropped when Teams refuses it) goes out beside the next
   * messages: the person waits for one round trip to Teams, not two. Everything else keeps its order.
   */
  private async sendReplies(context: TurnContext, replies: Reply[]): Promise<string | undefined> {
    const beside: Promise<unknown>[] = [];
    let question: string | undefined;
    for (const reply of replies) {
      if (reply.replaces?.ifRefused === 'skip' && !reply.question) {
        const sending = this.sendPersonal(context, reply);
        // Handled at once: a failure while the next message is awaited is no unhandled rejection (which ends the
        // process); Promise.all below still makes it the turn's failure.
        sending.catch(() => undefined);
        beside.push(sending);
      } else {
        const id = await this.sendPersonal(context, reply);
        if (reply.question && id) question = id;
      }
    }
    await Promise.all(beside);
    return question;
  }

  /**
   * One reply in the personal chat: in place of an earlier message when it replaces one (an answered question
   * becomes its one-line record), else as a new message. Resolves with the id of the message that shows it.
   * Teams may refuse an update (an old message, a card it no longer holds): the chat then just goes on.
   */
  private async sendPersonal(context: TurnContext, reply: Reply): Promise<string | undefined> {
    if (reply.replaces) {
      try {
        await context.updateActivity({ ...toActivity(reply), id: reply.replaces.activityId });
        return reply.replaces.activityId;
      } catch (error) {
        this.deps.log.info({ event: 'chat.update-refused', err: error instanceof Error ? error.message : String(error) });
        if (reply.replaces.ifRefused === 'skip') return undefined;
      }
    }
    return (await context.sendActivity(toActivity(reply)))?.id;
  }

  private async handleChannel(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const said = (TurnContext.removeRecipientMention(activity) ?? activity.text ?? '').replace(/<at>.*?<\/at>/g, '').trim();
    const command = parseChannelCommand(said);
    const channelData = TeamsChannelDataSchema.safeParse(activity.channelData ?? {});
    const channelId = channelData.success ? (channelData.data.channel?.id ?? activity.conversation.id.split(';')[0]!) : activity.conversation.id.split(';')[0]!;
    const linkedServices = (await this.deps.channels.all()).map((l) => l.service);
    let reply: Reply;
    switch (command.kind) {
      case 'link-which':
        reply = linkWhich();
        break;
      case 'link': {
        const actor = actorOf(activity);
        if (teamRoleOf(actor.aadObjectId, this.deps.team) !== 'coordinator') {
          reply = linkRefused();
          break;
        }
        const reference = toRef(TurnContext.getConversationReference(activity));
        // Posts go to the channel itself (a new thread each), not to the thread this command was typed in.
        const channelReference = { ...reference, conversation: { ...reference.conversation, id: channelId } };
        const waiting = await this.deps.cases.link({
          service: command.service,
          teamId: channelData.success ? (channelData.data.team?.id ?? channelId) : channelId,
          channelId,
          reference: channelReference,
          linkedBy: actor,
          linkedAt: this.now().toISOString(),
        });
        reply = linked(command.service, waiting);
        break;
      }
      case 'status': {
        const open = await this.deps.referrals.open();
        const counts: Record<string, number> = {};
        for (const a of open) counts[STATUS_LABELS[a.status]] = (counts[STATUS_LABELS[a.status]] ?? 0) + 1;
        reply = channelStatus(counts, linkedServices);
        break;
      }
      case 'refer':
        reply = onlyInPersonalChat();
        break;
      case 'help':
        reply = channelHelp(linkedServices);
        break;
    }
    await context.sendActivity(toActivity(reply));
  }

  /** How to reach this person 1:1 later (a dossier, an answer): their Teams id, and their personal chat. */
  private async remember(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const aadObjectId = activity.from?.aadObjectId;
    if (!aadObjectId || !activity.serviceUrl) return;
    const tenantId = TeamsChannelDataSchema.safeParse(activity.channelData ?? {}).data?.tenant?.id ?? activity.conversation?.tenantId;
    await this.deps.people.remember({
      aadObjectId,
      teamsUserId: activity.from.id,
      name: activity.from.name ?? '',
      serviceUrl: activity.serviceUrl,
      ...(tenantId ? { tenantId } : {}),
      ...(isPersonal(context) ? { personal: toRef(TurnContext.getConversationReference(activity)) } : {}),
    });
  }
}
