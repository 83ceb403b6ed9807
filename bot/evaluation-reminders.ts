import { PeriodicCheck } from './periodic-check.js';
import type { Stores } from '../data/stores.js';
import { localDate } from '../machines/dates.js';
import { assigneesOf, dueEvaluations } from '../machines/referral-case.js';
import { errorSummary } from './conversation.js';
import type { Logger } from './logger.js';

/**
 * Evaluation moments of trajectories: on the due date (or, after downtime, at the first check after start-up) the
 * people on the case each get one reminder in their 1:1 chat, and for a gezinsverzorger the casemanager too.
 *
 * Never twice: the reminder jobs have a key per aanmelding, due date and person, so the outbox keeps one job
 * however often (or by how many instances) this runs; and the aanmelding records the due date it was reminded
 * for, so a later check skips it even when the outbox has long forgotten the job.
 */
export class EvaluationReminders extends PeriodicCheck {
  constructor(
    private readonly deps: { stores: Stores; now: () => Date; deliver: () => void; log: Logger; intervalMs?: number },
  ) {
    super(deps.intervalMs ?? 60_000);
  }

  /** Queues the reminders that are due now; returns how many aanmeldingen got one. */
  protected run(): Promise<number> {
    return this.queueDue();
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
                    // The casemanager owns a gezinsverzorger's plan; a gezinscoach evaluates with the family, not with the referrer.
                    ...(stored.triage.route === 'gezinsverzorger'
                      ? [{ key: `evaluatie:${a.reference}:${dueOn}:verwijzer`, kind: 'message' as const, payload: { reference: a.reference, to: { kind: 'referrer' as const, reference: a.reference }, content } }]
                      : []),
                    // A keukentafelgesprek's two people each get one.
                    ...assigneesOf(stored).map((person) => ({
                      key: `evaluatie:${a.reference}:${dueOn}:${person.aadObjectId}`,
                      kind: 'message' as const,
                      payload: { reference: a.reference, to: { kind: 'person' as const, aadObjectId: person.aadObjectId, name: person.name }, content },
                    })),
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
