import { PeriodicCheck } from './periodic-check.js';
import { createHash } from 'node:crypto';
import type { NewOutboxJob } from '../data/outbox.store.js';
import type { Stores } from '../data/stores.js';
import type { TeamConfig } from '../data/team.config.js';
import { idleCasesToReport, lastChangeOf, type IdleCase } from '../machines/idle-cases.js';
import { MAX_IDLE_LISTED, type NoticePayload } from './channel-lifecycle.js';
import { errorSummary } from './conversation.js';
import type { Logger } from './logger.js';

/** The bot's own check for cases that stood still, as it appears in the audit log. */
export const IDLE_CHECK = { id: 'aanmeldbot:stilstand', name: 'Stilstand (automatisch)' };

/**
 * Open cases nobody changed for `months` (gemeente configuration stilstandMaanden) are shown to every coordinator
 * 1:1, in one notice listing them, to close (issue 14: nothing kept without end). Checked at start-up and then
 * every 6 hours.
 *
 * Never twice for one quiet period: the notices have a key per coordinator and list (references with the last change
 * they were idle since), so the outbox keeps one job however often, or by how many instances, this runs; and each
 * case records the last change it was reported for (idleNotice, bookkeeping that changes neither its version nor its
 * updatedAt), so a later check skips it until it changes again. The notices are queued before the cases are marked:
 * after a crash in between a case is reported again rather than never.
 */
export class IdleCases extends PeriodicCheck {
  constructor(
    private readonly deps: { stores: Stores; team: TeamConfig; months: number; now: () => Date; deliver: () => void; log: Logger; intervalMs?: number },
  ) {
    super(deps.intervalMs ?? 6 * 60 * 60 * 1000);
  }

  /** Reports the cases that became idle since the last check; returns how many. */
  protected run(): Promise<number> {
    return this.reportIdle();
  }

  private async reportIdle(): Promise<number> {
    const { stores, team, months, now, log } = this.deps;
    try {
      const at = now();
      const idle = idleCasesToReport(await stores.referrals.open(), at, months);
      if (idle.length === 0) return 0;
      for (const job of this.notices(idle)) await stores.outbox.enqueue(job, at);
      for (const { reference, since } of idle) {
        let marked = false;
        await stores.referrals.annotate(
          reference,
          (current) => {
            // Changed meanwhile, or marked by another instance: nothing to note.
            if (current.status === 'afgesloten' || lastChangeOf(current) !== since || current.idleNotice?.since === since) return current;
            marked = true;
            return { ...current, idleNotice: { since } };
          },
          () =>
            marked
              ? { audit: [{ event: 'aanmelding.stilstand', reference, actor: IDLE_CHECK, source: 'stilstand', detail: `${months} maanden zonder wijziging; gemeld aan ${team.coordinators.length} coördinator(en) om af te sluiten` }] }
              : {},
          at,
        );
      }
      log.info({ event: 'idle.reported', cases: idle.length, coordinators: team.coordinators.length });
      this.deps.deliver();
      return idle.length;
    } catch (error) {
      log.error({ event: 'idle.check-failed', err: errorSummary(error) });
      return 0;
    }
  }

  private notices(idle: IdleCase[]): NewOutboxJob[] {
    const { team, months } = this.deps;
    const listed = idle.slice(0, MAX_IDLE_LISTED);
    // The same list on two instances gives the same key: one notice.
    const list = createHash('sha256')
      .update(idle.map((c) => `${c.reference}@${c.since}`).join(','))
      .digest('hex')
      .slice(0, 24);
    return team.coordinators.map((coordinator) => ({
      key: `notice:stilstand:${list}:${coordinator.aadObjectId}`,
      kind: 'notice' as const,
      payload: {
        to: { aadObjectId: coordinator.aadObjectId, name: coordinator.name },
        notice: { kind: 'stilstand', months, cases: listed, more: idle.length - listed.length },
      } satisfies NoticePayload,
    }));
  }
}
