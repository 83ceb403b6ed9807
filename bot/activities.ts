import { CardFactory, type Activity, type ConversationReference } from 'botbuilder';
import { ConversationRefSchema, type ConversationRef } from '../data/aanmelding.schema.js';
import type { Reply } from '../dialogs/card.js';

/** A dialog's reply as a Bot Framework message. */
export function toActivity(reply: Reply): Partial<Activity> {
  return {
    type: 'message',
    ...(reply.text ? { text: reply.text, textFormat: 'markdown' } : {}),
    ...(reply.card ? { attachments: [CardFactory.adaptiveCard(reply.card)] } : {}),
  };
}

/**
 * A Bot Framework conversation reference as we store it (validated), without the id of the activity it was taken
 * from: that changes with every message, and would make the stored reference (and its file) change every turn.
 */
export function toRef(reference: Partial<ConversationReference>): ConversationRef {
  const { activityId: _activityId, ...stable } = reference;
  return ConversationRefSchema.parse(JSON.parse(JSON.stringify(stable)));
}

export function asReference(ref: ConversationRef): Partial<ConversationReference> {
  return ref as unknown as Partial<ConversationReference>;
}
