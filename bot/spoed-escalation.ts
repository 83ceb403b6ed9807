import { PeriodicCheck } from './periodic-check.js';
import type { GemeenteConfig } from '../data/gemeente.config.js';
import type { NewOutboxJob } from '../data/outbox.store.js';
import type { Stores } from '../data/stores.js';
import type { TeamConfig } from '../data/team.config.js';
import { dueEscalations, nextEscalation, waitedMinutes, type EscalationRules } from '../machines/spoed-escalation.js';
import { errorSummary } from './conversation.js';
import type { MessagePayload } from './deliveries.js';
import type { Logger } from './logger.js';

/**
 * SPOED aanmeldingen nobody picks up (issue 14, point 2): after the configured working minutes every coordinator
 * gets a 1:1 warning and the channel card says so; after as many minutes more, once again; each step audited.
 *
 * Never twice per level: the aanmelding records the level it reached (checked again on the stored record, inside
 * the store's lock or row lock, so of two instances one escalates), and the warning jobs have a key per reference,
 * level and coordinator, so the outbox keeps one job however often this runs. After a restart a level that fell
 * due meanwhile is escalated at the first check.
 */
export class SpoedEscalations extends PeriodicCheck {
  constructor(
    private readonly deps: { stores: Stores; config: GemeenteConfig; team: TeamConfig; now: () => Date; deliver: () => void; log: Logger; intervalMs?: number },
  ) {
    super(deps.intervalMs ?? 60_000);
  }

  /** Escalates what is due now; returns how many aanmeldingen were escalated (a level each). */
  protected run(): Promise<number> {
    return this.escalateDue();
  }

  private get rules(): EscalationRules {
    return { minutes: this.deps.config.spoedEscalatieNaMinuten, hours: this.deps.config.werktijden };
  }

  private async escalateDue(): Promise<number> {
    const { stores, now, log } = this.deps;
    try {
      let escalated = 0;
      for (const { aanmelding, level } of dueEscalations(await stores.referrals.open(), now(), this.rules)) {
        const at = now();
        let raised = false;
        // The level, the warnings, the card update and the audit entry commit together (one transaction on PostgreSQL).
        await stores.referrals.annotate(
          aanmelding.reference,
          (current) => {
            const next = nextEscalation(current, this.rules);
            raised = next !== undefined && next.level === level && next.dueAt.getTime() <= at.getTime();
            return raised ? { ...current, escalation: { level, at: at.toISOString() } } : current;
          },
          (stored) => (raised ? { jobs: this.jobsFor(stored.reference, level, stored.post !== undefined), audit: [this.auditFor(stored.reference, level)] } : {}),
          at,
        );
        if (raised) {
          escalated++;
          log.warn({ event: 'spoed.escalated', reference: aanmelding.reference, level });
        }
      }
      if (escalated > 0) this.deps.deliver();
      return escalated;
    } catch (error) {
      log.error({ event: 'spoed.escalation-failed', err: errorSummary(error) });
      return 0;
    }
  }

  private jobsFor(reference: string, level: number, posted: boolean): NewOutboxJob[] {
    const warnings = this.deps.team.coordinators.map(
      (coordinator): NewOutboxJob => ({
        key: `spoed-escalatie:${reference}:${level}:${coordinator.aadObjectId}`,
        kind: 'message',
        payload: {
          reference,
          to: { kind: 'person', aadObjectId: coordinator.aadObjectId, name: coordinator.name },
          content: { kind: 'spoed-escalation', level },
        } satisfies MessagePayload,
      }),
    );
    // The card in the channel shows that the coordinators were warned.
    return [...warnings, ...(posted ? [{ key: `update:${reference}:spoed-escalatie:${level}`, kind: 'update-card' as const, payload: { reference } }] : [])];
  }

  private auditFor(reference: string, level: number) {
    const { team } = this.deps;
    return {
      event: 'spoed.geescaleerd' as const,
      reference,
      actor: { id: 'bot', name: 'Aanmeldbot' },
      detail: `niveau ${level}: na ${waitedMinutes(level, this.rules)} minuten binnen werktijd niet opgepakt; ${team.coordinators.length} coördinator${team.coordinators.length === 1 ? '' : 'en'} gewaarschuwd`,
    };
  }
}
