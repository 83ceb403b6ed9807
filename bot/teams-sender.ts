import { MemoryPacingLedger, type PacingLedger } from '../data/pacing.store.js';
import { TEAMS_CONVERSATION_LIMITS, type Limits } from '../machines/pacing.js';

/**
 * Teams limits: about 7 messages a second per conversation, and it answers 429 (and sometimes 412, 502, 504)
 * when pushed. Outgoing messages are spaced per conversation and retried with exponential back-off and jitter.
 */

export const RETRYABLE_STATUSES = new Set([429, 412, 502, 504]);

/**
 * Errors of the connection itself, before Teams could have taken the message: a kept-alive connection the other side
 * closed just as it was reused (ECONNRESET, EPIPE), or nobody listening for a moment (ECONNREFUSED). Sent again on a
 * new connection. (The connector client's own retries, which covered these, are removed: see withoutBuiltInRetry.)
 * A timeout is not among them: Teams may have taken that message, and a second one would show twice.
 */
export const RETRYABLE_CONNECTION_ERRORS = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED']);

const connectionErrorOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && RETRYABLE_CONNECTION_ERRORS.has(code) ? code : undefined;
};

export function statusOf(error: unknown): number | undefined {
  const e = error as { statusCode?: number; status?: number; response?: { status?: number } };
  return e?.statusCode ?? e?.status ?? e?.response?.status;
}

export interface RetryOptions {
  retries?: number;
  baseMs?: number;
  maxMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** status: Teams' answer; code: the connection error (ECONNRESET …) when there was no answer. */
  onRetry?: (attempt: number, status: number | undefined, delayMs: number, code?: string) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How long Teams asked us to wait (a Retry-After header, in seconds or as a date), if it said so. */
export function retryAfterMs(error: unknown, now: number = Date.now()): number | undefined {
  const headers = (error as { response?: { headers?: unknown } })?.response?.headers as
    | { get?: (name: string) => string | null | undefined; [name: string]: unknown }
    | undefined;
  const raw = typeof headers?.get === 'function' ? headers.get('retry-after') : (headers?.['retry-after'] as string | undefined);
  if (raw === undefined || raw === null || raw === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(String(raw));
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Retries a send that Teams answered with a throttling or gateway status, with back-off and jitter, and never
 * sooner than its Retry-After. For replies within a turn: what the outbox delivers is retried by the outbox.
 */
export async function withRetry<T>(send: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { retries = 3, baseMs = 400, maxMs = 8000, random = Math.random } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const status = statusOf(error);
      const code = status === undefined ? connectionErrorOf(error) : undefined;
      const retryable = status === undefined ? code !== undefined : RETRYABLE_STATUSES.has(status);
      if (!retryable || attempt >= retries) throw error;
      // Full back-off doubled per attempt, with jitter so that many senders do not retry in step; Teams' own
      // Retry-After comes first when it asks for longer (up to maxMs: a turn must still answer in time).
      const backoff = Math.min(maxMs, baseMs * 2 ** attempt) * (0.5 + random() / 2);
      const delay = Math.min(maxMs, Math.max(backoff, retryAfterMs(error) ?? 0));
      options.onRetry?.(attempt + 1, status, Math.round(delay), code);
      await (options.sleep ?? sleep)(delay);
    }
  }
}

/** Marks a turn context whose sends the outbox makes: those are tried once here, and retried by the outbox. */
export const OUTBOX_SEND = Symbol('aanmeldbot.outboxSend');

/**
 * The connector client's own pipeline retries 5xx and 429 three times by itself; stacked on ours that made 24
 * calls for one send. There is one retry layer: ours (withRetry in a turn, the outbox for what it delivers).
 */
export function withoutBuiltInRetry(connectorClient: unknown): void {
  const pipeline = (connectorClient as { client?: { pipeline?: { removePolicy?: (policy: { name: string }) => unknown } } } | undefined)?.client?.pipeline;
  pipeline?.removePolicy?.({ name: 'defaultRetryPolicy' });
}

export { TEAMS_CONVERSATION_LIMITS } from '../machines/pacing.js';

/**
 * Keeps sends to one conversation within sliding windows (Teams: 7 a second, 8 in 2 seconds, 60 in 30 seconds):
 * a short burst goes out at once, a longer one waits for room. Other conversations are not affected. The sends are
 * booked in a ledger from data/: in memory for one process, in PostgreSQL when several instances share the work.
 */
export class Pacer {
  constructor(
    private readonly limits: Limits = TEAMS_CONVERSATION_LIMITS,
    private readonly clock: () => number = Date.now,
    private readonly wait: (ms: number) => Promise<void> = sleep,
    private readonly ledger: PacingLedger = new MemoryPacingLedger(),
  ) {}

