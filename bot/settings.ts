import { existsSync } from 'node:fs';
import { z } from 'zod';
import { MIN_KEY_LENGTH } from '../data/audit-key.js';
import { formatIssues } from '../data/zod-messages.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const optional = z
  .string()
  .transform((s) => s.trim())
  .transform((s) => (s === '' ? undefined : s))
  .optional();

/** The bot's environment. Without MicrosoftAppId the bot runs in local mode: no tokens, for the Playground. */
export const SettingsSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  DATA_DIR: z.string().min(1).default('.data'),
  /** postgres://… : the stores on PostgreSQL (several instances); without it lowdb in DATA_DIR (one process). */
  DATABASE_URL: optional.pipe(z.string().regex(/^postgres(ql)?:\/\//, 'moet beginnen met postgres:// of postgresql://').optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MicrosoftAppId: optional,
  MicrosoftAppPassword: optional,
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional().or(z.literal('').transform(() => undefined)),
  MicrosoftAppTenantId: optional,
  /**
   * How long an instance holds an outbox job it is delivering: a job of an instance that died is taken over by
   * another (or by itself after a restart) once this has passed.
   */
  OUTBOX_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  /** How often the bot looks for SPOED aanmeldingen nobody picked up (bot/spoed-escalation.ts). */
  SPOED_CHECK_SECONDS: z.coerce.number().int().min(1).max(600).default(60),
  /** Months after closure.at that a closed case keeps its identifying data (bot/retention.ts). */
  RETENTION_MONTHS: z.coerce.number().int().min(1).max(600).default(24),
  /** Days without activity after which an unfinished intake's answers are removed (bot/retention.ts). */
  INTAKE_IDLE_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  /** The team configuration file (data/team.config.ts); required in Teams mode. */
  TEAM_CONFIG: optional,
  /** The public host name (as in the app package): with it the tab's SSO tokens may carry api://BOT_DOMAIN/<app id>. */
  BOT_DOMAIN: optional,
  /**
   * The secret key of the access log's chain (HMAC-SHA256, data/audit-key.ts); required in Teams mode. Without it
   * (local mode) the bot makes one in DATA_DIR/audit.key.
   */
  AUDIT_KEY: optional.pipe(z.string().min(MIN_KEY_LENGTH).optional()),
  /** Earlier keys of the access log, comma-separated, after a rotation: their entries must still verify. */
  AUDIT_KEYS_OLD: optional,
  /** `production` says this is a real environment: then local mode (no app id) is refused. */
  NODE_ENV: optional,
  /**
   * The tenants served, comma-separated (a region of several municipalities); without it only MicrosoftAppTenantId.
   * A message from any other tenant is refused with 403.
   */
  ALLOWED_TENANT_IDS: optional.pipe(
    z
      .string()
      .transform((s, ctx) => {
        const ids = s.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== '');
        const wrong = ids.filter((t) => !GUID.test(t));
        if (wrong.length > 0) ctx.addIssue({ code: 'custom', input: s, message: `moet een lijst tenant-id's (GUID's) zijn, gescheiden door komma's; geen tenant-id: ${wrong.map((t) => `"${t}"`).join(', ')}` });
        return ids;
      })
      .optional(),
  ),
  /**
   * Where Bot Framework publishes the keys of its tokens (OpenID metadata with jwks_uri). Only tests and other clouds
   * change it; tests point it at a key server on 127.0.0.1.
   */
  BOT_OPENID_METADATA_URL: optional.pipe(z.url({ protocol: /^https?$/, error: 'moet een http(s)-adres zijn' }).optional()),
});
export type Settings = z.infer<typeof SettingsSchema>;

export class SettingsError extends Error {}

