import { MemoryPacingLedger, type PacingLedger } from '../data/pacing.store.js';
import { TEAMS_CONVERSATION_LIMITS, type Limits } from '../machines/pacing.js';

/**
 * Teams limits: about 7 messages a second per conversation, and it answers 429 (and sometimes 412, 502, 504)
 * when pushed. Outgoing messages are spaced per conversation and retried with exponential back-off and jitter.
 */

export const RETRYABLE_STATUSES = new Set([429, 412, 502, 504]);

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
  onRetry?: (attempt: number, status: number | undefined, delayMs: number) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(send: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { retries = 5, baseMs = 400, maxMs = 8000, random = Math.random } = options;
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const status = statusOf(error);
      if (status === undefined || !RETRYABLE_STATUSES.has(status) || attempt >= retries) throw error;
      // Full back-off doubled per attempt, with jitter so that many senders do not retry in step.
      const delay = Math.min(maxMs, baseMs * 2 ** attempt) * (0.5 + random() / 2);
      options.onRetry?.(attempt + 1, status, Math.round(delay));
      await (options.sleep ?? sleep)(delay);
    }
  }
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

  async turn(conversationId: string): Promise<void> {
    const now = this.clock();
    const at = await this.ledger.reserve(conversationId, now, this.limits);
    if (at > now) await this.wait(at - now);
  }
}

/** The part of botbuilder's TurnContext the middleware needs (kept structural so this file stays botbuilder-free). */
interface SendingContext {
  activity: { conversation?: { id?: string } };
  onSendActivities(handler: (context: unknown, activities: unknown[], next: () => Promise<unknown>) => Promise<unknown>): unknown;
  onUpdateActivity(handler: (context: unknown, activity: unknown, next: () => Promise<void>) => Promise<void>): unknown;
}

/**
 * Botbuilder middleware: every message and card update the bot sends, in a turn or proactively, waits for its
 * turn in the conversation and is retried on Teams' throttling answers.
 */
export class TeamsLimitsMiddleware {
  constructor(
    private readonly pacer: Pacer,
    private readonly retry: RetryOptions = {},
  ) {}

  async onTurn(context: SendingContext, next: () => Promise<void>): Promise<void> {
    const conversationId = () => context.activity.conversation?.id ?? '';
    context.onSendActivities(async (_ctx, _activities, send) => {
      await this.pacer.turn(conversationId());
      return withRetry(send, this.retry);
    });
    context.onUpdateActivity(async (_ctx, _activity, update) => {
      await this.pacer.turn(conversationId());
      return withRetry(update, this.retry);
    });
    await next();
  }
}