  /** Waits for room for one send in this conversation: a slot booked ahead (Pacer.ahead), or one booked now. */
  async turn(conversationId: string, ahead?: BookedAhead): Promise<void> {
    const booked = await ahead?.take();
    const at = booked ?? (await this.ledger.reserve(conversationId, this.clock(), this.limits));
    const now = this.clock();
    if (at > now) await this.wait(at - now);
  }

  /**
   * Books `count` sends in this conversation now, for a turn that is about to answer: the booking then runs beside the
   * turn's own work instead of before each send. A send finds its slot there; what the turn did not use is given back
   * when it ends (BookedAhead.release).
   */
  ahead(conversationId: string, count: number): BookedAhead {
    return new BookedAhead(this.ledger.reserveSeveral(conversationId, this.clock(), this.limits, count), (unused) => this.ledger.release(conversationId, unused));
  }
}

/** Slots booked before the sends that use them, taken in the order the sends ask. */
export class BookedAhead {
  private taken = 0;
  private released = false;
  private readonly slots: Promise<number[]>;

  constructor(
    slots: Promise<number[]>,
    private readonly giveBack: (unused: number[]) => Promise<void>,
  ) {
    // A booking that failed leaves each send to book its own (and to meet the failure there).
    this.slots = slots.catch(() => []);
  }

  /** The next booked moment, or undefined when all are taken, given back, or the booking failed. */
  async take(): Promise<number | undefined> {
    if (this.released) return undefined;
    // Claimed before the wait: two sends at once never take the same slot.
    const index = this.taken++;
    return (await this.slots)[index];
  }

  /** The turn is over: the slots no send took are given back, so they do not hold up the next turn's sends. */
  async release(): Promise<void> {
    this.released = true;
    const unused = (await this.slots).slice(this.taken);
    if (unused.length > 0) await this.giveBack(unused);
  }
}

/** Sends booked for a turn in a personal chat before it has worked out its answer (see TeamsLimitsMiddleware). */
const SENDS_BOOKED_AHEAD = 2;

/** The part of botbuilder's TurnContext the middleware needs (kept structural so this file stays botbuilder-free). */
interface SendingContext {
  activity: { type?: string; conversation?: { id?: string; conversationType?: string } };
  turnState: { get(key: unknown): unknown };
  adapter?: { ConnectorClientKey?: unknown };
  onSendActivities(handler: (context: unknown, activities: unknown[], next: () => Promise<unknown>) => Promise<unknown>): unknown;
  onUpdateActivity(handler: (context: unknown, activity: unknown, next: () => Promise<void>) => Promise<void>): unknown;
}

/**
 * Botbuilder middleware: every message and card update the bot sends, in a turn or proactively, waits for its
 * turn in the conversation. Within a turn a send Teams throttles is retried here; a send the outbox makes is tried
 * once, and the outbox tries again later (Retry-After included). The connector client's own retries are removed.
 */
export class TeamsLimitsMiddleware {
  constructor(
    private readonly pacer: Pacer,
    private readonly retry: RetryOptions = {},
  ) {}

  async onTurn(context: SendingContext, next: () => Promise<void>): Promise<void> {
    const conversationId = () => context.activity.conversation?.id ?? '';
    const key = context.adapter?.ConnectorClientKey;
    if (key !== undefined) withoutBuiltInRetry(context.turnState.get(key));
    const once = () => context.turnState.get(OUTBOX_SEND) === true;
    // A message in a personal chat is answered there, mostly with two sends (the answered question's one-line record
    // and the next question): both are booked while the turn works.
    const ahead = context.activity.type === 'message' && context.activity.conversation?.conversationType === 'personal' ? this.pacer.ahead(conversationId(), SENDS_BOOKED_AHEAD) : undefined;
    context.onSendActivities(async (_ctx, _activities, send) => {
      await this.pacer.turn(conversationId(), ahead);
      return once() ? send() : withRetry(send, this.retry);
    });
    context.onUpdateActivity(async (_ctx, _activity, update) => {
      await this.pacer.turn(conversationId(), ahead);
      return once() ? update() : withRetry(update, this.retry);
    });
    try {
      await next();
    } finally {
      // Given back after the answer: a failure only leaves a slot booked, which passes within seconds.
      ahead?.release().catch(() => undefined);
    }
  }
}
