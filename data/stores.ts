import path from 'node:path';
import { JsonlAuditLog, type AuditLog } from './audit-log.js';
import { LowdbChannelLinkStore, type ChannelLinkStore } from './channel-link.store.js';
import { LowdbOutbox, type Outbox } from './outbox.store.js';
import { LowdbPeopleStore, type PeopleStore } from './people.store.js';
import { LowdbConversationStateStore, type ConversationStateStore } from './conversation-state.store.js';
import { LowdbReferralStore, type ReferralStore } from './referral.store.js';

/** The stores the bot works with. Nothing outside data/ knows which implementation runs. */
export interface Stores {
  conversations: ConversationStateStore;
  referrals: ReferralStore;
  audit: AuditLog;
  channels: ChannelLinkStore;
  people: PeopleStore;
  outbox: Outbox;
  /** Waits for every write in progress. */
  flush(): Promise<void>;
}

export interface StoreOptions {
  /** Folder for the lowdb files; undefined keeps everything in memory (tests). */
  dataDir: string | undefined;
  onInvalidState?: (key: string, problem: string) => void;
}

export async function openStores({ dataDir, onInvalidState }: StoreOptions): Promise<Stores> {
  const conversations = await LowdbConversationStateStore.open(dataDir && path.join(dataDir, 'conversations'), onInvalidState);
  const referrals = await LowdbReferralStore.open(dataDir);
  const audit = await JsonlAuditLog.open(dataDir);
  const channels = await LowdbChannelLinkStore.open(dataDir);
  const people = await LowdbPeopleStore.open(dataDir);
  const outbox = await LowdbOutbox.open(dataDir);
  return {
    conversations,
    referrals,
    audit,
    channels,
    people,
    outbox,
    async flush() {
      await Promise.all([referrals.flush(), audit.flush(), channels.flush(), people.flush(), outbox.flush()]);
    },
  };
}
