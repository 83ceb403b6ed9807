import { z } from 'zod';
import { ConversationRefSchema } from './aanmelding.schema.js';
import { JsonCollection } from './json-collection.js';

export const LINKABLE_SERVICES = ['gezinscoach', 'gezinsverzorger'] as const;
export type LinkableService = (typeof LINKABLE_SERVICES)[number];

export const ChannelLinkSchema = z.strictObject({
  service: z.enum(LINKABLE_SERVICES),
  teamId: z.string().min(1),
  channelId: z.string().min(1),
  /** The channel's conversation reference: posting survives restarts. */
  reference: ConversationRefSchema,
  linkedBy: z.strictObject({ aadObjectId: z.string(), name: z.string() }),
  linkedAt: z.iso.datetime(),
});
export type ChannelLink = z.infer<typeof ChannelLinkSchema>;

/** Which team channel receives the aanmeldingen of which service. One channel per service. */
export interface ChannelLinkStore {
  get(service: LinkableService): Promise<ChannelLink | undefined>;
  all(): Promise<ChannelLink[]>;
  link(link: ChannelLink): Promise<void>;
}

const FileSchema = z.object({ links: z.array(ChannelLinkSchema) });

export class LowdbChannelLinkStore implements ChannelLinkStore {
  private constructor(private readonly file: JsonCollection<z.infer<typeof FileSchema>>) {}

  static async open(dir: string | undefined) {
    return new LowdbChannelLinkStore(await JsonCollection.open(dir, 'channels.json', FileSchema, { links: [] }));
  }

  async get(service: LinkableService) {
    return this.file.read().links.find((l) => l.service === service);
  }

  async all() {
    return [...this.file.read().links];
  }

  link(link: ChannelLink): Promise<void> {
    return this.file.write((data) => ({ data: { links: [...data.links.filter((l) => l.service !== link.service), ChannelLinkSchema.parse(link)] }, result: undefined }));
  }

  flush() {
    return this.file.flush();
  }
}
