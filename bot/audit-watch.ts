import type { VerifyResult } from '../data/audit-log.js';
import type { Stores } from '../data/stores.js';
import type { TeamConfig } from '../data/team.config.js';
import { localDate } from '../machines/dates.js';
import type { NoticePayload } from './channel-lifecycle.js';
import type { Logger } from './logger.js';

/**
 * Verifies the access log at start and then daily (NEN 7513: a log that proves itself is only worth something when
 * someone looks). A failure is an error log event with the entry's number and a 1:1 message to every coordinator,
 * through the outbox; the bot keeps serving. A log that verifies gets a checkpoint of its tail.
 */

export interface AuditWatchOptions {
  stores: Pick<Stores, 'audit' | 'outbox'>;
  team: TeamConfig;
  log: Logger;
  now?: () => Date;
  /** Called after messages were queued in the outbox. */
  deliver: () => void;
  /** Between verifications (default a day). */
  intervalMs?: number;
}

export interface AuditWatch {
  /** Verifies now (also what the timer calls); resolves with the result, undefined when it could not run. */
  runOnce(): Promise<VerifyResult | undefined>;
  /** Stops the timer and waits for a verification in progress. */
  stop(): Promise<void>;
}

export function startAuditWatch({ stores, team, log, now = () => new Date(), deliver, intervalMs = 24 * 60 * 60 * 1000 }: AuditWatchOptions): AuditWatch {
  let running: Promise<VerifyResult | undefined> | undefined;
  let stopped = false;

  const verify = async (): Promise<VerifyResult> => {
    const started = performance.now();
    const result = await stores.audit.verify();
    const ms = Math.round(performance.now() - started);
    if (result.ok) {
      await stores.audit.checkpoint(now());
      log.info({ event: 'audit.verified', count: result.count, ms });
      return result;
    }
    log.error({ event: 'audit.verify-failed', seq: result.seq, problem: result.problem, ms });
    const at = now();
    // One message per coordinator per day and entry: a restart the same day does not send it again.
    for (const coordinator of team.coordinators) {
      const payload: NoticePayload = {
        to: { aadObjectId: coordinator.aadObjectId, name: coordinator.name },
        notice: { kind: 'auditlog-controle', seq: result.seq, problem: result.problem.slice(0, 300) },
      };
      await stores.outbox.enqueue({ key: `auditlog-controle:${localDate(at)}:${result.seq}:${coordinator.aadObjectId}`, kind: 'notice', payload }, at);
    }
    deliver();
    return result;
  };

  const runOnce = (): Promise<VerifyResult | undefined> => {
    if (stopped) return Promise.resolve(undefined);
    running ??= verify()
      .catch((error: unknown) => {
        log.error({ event: 'audit.verify-error', err: error instanceof Error ? error.message : String(error) });
        return undefined;
      })
      .finally(() => (running = undefined));
    return running;
  };

  void runOnce();
  const interval = setInterval(() => void runOnce(), intervalMs);
  interval.unref();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(interval);
      await running;
    },
  };
}
