import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { JsonlAuditLog } from './audit-log.js';
import type { LowdbChannelLinkStore } from './channel-link.store.js';
import type { LowdbConversationStateStore } from './conversation-state.store.js';
import type { LowdbOutbox } from './outbox.store.js';
import type { LowdbPeopleStore } from './people.store.js';
import type { LowdbReferralStore } from './referral.store.js';
import {
  DumpError,
  isEmpty,
  sequencesAfter,
  StoreNotEmptyError,
  type AppendBatch,
  type AppendResult,
  type AppendState,
  type BulkStore,
  type StoreContents,
  type StoreDump,
} from './store-dump.js';

export interface LowdbParts {
  referrals: LowdbReferralStore;
  audit: JsonlAuditLog;
  channels: LowdbChannelLinkStore;
  people: LowdbPeopleStore;
  outbox: LowdbOutbox;
  conversations: LowdbConversationStateStore;
}

/**
 * Bulk export and import on lowdb (and in memory): each file is written once, through the stores that hold it, so
 * what they keep in memory stays what is on disk. The caller holds the folder's lock (openStores takes it).
 * Not one transaction: an import that fails halfway leaves part of the files written (import only into a new,
 * empty folder; remove it and try again).
 */
export class LowdbBulkStore implements BulkStore {
  constructor(private readonly parts: LowdbParts) {}

  async contents(): Promise<StoreContents> {
    const { referrals, audit, channels, people, outbox, conversations } = this.parts;
    const jobs = await outbox.list();
    const state = await conversations.exportable();
    const pendingJobs = jobs.filter((job) => job.status === 'pending').length;
    return {
      referrals: referrals.count(),
      auditEntries: await audit.count(),
      channelLinks: (await channels.all()).length,
      people: (await people.all()).length,
      pendingJobs,
      finishedJobs: jobs.length - pendingJobs,
      conversations: state.conversations.length + state.leftOut,
      sequences: referrals.sequences(),
      auditTail: audit.tail(),
    };
  }

  async export({ audit: withAudit = true }: { audit?: boolean } = {}): Promise<StoreDump> {
    const { referrals, audit, channels, people, outbox, conversations } = this.parts;
    const jobs = await outbox.list();
    const pending = jobs.filter((job) => job.status === 'pending');
    const state = await conversations.exportable();
    return {
      sequences: referrals.sequences(),
      referrals: await referrals.list(),
      audit: withAudit ? await audit.entries() : [],
      channels: await channels.all(),
      people: await people.all(),
      outbox: pending,
      conversations: state.conversations,
      leftOut: { conversations: state.leftOut, finishedJobs: jobs.length - pending.length },
    };
  }

  async import(dump: StoreDump): Promise<void> {
    const contents = await this.contents();
    if (!isEmpty(contents)) throw new StoreNotEmptyError(contents);
    const { referrals, audit, channels, people, outbox, conversations } = this.parts;
    await referrals.bulkAppend(() => ({ sequences: { ...dump.sequences }, referrals: dump.referrals, result: undefined }));
    // Verbatim: the entries keep their seq and hashes.
    await audit.appendMany(() => dump.audit);
    if (dump.channels.length) await channels.load(dump.channels);
    if (dump.people.length) await people.load(dump.people);
    if (dump.outbox.length) await outbox.load(dump.outbox);
    for (const { key, record } of dump.conversations) await conversations.put(key, record);
  }

  async append(make: (state: AppendState) => AppendBatch): Promise<AppendResult> {
    const { referrals, audit } = this.parts;
    const { batch, sequences } = await referrals.bulkAppend((current) => {
      const made = make({ sequences: { ...current.sequences } });
      const next = sequencesAfter(current.sequences, made.referrals);
      const intakes = new Set<string>();
      for (const r of made.referrals) {
        if (current.hasIntake(r.intakeId) || intakes.has(r.intakeId)) throw new DumpError(`intake ${r.intakeId} staat er al`);
        intakes.add(r.intakeId);
      }
      return { referrals: made.referrals, sequences: next, result: { batch: made, sequences: next } };
    });
    const entries = await audit.appendMany((last) => audit.chain(batch.audit, last));
    return { referrals: batch.referrals.length, auditEntries: entries.length, sequences };
  }
}

/** The files of a lowdb folder (conversation state aside). */
const LOWDB_FILES = ['referrals', 'referrals.json', 'audit.jsonl', 'channels.json', 'people.json', 'outbox.json'];

/**
 * Why `dataDir` is not a lowdb folder to copy from (in Dutch), or undefined when it is one. Checked before opening
 * it, which would create a missing folder.
 */
export function lowdbSourceProblem(dataDir: string): string | undefined {
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) return `De gegevensmap ${dataDir} bestaat niet.`;
  if (!LOWDB_FILES.some((file) => existsSync(path.join(dataDir, file)))) return `In ${dataDir} staan geen gegevens van de bot (geen ${LOWDB_FILES.join(', ')}).`;
  return undefined;
}
