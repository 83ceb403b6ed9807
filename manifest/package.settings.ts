import { z } from 'zod';
import { formatIssues } from '../data/zod-messages.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A DNS name with at least one dot; Teams wants a bare host in validDomains, no scheme, port or path.
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i;

/** An empty variable (`MicrosoftAppId=` in .env) counts as unset. */
const blankAsUnset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const variable = <T extends z.ZodType>(schema: T) => z.preprocess(blankAsUnset, schema);

const httpsUrl = z.string().refine((value) => {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}, 'moet een volledig https://-adres zijn');

/** What `npm run package` reads from the environment (and .env) to fill in manifest/manifest.json. */
export const PackageSettingsSchema = z
  .object({
    MicrosoftAppId: variable(
      z.string().trim().refine((value) => GUID.test(value), 'moet een GUID zijn, bijv. 00000000-0000-0000-0000-000000000000'),
    ),
    BOT_DOMAIN: variable(
      z
        .string()
        .trim()
        .superRefine((value, ctx) => {
          if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) ctx.addIssue({ code: 'custom', message: 'alleen de hostnaam, zonder https://' });
          else if (!HOST_NAME.test(value)) {
            ctx.addIssue({ code: 'custom', message: 'moet een hostnaam zijn, bijv. aanmelden.gemeente.nl (zonder pad of poort)' });
          }
        }),
    ),
    PRIVACY_URL: variable(httpsUrl.optional()),
    TERMS_URL: variable(httpsUrl.optional()),
    // developer.name may hold 32 characters in the Teams schema.
    DEVELOPER_NAME: variable(z.string().trim().max(32).default('Gezinsondersteuning')),
    DEVELOPER_URL: variable(httpsUrl.optional()),
  })
  .transform(({ MicrosoftAppId, BOT_DOMAIN, PRIVACY_URL, TERMS_URL, DEVELOPER_NAME, DEVELOPER_URL }) => {
    const domain = BOT_DOMAIN.toLowerCase();
    return {
      MicrosoftAppId,
      BOT_DOMAIN: domain,
      PRIVACY_URL: PRIVACY_URL ?? `https://${domain}/privacy`,
      TERMS_URL: TERMS_URL ?? `https://${domain}/voorwaarden`,
      DEVELOPER_NAME,
      DEVELOPER_URL: DEVELOPER_URL ?? `https://${domain}`,
    };
  });
export type PackageSettings = z.infer<typeof PackageSettingsSchema>;

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** Validates the environment; a problem names the variable ("MicrosoftAppId: ontbreekt"). */
export function readPackageSettings(env: Record<string, string | undefined>): Checked<PackageSettings> {
  const parsed = PackageSettingsSchema.safeParse(env, { reportInput: true });
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problems: formatIssues(parsed.error) };
}
