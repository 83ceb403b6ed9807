import type { AuditEvent } from './audit-log.js';
import type { NewOutboxJob } from './outbox.store.js';

/**
 * What a change of an aanmelding brings with it: its audit entries and the outbox jobs it causes (a channel post,
 * a card update, 1:1 messages). The stores commit them with the change itself: on PostgreSQL in one transaction,
 * so no crash can leave a stored aanmelding without its audit entry or its channel post. On lowdb (one process)
 * they are written right after the change, and the start-up sweep re-creates a channel post a crash lost.
 */
export interface Follow {
  audit?: AuditEvent[];
  jobs?: NewOutboxJob[];
}

/** Computes the follow-ups from the record as it is stored (with its reference and new version). */
export type FollowOf<T> = (record: T) => Follow;
