import type { Outbox, OutboxJob } from '../data/outbox.store.js';
import { errorSummary } from './conversation.js';
import type { Deliveries } from './deliveries.js';
import type { Logger } from './logger.js';

/**
 * Delivers outbox jobs in the background: right after a turn has answered (kick), and every few seconds for
 * jobs that wait for a retry. A failed delivery is tried again later with growing pauses; after maxAttempts,
 * or when it can never succeed, it is marked failed and logged.
 */
export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly outbox: Outbox,
    private readonly deliveries: Deliveries,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
    private readonly options: { intervalMs?: number; leaseMs?: number; maxAttempts?: number; parallel?: number } = {},
  ) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.options.intervalMs ?? 2000);
    this.timer.unref();
    this.kick();
  }

  /** Work through what is due now; returns when this round is done. */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    // The store may be away for a moment (a database failover, a full disk): say so, and try again at the next
    // kick or tick; never an unhandled rejection that takes the bot down.
    this.running = this.work()
      .catch((error: unknown) => this.log.error({ event: 'outbox.unavailable', err: errorSummary(error) }))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          void this.kick();
        }
      });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /**
   * Several jobs at a time: pacing is per conversation, so forty dossiers for one coach (paced at Teams' limit)
   * must not hold up a card update in the channel.
   */
  private async work(): Promise<void> {
    const leaseMs = this.options.leaseMs ?? 60_000;
    const parallel = this.options.parallel ?? 8;
    const running = new Set<Promise<void>>();
    for (;;) {
      const room = parallel - running.size;
      const jobs = room > 0 ? await this.outbox.claim(this.now(), leaseMs, room) : [];
      for (const job of jobs) {
        const done: Promise<void> = this.deliver(job).finally(() => running.delete(done));
        running.add(done);
      }
      if (running.size === 0) return;
      await Promise.race(running);
    }
  }

  private async deliver(job: OutboxJob): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 8;
    let result;
    try {
      result = await this.deliveries.run(job);
    } catch (error) {
      result = { ok: false as const, permanent: false, error: errorSummary(error).message };
    }
    if (result.ok) {
      await this.outbox.complete(job.id);
    } else if (result.permanent || job.attempts >= maxAttempts) {
      this.log.error({ event: 'outbox.failed', kind: job.kind, key: job.key, attempts: job.attempts, error: result.error });
      await this.outbox.fail(job.id, result.error);
    } else {
      // Growing pauses, and never sooner than Teams asked (Retry-After).
      const delay = Math.max(Math.min(5 * 60_000, 1000 * 2 ** job.attempts), 'retryAfterMs' in result ? (result.retryAfterMs ?? 0) : 0);
      this.log.warn({ event: 'outbox.retry', kind: job.kind, key: job.key, attempts: job.attempts, delayMs: delay, error: result.error });
      await this.outbox.retry(job.id, new Date(this.now().getTime() + delay), result.error);
    }
  }
}
