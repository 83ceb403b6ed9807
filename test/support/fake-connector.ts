import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  method: string;
  path: string;
  conversationId: string;
   
  body: Record<string, any>;
  authorization?: string;
  /** For CREATE: the id of the first activity in the new conversation. */
  activityId?: string;
  /** When the call arrived (performance.now() of this process: the benchmark times deliveries with it). */
  at?: number;
}

/**
 * What the Bot Framework Emulator does for a bot: receives the bot's replies on
 * POST /v3/conversations/:id/activities[/:replyToId] (and PUT for updates) and answers { id }.
 */
export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  /** The messages (POST, PUT) of each conversation, in order: a benchmark's client reads its own without scanning all. */
  private readonly byConversation = new Map<string, Record<string, unknown>[]>();
  /** When the latest message (POST, PUT) of each conversation arrived (performance.now() of this process). */
  private readonly lastArrival = new Map<string, number>();
  /** Calls answered from failNext, in order. */
  readonly refused: { status: number; path: string }[] = [];
  private server: Server | undefined;
  private counter = 0;
  /**
   * Status codes to answer the next calls with (e.g. 429, or 429 with a Retry-After in seconds), before answering
   * normally again; 'reset' closes the connection without an answer (a kept-alive connection closed as it was reused).
   */
  readonly failNext: (number | { status: number; retryAfter: string } | 'reset')[] = [];
  /** A standing refusal: answers every call it returns a status for (e.g. every new conversation with 502). */
  failWhen: ((method: string, path: string, body: Record<string, any>) => number | { status: number; retryAfter: string } | undefined) | undefined;

  async start(): Promise<string> {
    // writeHead and end apart: restify replaces ServerResponse's writeHead with one that returns nothing, so a
    // connector in the same process as the bot cannot chain them.
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        const match = /^\/v3\/conversations\/([^/]+)\/activities/.exec(path);
        let body: Record<string, unknown>;
        try {
          body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
        } catch {
          body = {};
        }
        const fail = this.failWhen?.(req.method ?? '', path, body) ?? this.failNext.shift();
        if (fail === 'reset') {
          this.refused.push({ status: 0, path });
          req.socket.destroy();
          return;
        }
        if (fail) {
          const { status, retryAfter } = typeof fail === 'number' ? { status: fail, retryAfter: undefined } : fail;
          res.writeHead(status, { 'content-type': 'application/json', ...(retryAfter ? { 'retry-after': retryAfter } : {}) });
          res.end('{}');
          this.refused.push({ status, path });
          return;
        }
        const n = ++this.counter;
        // POST /v3/conversations: a new thread in a channel (isGroup) or a new 1:1 chat.
        if (req.method === 'POST' && /^\/v3\/conversations\/?$/.test(path)) {
          const channelId = (body.channelData as { channel?: { id?: string } } | undefined)?.channel?.id;
          const conversationId = body.isGroup && channelId ? `${channelId};messageid=post-${n}` : `personal-created-${n}`;
          const activityId = `post-${n}`;
          this.calls.push({ method: 'CREATE', path, conversationId, body, activityId, at: performance.now() });
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: conversationId, activityId }));
          return;
        }
        const conversationId = match ? decodeURIComponent(match[1]!) : '';
        if (req.method === 'POST' || req.method === 'PUT') {
          const list = this.byConversation.get(conversationId) ?? [];
          list.push(body);
          this.byConversation.set(conversationId, list);
          this.lastArrival.set(conversationId, performance.now());
        }
        this.calls.push({
          method: req.method ?? '',
          path,
          conversationId,
          body,
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
          at: performance.now(),
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `reply-${n}` }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * Activities the bot sent into a conversation, oldest first; a message it changed in place (PUT) counts again, as
   * Teams shows it (an answered question that became its one-line record).
   */
  activities(conversationId?: string): Record<string, unknown>[] {
    if (conversationId) return [...(this.byConversation.get(conversationId) ?? [])];
    return this.calls.filter((c) => c.method === 'POST' || c.method === 'PUT').map((c) => c.body);
  }

  /** When the latest message (new or changed) of a conversation arrived, as performance.now() of this process. */
  lastAt(conversationId: string): number | undefined {
    return this.lastArrival.get(conversationId);
  }

  /** Conversations the bot created: channel threads (with their card) and 1:1 chats (with their first message). */
  created(): ConnectorCall[] {
    return this.calls.filter((c) => c.method === 'CREATE');
  }

  /** Card updates: PUT /v3/conversations/:id/activities/:activityId. */
  updates(): ConnectorCall[] {
    return this.calls.filter((c) => c.method === 'PUT');
  }

  /** Waits until the predicate holds over the calls so far (deliveries happen after the turn answered). */
  async waitFor<T>(find: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found) return found;
      if (Date.now() > deadline) {
        const last = this.calls.slice(-8).map((c) => `${c.method} ${c.path}`);
        throw new Error(`timed out waiting for ${what}; ${this.calls.length} calls so far, the last: ${last.join(', ')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
