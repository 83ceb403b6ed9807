import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { proxyConfigured, sendDirectly } from '../../bot/direct-sends.js';
import { retryAfterMs, statusOf, withRetry } from '../../bot/teams-sender.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** A stand-in for Teams' connector: records each request and answers as `answer` says. */
async function connector(answer: (seen: Seen, res: ServerResponse, req: IncomingMessage) => void) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const one = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : undefined };
      seen.push(one);
      answer(one, res, req);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen };
}
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** The parts of a ConnectorClient that are replaced, with the library's own operations standing in as markers. */
function client(baseUri: string, token = 'token-123') {
  const library = {
    sendToConversation: async (_conversationId: string, _activity: unknown): Promise<unknown> => ({ id: 'library' }),
    replyToActivity: async (_conversationId: string, _activityId: string, _activity: unknown): Promise<unknown> => ({ id: 'library' }),
    updateActivity: async (_conversationId: string, _activityId: string, _activity: unknown): Promise<unknown> => ({ id: 'library' }),
  };
  return {
    library,
    client: {
      baseUri,
      credentials: { signRequest: async (request: { headers: { set(name: string, value: string): void } }) => request.headers.set('Authorization', `Bearer ${token}`) },
      conversations: { ...library },
    },
  };
}

const activity = { type: 'message', text: 'Wat is de hoofdvraag?', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', body: [] } }] };

describe('sends, replies and card updates go to Teams as one request each', () => {
  it('posts a reply, a new message and an update to the connector paths, signed, with the activity as JSON, and returns the id Teams gave', async () => {
    const teams = await connector((seen, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `id-${seen.method}` })));
    const { client: c } = client(teams.url);
    sendDirectly(c, {});
    const conversationId = 'a:1Xyz;messageid=17';

    await expect(c.conversations.replyToActivity(conversationId, 'act 1', activity)).resolves.toEqual({ id: 'id-POST' });
    await expect(c.conversations.sendToConversation(conversationId, activity)).resolves.toEqual({ id: 'id-POST' });
    await expect(c.conversations.updateActivity(conversationId, 'act 1', activity)).resolves.toEqual({ id: 'id-PUT' });

    const path = `/v3/conversations/${encodeURIComponent(conversationId)}/activities`;
    expect(teams.seen.map((s) => [s.method, s.url])).toEqual([
      ['POST', `${path}/act%201`],
      ['POST', path],
      ['PUT', `${path}/act%201`],
    ]);
    for (const s of teams.seen) {
      expect(s.body).toEqual(activity);
      expect(s.headers.authorization).toBe('Bearer token-123');
      expect(s.headers['content-type']).toBe('application/json; charset=utf-8');
    }
  });

  it('keeps the service address path a connector has (as the Bot Framework has for some clouds)', async () => {
    const teams = await connector((_seen, res) => res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":"x"}'));
    const { client: c } = client(`${teams.url}amer`);
    sendDirectly(c, {});
    await c.conversations.sendToConversation('19:abc@thread.tacv2', activity);
    expect(teams.seen[0]!.url).toBe(`/amer/v3/conversations/${encodeURIComponent('19:abc@thread.tacv2')}/activities`);
  });

  it('fails a refusal with its status, Teams\' message and its Retry-After, so a turn retries it no sooner than asked', async () => {
    let refusals = 1;
    const teams = await connector((_seen, res) => {
      if (refusals-- > 0) res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' }).end(JSON.stringify({ error: { code: 'Throttled', message: 'Te veel berichten' } }));
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"na-wachten"}');
    });
    const { client: c } = client(teams.url);
    sendDirectly(c, {});

    const refused = await c.conversations.replyToActivity('conv', 'act', activity).catch((error: unknown) => error);
    expect(statusOf(refused)).toBe(429);
    expect(retryAfterMs(refused)).toBe(2000);
    expect((refused as Error).message).toBe('Te veel berichten');

    refusals = 1;
    const delays: number[] = [];
    const sent = await withRetry(() => c.conversations.replyToActivity('conv', 'act', activity), { sleep: async (ms) => void delays.push(ms) });
    expect(sent).toEqual({ id: 'na-wachten' });
    expect(delays).toEqual([2000]);
  });

  it('says which status Teams gave when its answer explains nothing', async () => {
    const teams = await connector((_seen, res) => res.writeHead(403).end('Forbidden'));
    const { client: c } = client(teams.url);
    sendDirectly(c, {});
    const refused = await c.conversations.sendToConversation('conv', activity).catch((error: unknown) => error);
    expect(statusOf(refused)).toBe(403);
    expect((refused as Error).message).toBe('Teams antwoordde 403');
  });

  it('fails a connection Teams closed before answering with its code, which a turn sends again on a new connection', async () => {
    let resets = 1;
    const teams = await connector((_seen, res, req) => {
      if (resets-- > 0) req.socket.destroy();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"opnieuw"}');
    });
    const { client: c } = client(teams.url);
    sendDirectly(c, {});
    const retried: (string | undefined)[] = [];
    const sent = await withRetry(() => c.conversations.replyToActivity('conv', 'act', activity), { sleep: async () => undefined, onRetry: (_attempt, _status, _delay, code) => void retried.push(code) });
    expect(sent).toEqual({ id: 'opnieuw' });
    expect(retried).toEqual(['ECONNRESET']);
    expect(teams.seen).toHaveLength(2);
  });

  it('answers an empty answer with an empty response, as the connector client does', async () => {
    const teams = await connector((_seen, res) => res.writeHead(200).end());
    const { client: c } = client(teams.url);
    sendDirectly(c, {});
    await expect(c.conversations.updateActivity('conv', 'act', activity)).resolves.toEqual({});
  });

  it('leaves the connector client as it is where a proxy is set, which only the client honours', async () => {
    const { client: c, library } = client('https://smba.trafficmanager.net/emea/');
    expect(proxyConfigured({ HTTPS_PROXY: 'http://proxy.gemeente.local:3128' })).toBe(true);
    expect(proxyConfigured({})).toBe(false);
    sendDirectly(c, { HTTPS_PROXY: 'http://proxy.gemeente.local:3128' });
    expect(c.conversations).toEqual(library);
    sendDirectly(c, {});
    expect(c.conversations.replyToActivity).not.toBe(library.replyToActivity);
  });
});
