import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ConnectorCall {
  method: string;
  path: string;
  conversationId: string;
  body: Record<string, unknown>;
  authorization?: string;
}

/**
 * What the Bot Framework Emulator does for a bot: receives the bot's replies on
 * POST /v3/conversations/:id/activities[/:replyToId] (and PUT for updates) and answers { id }.
 */
export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  private server: Server | undefined;
  private counter = 0;
  /** Status codes to answer the next calls with (e.g. 429), before answering normally again. */
  readonly failNext: number[] = [];

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '';
        const match = /^\/v3\/conversations\/([^/]+)\/activities/.exec(path);
        let body: Record<string, unknown> = {};
        try {
          body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
        } catch {
          body = {};
        }
        const fail = this.failNext.shift();
        if (fail) {
          res.writeHead(fail, { 'content-type': 'application/json' }).end('{}');
          return;
        }
        this.calls.push({
          method: req.method ?? '',
          path,
          conversationId: match ? decodeURIComponent(match[1]!) : '',
          body,
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `reply-${++this.counter}` }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Activities the bot sent into a conversation, oldest first. */
  activities(conversationId?: string): Record<string, unknown>[] {
    return this.calls.filter((c) => c.method === 'POST' && (!conversationId || c.conversationId === conversationId)).map((c) => c.body);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
