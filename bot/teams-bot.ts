import { CardFactory, TeamsActivityHandler, TurnContext, type Activity, type ChannelAccount } from 'botbuilder';
import type { Reply } from '../dialogs/card.js';
import { onlyInPersonalChat, welcome } from '../dialogs/welcome.dialog.js';
import type { Conversations } from './conversation.js';

export function toActivity(reply: Reply): Partial<Activity> {
  return {
    type: 'message',
    ...(reply.text ? { text: reply.text, textFormat: 'markdown' } : {}),
    ...(reply.card ? { attachments: [CardFactory.adaptiveCard(reply.card)] } : {}),
  };
}

/** Where the referral conversation may happen: never in a channel or group chat, which many people read. */
function isPersonal(context: TurnContext): boolean {
  const type = context.activity.conversation?.conversationType;
  return type === undefined || type === 'personal';
}

/** Thin: turns an activity into a Turn for Conversations and sends back what it answers. */
export class AanmeldBot extends TeamsActivityHandler {
  constructor(
    private readonly conversations: Conversations,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient.id;
      const people = (context.activity.membersAdded ?? []).filter((member: ChannelAccount) => member.id !== botId);
      if (people.length > 0 && isPersonal(context)) await context.sendActivity(toActivity(welcome()));
      await next();
    });
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    if (!isPersonal(context)) {
      await context.sendActivity(toActivity(onlyInPersonalChat()));
      return;
    }
    const text = (TurnContext.removeRecipientMention(activity) ?? activity.text ?? '').trim();
    const value = activity.value !== null && typeof activity.value === 'object' && !Array.isArray(activity.value) ? (activity.value as Record<string, unknown>) : undefined;
    const from = activity.from;
    const replies = await this.conversations.handle({
      key: `${activity.conversation.id}|${from.aadObjectId ?? from.id}`,
      activityId: activity.id,
      conversationId: activity.conversation.id,
      user: { id: from.id, ...(from.aadObjectId ? { aadObjectId: from.aadObjectId } : {}), name: from.name ?? '' },
      input: { text: value ? undefined : text, value, at: this.now() },
    });
    for (const reply of replies) await context.sendActivity(toActivity(reply));
  }
}
