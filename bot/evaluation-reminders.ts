import type { Stores } from '../data/stores.js';
import { localDate } from '../machines/dates.js';
import { dueEvaluations } from '../machines/referral-case.js';
import { errorSummary } from './conversation.js';
import type { Logger } from './logger.js';

/**
 * Evaluation moments of gezinsverzorger trajectories: on the due date (or, after downtime, at the first check
 * after start-up) the casemanager and the gezinsverzorger each get one reminder in their 1:1 chat.
 *
 * Never twice: the reminder jobs have a key per aanmelding, due date and person, so the outbox keeps one job
 * however often (or by how many instances) this runs; and the aanmelding records the due date it was reminded
 * for, so a later check skips it even when the outbox has long forgotten the job.
 */
export class EvaluationReminders {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(
    private readonly deps: { stores: Stores; now: () => Date; deliver: () => void; log: Logger; intervalMs?: number },
  ) {}

  start(): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), this.deps.intervalMs ?? 60_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Queues the reminders that are due now; returns how many aanmeldingen got one. */
  check(): Promise<number> {
    this.running ??= this.queueDue().finally(() => (this.running = undefined));
    return this.running;
  }

  private async queueDue(): Promise<number> {
    const { stores, now, log } = this.deps;
    try {
      const due = dueEvaluations(await stores.referrals.open(), localDate(now()));
      for (const a of due) {
        const dueOn = a.evaluation!.dueOn;
        const content = { kind: 'evaluation' as const, dueOn };
        // The reminders and the note that they went out commit together (one transaction on PostgreSQL).
        await stores.referrals.annotate(
          a.reference,
          (current) => (current.evaluation?.dueOn === dueOn ? { ...current, evaluation: { ...current.evaluation, remindedFor: dueOn } } : current),
          (stored) =>
            stored.evaluation?.remindedFor !== dueOn
              ? {}
              : {
                  jobs: [
                    { key: `evaluatie:${a.reference}:${dueOn}:verwijzer`, kind: 'message', payload: { reference: a.reference, to: { kind: 'referrer', reference: a.reference }, content } },
                    ...(stored.assignee
                      ? [
                          {
                            key: `evaluatie:${a.reference}:${dueOn}:${stored.assignee.aadObjectId}`,
                            kind: 'message' as const,
                            payload: { reference: a.reference, to: { kind: 'person', aadObjectId: stored.assignee.aadObjectId, name: stored.assignee.name }, content },
                          },
                        ]
                      : []),
                  ],
                },
          now(),
        );
        log.info({ event: 'evaluation.reminded', reference: a.reference, dueOn });
      }
      if (due.length > 0) this.deps.deliver();
      return due.length;
    } catch (error) {
      log.error({ event: 'evaluation.check-failed', err: errorSummary(error) });
      return 0;
    }
  }
}
