import { z } from 'zod';

/**
 * What every incoming body must be before the Bot Framework adapter sees it: the fields the bot and botbuilder read,
 * with their types and sane lengths, so that a malformed activity is a 400 at the door instead of an internal error
 * (or "Er ging iets mis") in a turn. Teams sends much more; unknown fields pass through untouched.
 */

/** JSON nesting deeper than this is refused before parsing: a real activity (with card values) stays under 16. */
export const MAX_JSON_DEPTH = 32;

/** Ids travel in URLs and HTTP headers (x-ms-conversation-id): printable ASCII without spaces, as Teams sends them. */
const PRINTABLE = /^[\x21-\x7e]*$/;
const id = (max: number) => z.string().min(1).max(max).regex(PRINTABLE, 'mag alleen zichtbare ASCII-tekens bevatten');
const optionalId = (max: number) => z.string().max(max).regex(PRINTABLE, 'mag alleen zichtbare ASCII-tekens bevatten').optional();
const text = (max: number) => z.string().max(max);

/** The only invoke this bot answers: an Adaptive Card's Action.Execute (botbuilder reads value.action.type). */
export const CARD_ACTION_INVOKE = 'adaptiveCard/action';
const CardActionValueSchema = z.looseObject({
  action: z.looseObject({ type: text(64), verb: text(64).optional() }),
});

const AccountSchema = z.looseObject({
  id: id(512),
  name: text(512).optional(),
  aadObjectId: optionalId(256),
});

const EntitySchema = z
  .looseObject({
    type: text(128),
    // A mention names whom it mentions and the text that does (botbuilder's removeRecipientMention reads both).
    mentioned: z.looseObject({ id: text(512) }).optional(),
    text: text(1024).optional(),
  })
  .refine((e) => e.type.toLowerCase() !== 'mention' || (e.mentioned !== undefined && e.text !== undefined), 'een vermelding (mention) noemt wie en met welke tekst');

const TeamsChannelDataSchema = z.looseObject({
  tenant: z.looseObject({ id: id(256) }).optional(),
  team: z.looseObject({ id: id(512) }).optional(),
  channel: z.looseObject({ id: id(512) }).optional(),
});

/** An http(s) address, as Bot Framework's serviceUrl always is. */
const ServiceUrlSchema = z
  .string()
  .min(1)
  .max(2048)
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'moet een http(s)-adres zijn');

export const IncomingActivitySchema = z
  .looseObject({
    type: id(64),
    id: optionalId(512),
    channelId: id(64),
    serviceUrl: ServiceUrlSchema,
    conversation: z.looseObject({
      id: id(1024),
      conversationType: text(64).optional(),
      tenantId: optionalId(256),
    }),
    from: AccountSchema,
    recipient: AccountSchema,
    text: text(28_000).optional(),
    name: text(256).optional(),
    locale: text(64).optional(),
    replyToId: optionalId(512),
    channelData: TeamsChannelDataSchema.optional(),
    entities: z.array(EntitySchema).max(64).optional(),
    membersAdded: z.array(AccountSchema).max(256).optional(),
    membersRemoved: z.array(AccountSchema).max(256).optional(),
  })
  .superRefine((a, ctx) => {
    if (a.text === undefined && (a.entities ?? []).some((e) => e.type.toLowerCase() === 'mention')) {
      ctx.addIssue({ code: 'custom', message: 'een bericht met een vermelding (mention) heeft tekst', path: ['text'] });
    }
    if (a.type !== 'invoke') return;
    if (a.name !== CARD_ACTION_INVOKE) ctx.addIssue({ code: 'custom', message: `deze bot beantwoordt alleen de invoke ${CARD_ACTION_INVOKE}`, path: ['name'] });
    else if (!CardActionValueSchema.safeParse(a.value).success) ctx.addIssue({ code: 'custom', message: 'een kaartactie heeft een action met een type', path: ['value', 'action'] });
  });
export type IncomingActivity = z.infer<typeof IncomingActivitySchema>;

/**
 * How deep the JSON text nests objects and arrays, counted on the raw text without parsing it (so a body of a
 * million '[' costs one pass, not a stack). Brackets inside strings do not count.
 */
export function jsonDepth(json: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}
