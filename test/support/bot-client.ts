import { randomUUID } from 'node:crypto';

type Json = Record<string, unknown>;

/** Plays the Teams client in a personal chat: sends activities to the bot and reads what came back. */
export class BotClient {
  private readonly seen = new Set<Json>();

  constructor(
    /** The bot's address, or a choice per request (two instances behind a load balancer). */
    private readonly botUrl: string | (() => string),
    private readonly serviceUrl: string,
    private readonly replies: () => Json[],
    readonly conversationId = `personal-${randomUUID()}`,
    readonly user = { id: 'user-huisarts', aadObjectId: 'aad-huisarts', name: 'Dokter Jansen' },
    private readonly headers: Record<string, string> = {},
  ) {}

  activity(extra: Json): Json {
    return {
      type: 'message',
      id: `act-${randomUUID()}`,
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: this.serviceUrl,
      from: this.user,
      recipient: { id: 'bot', name: 'Aanmeldbot' },
      conversation: { id: this.conversationId, conversationType: 'personal' },
      ...extra,
    };
  }

  async post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${typeof this.botUrl === 'string' ? this.botUrl : this.botUrl()}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.headers, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  /** Sends and returns the bot's new replies (they arrive before the HTTP answer). */
  async send(extra: Json): Promise<Json[]> {
    const response = await this.post(this.activity(extra));
    if (response.status !== 200) throw new Error(`bot answered ${response.status}: ${await response.text()}`);
    return this.fresh();
  }

  say(text: string) {
    return this.send({ text });
  }

  /** Clicks the Action.Submit with this title on the newest card that has it, with values for its inputs. */
  async click(title: string, inputs: Json = {}): Promise<Json[]> {
    const action = findAction(this.replies(), title);
    if (!action) throw new Error(`no button "${title}" in the bot's replies; last reply: ${textOf(this.replies().at(-1) ?? {})}`);
    return this.send({ value: { ...(action.data as Json), ...inputs } });
  }

  /** Every reply not returned before. */
  fresh(): Json[] {
    const all = this.replies().filter((a) => !this.seen.has(a));
    for (const a of all) this.seen.add(a);
    return all;
  }
}

export function findAction(activities: Json[], title: string): Json | undefined {
  for (const activity of [...activities].reverse()) {
    const found = actionsOf(activity).find((a) => a.title === title);
    if (found) return found;
  }
  return undefined;
}

function actionsOf(activity: Json): Json[] {
  const found: Json[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Json;
      if (n.type === 'Action.Submit') found.push(n);
      Object.values(n).forEach(walk);
    }
  };
  walk(activity.attachments);
  return found;
}

/** All text a person would read in an activity: its text and every TextBlock and fact of its cards. */
export function textOf(activity: Json): string {
  const parts: string[] = [];
  if (typeof activity.text === 'string') parts.push(activity.text);
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Json;
      if (n.type === 'TextBlock' && typeof n.text === 'string') parts.push(n.text);
      if (typeof n.title === 'string' && typeof n.value === 'string' && !('type' in n)) parts.push(`${n.title}: ${n.value}`);
      Object.values(n).forEach(walk);
    }
  };
  walk(activity.attachments);
  return parts.join('\n');
}

export function allText(activities: Json[]): string {
  return activities.map(textOf).join('\n');
}

/**
 * What a person reads once Teams has applied markdown to a text: a backslash escape shows the character after it,
 * and a zero-width space is invisible. Free text is escaped when shown (dialogs/plain-text.ts).
 */
export function asRead(text: string): string {
  return text.replace(/\\([\s\S])/gu, '$1').replaceAll('\u200b', '');
}