/** Reads .env (when there is one) into the environment, then validates what the bot needs. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, envFile = '.env'): Settings {
  if (env === process.env && existsSync(envFile)) process.loadEnvFile(envFile);
  const parsed = SettingsSchema.safeParse(env, { reportInput: true });
  if (!parsed.success) throw new SettingsError(`Ongeldige instelling:\n${formatIssues(parsed.error).map((p) => `  - ${p}`).join('\n')}`);
  return parsed.data;
}

export const isLocalMode = (settings: Settings) => settings.MicrosoftAppId === undefined;

/** The tenants whose messages the bot serves in Teams mode: ALLOWED_TENANT_IDS, else MicrosoftAppTenantId. */
export function servedTenants(settings: Settings): string[] {
  if (settings.ALLOWED_TENANT_IDS?.length) return settings.ALLOWED_TENANT_IDS;
  return settings.MicrosoftAppTenantId ? [settings.MicrosoftAppTenantId.toLowerCase()] : [];
}

/**
 * Local mode (no app id) takes requests without a token and is meant for one person's own computer. A bot set up
 * for a real domain or for production without an app id is a mistake that would open it to anyone: one Dutch line.
 */
export function localModeProblems(settings: Settings): string[] {
  if (!isLocalMode(settings)) return [];
  const real = [
    ...(settings.BOT_DOMAIN ? [`BOT_DOMAIN (${settings.BOT_DOMAIN})`] : []),
    ...(settings.NODE_ENV === 'production' ? ['NODE_ENV=production'] : []),
  ];
  if (real.length === 0) return [];
  return [
    `MicrosoftAppId ontbreekt, maar ${real.join(' en ')} ${real.length > 1 ? 'wijzen' : 'wijst'} op een echte omgeving: zonder app-id draait de bot in lokale modus, zonder tokens en alleen voor je eigen computer. Zet MicrosoftAppId (met MicrosoftAppPassword en MicrosoftAppTenantId), of haal ${real.length > 1 ? 'ze' : 'het'} weg om lokaal te werken.`,
  ];
}

/**
 * Teams mode (an app id) serves a municipality's real people: no silent example team, and one tenant unless said
 * otherwise (Azure creates single-tenant bots). The type defaults to SingleTenant. Returns one Dutch line per
 * problem; empty when the settings may start.
 */
export function teamsModeProblems(settings: Settings, usesExampleTeam: boolean): string[] {
  if (isLocalMode(settings)) return [];
  const problems: string[] = [];
  if ((settings.MicrosoftAppType ?? 'SingleTenant') === 'SingleTenant' && !settings.MicrosoftAppTenantId) {
    problems.push('MicrosoftAppTenantId ontbreekt: een SingleTenant-bot (de standaard) hoort bij één tenant. Zet de tenant-id van de gemeente, of MicrosoftAppType=MultiTenant als de bot echt meerdere tenants bedient.');
  } else if (servedTenants(settings).length === 0) {
    problems.push('ALLOWED_TENANT_IDS ontbreekt: een MultiTenant-bot bedient alleen de tenants die je noemt. Zet ALLOWED_TENANT_IDS op de tenant-id\'s van de gemeenten, gescheiden door komma\'s.');
  }
  if (!settings.AUDIT_KEY) {
    problems.push(`AUDIT_KEY ontbreekt: met een MicrosoftAppId ondertekent de bot het toegangslog met een geheime sleutel van minstens ${MIN_KEY_LENGTH} tekens, bijvoorbeeld uit: openssl rand -base64 48`);
  }
  if (!settings.TEAM_CONFIG) {
    problems.push('TEAM_CONFIG ontbreekt: met een MicrosoftAppId werkt de bot voor een echt team. Zet TEAM_CONFIG op het teambestand van de gemeente (coördinatoren, professionals, verwijzers).');
  } else if (usesExampleTeam) {
    problems.push(`TEAM_CONFIG (${settings.TEAM_CONFIG}) is het voorbeeldteam met de gebruikers van de Agents Playground: maak een teambestand met de mensen van de gemeente.`);
  }
  return problems;
}
