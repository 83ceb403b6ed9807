import { z } from 'zod';
import { ConversationRefSchema } from './aanmelding.schema.js';
import type { AuditLog } from './audit-log.js';
import type { Follow } from './follow.js';
import { JsonCollection } from './json-collection.js';
import type { Outbox } from './outbox.store.js';

export const LINKABLE_SERVICES = ['gezinscoach', 'gezinsverzorger', 'jeugdconsulent'] as const;
export type LinkableService = (typeof LINKABLE_SERVICES)[number];

export const ChannelLinkSchema = z.strictObject({
  service: z.enum(LINKABLE_SERVICES),
  teamId: z.string().min(1),
  channelId: z.string().min(1),
  /** The channel's conversation reference: posting survives restarts. */
  reference: ConversationRefSchema,
  linkedBy: z.strictObject({ aadObjectId: z.string(), name: z.string() }),
  linkedAt: z.iso.datetime(),
  /** The channel's name as Teams last told it (on a rename), to name it in messages to the coordinators. */
  channelName: z.string().max(200).optional(),
});
export type ChannelLink = z.infer<typeof ChannelLinkSchema>;

/** Which team channel receives the aanmeldingen of which service. One channel per service. */
export interface ChannelLinkStore {
  get(service: LinkableService): Promise<ChannelLink | undefined>;
  all(): Promise<ChannelLink[]>;
  /** Links (or re-links) the service's channel, with its audit entry and the posts that waited for it. */
  link(link: ChannelLink, follow?: Follow): Promise<void>;
  /**
   * Removes the service's link if it still points at `channelId` (a channel deleted, a team archived, the bot
   * removed), with its audit entry and the messages to the coordinators. False when it was linked elsewhere meanwhile.
   */
  unlink(service: LinkableService, channelId: string, follow?: Follow, at?: Date): Promise<boolean>;
  /** Records a channel's new name on every link to it; returns the links that changed. */
  rename(channelId: string, channelName: string): Promise<ChannelLink[]>;
}

const FileSchema = z.object({ links: z.array(ChannelLinkSchema) });

export class LowdbChannelLinkStore implements ChannelLinkStore {
  private constructor(
    private readonly file: JsonCollection<z.infer<typeof FileSchema>>,
    private readonly audit: AuditLog,
    private readonly outbox: Outbox,
  ) {}

  static async open(dir: string | undefined, audit: AuditLog, outbox: Outbox) {
    return new LowdbChannelLinkStore(await JsonCollection.open(dir, 'channels.json', FileSchema, { links: [] }), audit, outbox);
  }

  async get(service: LinkableService) {
    return this.file.read().links.find((l) => l.service === service);
  }

  async all() {
    return [...this.file.read().links];
  }

  async link(link: ChannelLink, follow?: Follow): Promise<void> {
    await this.file.write((data) => ({ data: { links: [...data.links.filter((l) => l.service !== link.service), ChannelLinkSchema.parse(link)] }, result: undefined }));
    const at = new Date(link.linkedAt);
    for (const job of follow?.jobs ?? []) await this.outbox.enqueue(job, at);
    for (const event of follow?.audit ?? []) await this.audit.append(event, at);
  }

  async unlink(service: LinkableService, channelId: string, follow?: Follow, at = new Date()): Promise<boolean> {
    const removed = await this.file.write((data) => {
      const gone = data.links.some((l) => l.service === service && l.channelId === channelId);
      return gone ? { data: { links: data.links.filter((l) => l.service !== service) }, result: true } : { data, result: false };
    });
    if (!removed) return false;
    for (const job of follow?.jobs ?? []) await this.outbox.enqueue(job, at);
    for (const event of follow?.audit ?? []) await this.audit.append(event, at);
    return true;
  }

  rename(channelId: string, channelName: string): Promise<ChannelLink[]> {
    return this.file.write((data) => {
      const changed = data.links.filter((l) => l.channelId === channelId && l.channelName !== channelName).map((l) => ChannelLinkSchema.parse({ ...l, channelName }));
      if (changed.length === 0) return { data, result: [] };
      return { data: { links: data.links.map((l) => changed.find((c) => c.service === l.service) ?? l) }, result: changed };
    });
  }

  /** Bulk import (data/store-dump.ts): every link in one write, replacing what is there. */
  load(links: ChannelLink[]): Promise<void> {
    return this.file.write(() => ({ data: { links: links.map((link) => ChannelLinkSchema.parse(link)) }, result: undefined }));
  }

  flush() {
    return this.file.flush();
  }
}
