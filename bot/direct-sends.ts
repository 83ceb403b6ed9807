import http from 'node:http';
import https from 'node:https';

/**
 * A message, a reply and a card update go to Teams as one plain HTTPS request with the activity as JSON, instead of
 * through the connector client's Azure pipeline. That pipeline walks every activity through its model mapper,
 * builds a request object through a dozen policies (tracing, user agent, redirects, logging, the compat layer) and
 * deserialises the answer again: 0.4 ms of CPU for each send on this project's 2-core machine, and a question turn
 * sends two. Measured in a profile of 1,080 question turns, the bot's CPU per turn against the echo bot's went from
 * 1.57× to 1.22–1.25× (issue 17).
 *
 * Only these three operations are replaced, on the client botbuilder made (its credentials sign each request, so
 * tokens are fetched and renewed as before); everything else (creating a conversation, members, TeamsInfo) keeps the
 * connector client. Where a proxy is set in the environment (HTTPS_PROXY, HTTP_PROXY), which the Azure pipeline
 * honours, nothing is replaced.
 *
 * What the rest of the bot reads from a failure is kept: `statusCode` and `response.headers.get('retry-after')` of a
 * refusal (withRetry, the outbox), and the `code` of a broken connection (ECONNRESET …), which node's own error has.
 */

/** The parts of botbuilder's ConnectorClient this touches (structural: this file stays free of botbuilder types). */
interface SendingClient {
  baseUri?: string;
  credentials: { signRequest(request: { url: string; method: string; headers: { set(name: string, value: string): void } }): Promise<unknown> };
  conversations: {
    sendToConversation: (conversationId: string, activity: unknown) => Promise<unknown>;
    replyToActivity: (conversationId: string, activityId: string, activity: unknown) => Promise<unknown>;
    updateActivity: (conversationId: string, activityId: string, activity: unknown) => Promise<unknown>;
  };
}

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

/** More than Teams ever answers to a send ({ id }); a longer answer is cut off, not held in memory. */
const MOST_ANSWER_BYTES = 64 * 1024;

// Kept-alive connections, as the Azure pipeline keeps them: one TLS handshake per connection, not per send.
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

/** A refusal by Teams, shaped as the Azure pipeline's RestError where the bot reads it. */
export class TeamsRefusal extends Error {
  override readonly name = 'RestError';
  readonly code = 'REST_ERROR';
  readonly response: { status: number; headers: { get(name: string): string | undefined }; bodyAsText: string };

  constructor(
    readonly statusCode: number,
    headers: http.IncomingHttpHeaders,
    body: string,
  ) {
    super(messageOf(statusCode, body));
    this.response = {
      status: statusCode,
      headers: { get: (name) => [headers[name.toLowerCase()]].flat()[0] },
      bodyAsText: body,
    };
  }
}

/** Teams' own explanation ({ error: { message } }) when it gave one, else the status. */
function messageOf(status: number, body: string): string {
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } })?.error?.message;
    if (typeof message === 'string' && message) return message;
  } catch {
    // Not JSON: the status says enough.
  }
  return `Teams antwoordde ${status}`;
}

/** True where the environment sets a proxy: the connector client's pipeline then keeps sending (it honours one). */
export function proxyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return PROXY_VARIABLES.some((name) => Boolean(env[name]));
}

/**
 * Makes a connector client send, reply and update with one direct request each (see above). Returns the client.
 * Leaves it as it is where a proxy is configured or the client has no service address.
 */
export function sendDirectly<T>(client: T, env: NodeJS.ProcessEnv = process.env): T {
  const c = client as unknown as SendingClient;
  if (proxyConfigured(env) || !c?.baseUri || !c.conversations) return client;
  const base = new URL(c.baseUri.endsWith('/') ? c.baseUri : `${c.baseUri}/`);
  if (!(base.protocol in agents)) return client;
  const activities = (conversationId: string, activityId?: string) =>
    new URL(`v3/conversations/${encodeURIComponent(conversationId)}/activities${activityId === undefined ? '' : `/${encodeURIComponent(activityId)}`}`, base);
  const send = async (method: 'POST' | 'PUT', url: URL, activity: unknown) => {
    const headers: Record<string, string> = {};
    await c.credentials.signRequest({ url: url.href, method, headers: { set: (name, value) => void (headers[name.toLowerCase()] = value) } });
    return request(method, url, activity, headers);
  };
  c.conversations.sendToConversation = (conversationId, activity) => send('POST', activities(conversationId), activity);
  c.conversations.replyToActivity = (conversationId, activityId, activity) => send('POST', activities(conversationId, activityId), activity);
  c.conversations.updateActivity = (conversationId, activityId, activity) => send('PUT', activities(conversationId, activityId), activity);
  return client;
}

/** One request with a JSON body; resolves with Teams' JSON answer ({ id }), rejects with a TeamsRefusal or node's error. */
function request(method: string, url: URL, body: unknown, headers: Record<string, string>): Promise<unknown> {
  const data = Buffer.from(JSON.stringify(body), 'utf8');
  const agent = agents[url.protocol as keyof typeof agents];
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, agent, headers: { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': data.length, accept: 'application/json', 'user-agent': 'aanmeldbot' } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MOST_ANSWER_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) return reject(new TeamsRefusal(status, res.headers, text));
        if (text.trim() === '') return resolve({});
        try {
          resolve(JSON.parse(text));
        } catch {
          // Sent, with an answer that is no JSON: nothing to read from it (no id), but the send itself worked.
          resolve({});
        }
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}
