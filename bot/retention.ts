import { z } from 'zod';
import type { ConversationStateStore } from '../data/conversation-state.store.js';
import type { ReferralStore } from '../data/referral.store.js';
import { casesDueForPurge, type NeverPostedRoute } from '../machines/retention.js';
import type { Logger } from './logger.js';

/**
 * Retention (domain.md, privacy): closed cases lose the family's identifying data RETENTION_MONTHS after closure,
 * aanmeldingen the team never sees (outside the target group, no consent) RETENTION_MONTHS after they were sent;
 * counts and the audit trail stay; unfinished intakes lose their answers after INTAKE_IDLE_DAYS without activity.
 * Used by the bot (startRetention: shortly after start-up, then every 6 hours) and by `npm run purge`.
 *
 * Safe with two runners on the same store: the store's purgeIdentifiers is idempotent and says whether this
 * call changed the record, and only that caller writes the audit entry, so a case gets exactly one
 * 'aanmelding.opgeschoond'. (Two bot processes on one DATA_DIR are not supported by the lowdb stores at all.)
 */

export interface PurgeActor {
  id: string;
  name: string;
}

/** The bot's own scheduled purge, as it appears in the audit log. */
export const SCHEDULED_PURGE: PurgeActor = { id: 'aanmeldbot:bewaartermijn', name: 'Bewaartermijn (automatisch)' };

export interface PurgeOptions {
  referrals: ReferralStore;
  months: number;
  now: Date;
  actor: PurgeActor;
  /** Lists what is due without changing anything. */
  dryRun?: boolean;
  source?: string;
}

/** A case past its retention period: closed, or never posted to the team (its period runs from creation). */
export type DueCase = { reference: string; closedAt: string } | { reference: string; createdAt: string; route: NeverPostedRoute };

export interface PurgeRun {
  /** Cases past the retention period that were not purged yet, when the run began: closed first, then never posted. */
  due: DueCase[];
  /** Those this run purged (empty on a dry run, and for cases another runner purged first). */
  purged: string[];
}

export async function purgeExpired({ referrals, months, now, actor, dryRun = false, source = 'bewaartermijn' }: PurgeOptions): Promise<PurgeRun> {
  // Every case due started its period at least `months` × 28 days ago: the store hands over those, the rule decides.
  const startedBefore = new Date(now.getTime() - months * 28 * 86_400_000);
  const closed = casesDueForPurge(await referrals.closedUnpurged(startedBefore), now, months);
  const neverPosted = casesDueForPurge(await referrals.neverPostedUnpurged(startedBefore), now, months);
  const due: DueCase[] = [
    ...closed.map((a) => ({ reference: a.reference, closedAt: a.closure!.at })),
    ...neverPosted.map((a) => ({ reference: a.reference, createdAt: a.createdAt, route: a.triage.route as NeverPostedRoute })),
  ];
  if (dryRun) return { due, purged: [] };
  const purged: string[] = [];
  for (const item of due) {
    const { reference } = item;
    const after = 'closedAt' in item ? 'afsluiten' : `aanmelden (${item.route}, nooit bij het team)`;
    // The purge and its audit entry commit together; a case another runner purged first is left alone.
    const result = await referrals.purgeIdentifiers(reference, now, () => ({
      audit: [{ event: 'aanmelding.opgeschoond', reference, actor, source, detail: `identificerende gegevens verwijderd, ${months} maanden na ${after}` }],
    }));
    if (result.purged) purged.push(reference);
  }
  return { due, purged };
}

/**
 * Nothing of a family is kept in an intake nobody finishes (issue 12): an unfinished intake whose last activity is
 * more than `idleDays` ago loses its answers; its person hears so the next time they write (bot/conversation.ts).
 * One audit entry per intake, without family data: the flow and the intake's id.
 */
export async function purgeIdleIntakes({ conversations, idleDays, now, actor = SCHEDULED_PURGE }: { conversations: ConversationStateStore; idleDays: number; now: Date; actor?: PurgeActor }): Promise<number> {
  const idleSince = new Date(now.getTime() - idleDays * 86_400_000);
  return conversations.purgeIdle(
    idleSince,
    (record) => {
      const flowId = record.flow?.id ?? 'onbekend';
      const instanceId = intakeIdOf(record.flow?.snapshot) ?? 'onbekend';
      return {
        record: { updatedAt: record.updatedAt, seenActivityIds: record.seenActivityIds, last: { flowId, instanceId, outcome: 'opgeschoond' }, purged: { idleDays } },
        audit: [{ event: 'intake.opgeschoond', actor, source: 'bewaartermijn', detail: `onafgemaakte aanmelding (${flowId}, intake ${instanceId}) verwijderd na ${idleDays} dagen zonder activiteit` }],
      };
    },
    now,
  );
}

/** The intake's id in a persisted snapshot of either flow (its context holds it), so a late card click is recognised. */
function intakeIdOf(snapshot: unknown): string | undefined {
  const parsed = z.object({ context: z.object({ intakeId: z.string().min(1).max(100) }) }).safeParse(snapshot);
  return parsed.success ? parsed.data.context.intakeId : undefined;
}

export interface RetentionOptions {
  referrals: ReferralStore;
  months: number;
  /** Unfinished intakes idle for `idleDays` are purged in the same runs. */
  intakes?: { conversations: ConversationStateStore; idleDays: number };
  log: Logger;
  now?: () => Date;
  /** The first run, after start-up (default 1 minute: not in the way of the first requests). */
  firstRunMs?: number;
  /** Between runs (default 6 hours). */
  intervalMs?: number;
}

export interface RetentionRun extends PurgeRun {
  /** How many idle intakes this run purged (when intakes are configured). */
  intakesPurged?: number;
}

export interface Retention {
  /** Runs a purge now (also what the timers call); resolves when it is done. */
  runOnce(): Promise<RetentionRun | undefined>;
  /** Stops the timers and waits for a run in progress. */
  stop(): Promise<void>;
}

export function startRetention({ referrals, months, intakes, log, now = () => new Date(), firstRunMs = 60_000, intervalMs = 6 * 60 * 60 * 1000 }: RetentionOptions): Retention {
  let running: Promise<RetentionRun | undefined> | undefined;
  let interval: NodeJS.Timeout | undefined;
  let stopped = false;

  const purgeAll = async (): Promise<RetentionRun> => {
    const at = now();
    const run: RetentionRun = await purgeExpired({ referrals, months, now: at, actor: SCHEDULED_PURGE });
    if (intakes) run.intakesPurged = await purgeIdleIntakes({ ...intakes, now: at });
    return run;
  };

  const runOnce = (): Promise<RetentionRun | undefined> => {
    if (stopped) return Promise.resolve(undefined);
    // A run still busy is not started twice in this process.
    running ??= purgeAll()
      .then(
        (run) => {
          if (run.purged.length > 0 || run.due.length > 0 || (run.intakesPurged ?? 0) > 0) {
            log.info({ event: 'retention.run', due: run.due.length, purged: run.purged.length, intakesPurged: run.intakesPurged ?? 0 });
          }
          return run;
        },
        (error: unknown) => {
          log.error({ event: 'retention.failed', err: error instanceof Error ? error.message : String(error) });
          return undefined;
        },
      )
      .finally(() => (running = undefined));
    return running;
  };

  const first = setTimeout(() => {
    void runOnce();
    interval = setInterval(() => void runOnce(), intervalMs);
    interval.unref();
  }, firstRunMs);
  first.unref();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(first);
      if (interval) clearInterval(interval);
      await running;
    },
  };
}
