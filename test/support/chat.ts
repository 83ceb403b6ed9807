import { TestAdapter, type Activity } from 'botbuilder';
import { ADAPTIVE_CARD_CONTENT_TYPE, type AdaptiveCard } from '../../dialogs/card.js';
import { buttonsOf, walk, type Json } from './cards.js';
import { inMemoryBot } from './in-memory-bot.js';
import type { TeamConfig } from '../../data/team.config.js';

export { buttonsOf, walk, type Button, type Json } from './cards.js';

/** A chat with the whole bot through botbuilder's TestAdapter: say, click buttons of the last card, read replies. */

/** What the referrer sees of one message from the bot: its text and the text and buttons of its card. */
export interface Seen {
  text: string;
  card?: AdaptiveCard;
}

export function seen(activity: Partial<Activity>): Seen {
  const card = activity.attachments?.find((a) => a.contentType === ADAPTIVE_CARD_CONTENT_TYPE)?.content as AdaptiveCard | undefined;
  const parts = [activity.text ?? ''];
  walk(card, (element) => {
    if (typeof element.text === 'string') parts.push(element.text);
    if (element.type === 'FactSet') for (const fact of element.facts as { title: string; value: string }[]) parts.push(`${fact.title}: ${fact.value}`);
  });
  return { text: parts.join('\n'), ...(card ? { card } : {}) };
}

/** A person in a 1:1 chat with the bot (TestAdapter's conversation has no conversationType: personal). */
export async function chatWithBot(now: Date, options: { team?: TeamConfig; from?: { id: string; name: string; aadObjectId?: string } } = {}) {
  const { bot, stores, cases } = await inMemoryBot(() => now, options);
  const adapter = new TestAdapter(async (context) => bot.run(context));
  // Messages the bot changed in place (an answered question becoming its one-line record): seen as Teams shows them.
  const updated: Partial<Activity>[] = [];
  const update = adapter.updateActivity.bind(adapter);
  adapter.updateActivity = async (context, activity) => {
    updated.push(activity);
    return update(context, activity);
  };
  let lastCard: AdaptiveCard | undefined;

  async function receive(activity: Partial<Activity>): Promise<Seen[]> {
    await adapter.receiveActivity({ type: 'message', ...(options.from ? { from: options.from } : {}), ...activity } as Activity);
    const replies = [...updated.splice(0), ...adapter.activeQueue.splice(0)].map(seen);
    lastCard = replies.findLast((reply) => reply.card)?.card ?? lastCard;
    return replies;
  }

  return {
    stores,
    cases,
    receive,
    say: (text: string) => receive({ text }),
    /** Clicks a button of the last card (or of an older one); Teams adds the card's inputs unless the button leaves them out. */
    click(title: string, inputs: Json = {}, card = lastCard): Promise<Seen[]> {
      const button = buttonsOf(card).find((b) => b.title === title);
      if (!button) throw new Error(`no button "${title}"; there are: ${buttonsOf(card).map((b) => b.title).join(', ')}`);
      return receive({ value: { ...button.data, ...(button.associatedInputs === 'none' ? {} : inputs) } });
    },
    lastCard: () => lastCard,
  };
}

export type Chat = Awaited<ReturnType<typeof chatWithBot>>;

export const textOf = (replies: Seen[]) => replies.map((r) => r.text).join('\n');
