import { z } from 'zod';
import { CASE_STATUSES } from '../data/aanmelding.schema.js';
import type { ChannelLink } from '../data/channel-link.store.js';
import { LINKABLE_SERVICES } from '../data/channel-link.store.js';
import type { NewOutboxJob } from '../data/outbox.store.js';
import type { Stores } from '../data/stores.js';
import type { TeamConfig } from '../data/team.config.js';
import type { Logger } from './logger.js';

/** Why a linked channel can no longer receive aanmeldingen. */
export const GONE_REASONS = ['kanaal-verwijderd', 'team-gearchiveerd', 'team-verwijderd', 'bot-verwijderd', 'plaatsen-geweigerd'] as const;
export type GoneReason = (typeof GONE_REASONS)[number];

const DETAIL: Record<GoneReason, string> = {
  'kanaal-verwijderd': 'kanaal verwijderd in Teams',
  'team-gearchiveerd': 'team gearchiveerd in Teams',
  'team-verwijderd': 'team verwijderd in Teams',
  'bot-verwijderd': 'bot uit het team verwijderd',
  'plaatsen-geweigerd': 'Teams weigert berichten in het kanaal (403/404)',
};

/** A notice lists at most this many idle cases (a Teams message has room for about 28 KB). */
export const MAX_IDLE_LISTED = 50;

/** A 1:1 message to a coordinator about the bot itself (its channels, a SPOED without one, the access log); rendered when sent. */
export const NoticePayloadSchema = z.strictObject({
  to: z.strictObject({ aadObjectId: z.string().min(1), name: z.string() }),
  /** Where the tenant's Teams service lives, for a coordinator the bot has not chatted with yet. */
  serviceUrl: z.string().min(1).optional(),
  notice: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('channel-gone'), service: z.enum(LINKABLE_SERVICES), reason: z.enum(GONE_REASONS), channelName: z.string().optional() }),
    z.strictObject({ kind: z.literal('channel-renamed'), service: z.enum(LINKABLE_SERVICES), channelName: z.string() }),
    /** A SPOED aanmelding that no channel receives: only its reference, never the family. */
    z.strictObject({ kind: z.literal('spoed-without-channel'), reference: z.string().min(1) }),
    /** Open cases unchanged for `months` (bot/idle-cases.ts): references, status, since when, who has it; nothing of a family. */
    z.strictObject({
      kind: z.literal('stilstand'),
      months: z.number().int().min(1),
      cases: z
        .array(z.strictObject({ reference: z.string().min(1), status: z.enum(CASE_STATUSES), since: z.iso.datetime(), assignee: z.string().optional() }))
        .min(1)
        .max(MAX_IDLE_LISTED),
      /** How many more there are than listed. */
      more: z.number().int().min(0).default(0),
    }),
    /** The access log failed its check (bot/audit-watch.ts): the entry's number and the problem, nothing of a family. */
    z.strictObject({ kind: z.literal('auditlog-controle'), seq: z.number().int().min(1), problem: z.string().max(300) }),
  ]),
});
export type NoticePayload = z.infer<typeof NoticePayloadSchema>;

export interface ChannelLifecycleDeps {
  stores: Pick<Stores, 'channels' | 'outbox'>;
  team: TeamConfig;
  log: Logger;
  now: () => Date;
  /** Wakes the outbox worker. */
  deliver: () => void;
}

export type ChannelMatch = { channelId: string } | { teamId: string };

/**
 * What Teams tells about the team's channels after they were linked: a channel deleted or renamed, a team archived
 * or deleted, the bot removed, or Teams refusing posts. A channel that is gone is unlinked (aanmeldingen then wait,
 * stored, for a new link, as before the first one) and every coordinator hears it 1:1 with what to do.
 */
export class ChannelLifecycle {
  constructor(private readonly deps: ChannelLifecycleDeps) {}

  /** Unlinks every linked channel that matches; returns how many were unlinked. Teams telling twice is harmless. */
  async gone(match: ChannelMatch, reason: GoneReason, actor?: { id: string; name: string }): Promise<number> {
    const { stores, log, now } = this.deps;
    const at = now();
    const links = (await stores.channels.all()).filter((link) => ('channelId' in match ? link.channelId === match.channelId : link.teamId === match.teamId));
    let unlinked = 0;
    for (const link of links) {
      const removed = await stores.channels.unlink(
        link.service,
        link.channelId,
        {
          audit: [{ event: 'kanaal.ontkoppeld', actor: actor ?? { id: 'teams', name: 'Microsoft Teams' }, source: link.channelId, detail: `kanaal voor ${link.service}: ${DETAIL[reason]}` }],
          jobs: this.notices(link, `gone:${reason}`, { kind: 'channel-gone', service: link.service, reason, ...(link.channelName ? { channelName: link.channelName } : {}) }),
        },
        at,
      );
      if (removed) {
        unlinked++;
        log.warn({ event: 'kanaal.ontkoppeld', service: link.service, reason });
      }
    }
    if (unlinked > 0) this.deps.deliver();
    return unlinked;
  }

  /** A linked channel got a new name: the link keeps working; the coordinators hear the name it goes by now. */
  async renamed(channelId: string, channelName: string): Promise<number> {
    const changed = await this.deps.stores.channels.rename(channelId, channelName.slice(0, 200));
    if (changed.length === 0) return 0;
    const { stores, now } = this.deps;
    // The notices are not part of the link: a lost notice about a new name does no harm.
    for (const link of changed) for (const job of this.notices(link, `renamed:${channelName}`, { kind: 'channel-renamed', service: link.service, channelName })) await stores.outbox.enqueue(job, now());
    this.deps.log.info({ event: 'kanaal.hernoemd', service: changed.map((l) => l.service).join(',') });
    this.deps.deliver();
    return changed.length;
  }

  private notices(link: ChannelLink, what: string, notice: NoticePayload['notice']): NewOutboxJob[] {
    return this.deps.team.coordinators.map((coordinator) => ({
      key: `notice:${what}:${link.channelId}:${link.linkedAt}:${coordinator.aadObjectId}`,
      kind: 'notice' as const,
      payload: { to: { aadObjectId: coordinator.aadObjectId, name: coordinator.name }, serviceUrl: link.reference.serviceUrl, notice } satisfies NoticePayload,
    }));
  }
}
