import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import {
  CallerIdConstants,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type Activity,
  type TurnContext,
} from 'botbuilder';
import restify from './restify.js';
import type Restify from 'restify';
import { loadGemeenteConfig, type GemeenteConfig } from '../data/gemeente.config.js';
import { isExampleTeam, loadTeamConfig, type TeamConfig } from '../data/team.config.js';
import { openStores, type Stores } from '../data/stores.js';
import { formatIssues } from '../data/zod-messages.js';
import { somethingWentWrong } from '../dialogs/welcome.dialog.js';
import { IncomingActivitySchema, jsonDepth, MAX_JSON_DEPTH } from './activity.schema.js';
import { BOT_FRAMEWORK_ISSUERS, createBotAuth, tenantOf } from './auth.js';
import { errorSummary } from './conversation.js';
import type { Logger } from './logger.js';
import { isLocalMode, localModeProblems, servedTenants, SettingsError, teamsModeProblems, type Settings } from './settings.js';
import { toActivity } from './activities.js';
import { assembleBot } from './assemble.js';
import { ChannelLifecycle } from './channel-lifecycle.js';
import { Deliveries } from './deliveries.js';
import { EvaluationReminders } from './evaluation-reminders.js';
import { SpoedEscalations } from './spoed-escalation.js';
import { IdleCases } from './idle-cases.js';
import { OutboxWorker } from './outbox-worker.js';
import { startRetention, type Retention } from './retention.js';
import { recordTenantRefused } from './audit-events.js';
import { startAuditWatch, type AuditWatch } from './audit-watch.js';
import { registerOverviewRoutes } from './tab/overview-routes.js';
import { isLoopback } from './tab/tab-auth.js';
import { Pacer, TeamsLimitsMiddleware } from './teams-sender.js';
import { ReusingBotFrameworkAuthentication } from './reusing-authentication.js';

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * CloudAdapter with its turn entry point opened up, so that this server answers 400, 401, 403 and 503 itself. In Teams
 * mode the door (bot/auth.ts) has verified the token already and hands the adapter the verified claims: botbuilder
 * then neither fetches keys per request nor writes key material to stderr when a token fails.
 */
class Adapter extends CloudAdapter {
  constructor(private readonly auth: ConfigurationBotFrameworkAuthentication) {
    super(auth);
  }

  /** Local mode: authentication is disabled (no app id), so botbuilder takes the request as anonymous. */
  runLocal(activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    return this.processActivity('', activity, logic);
  }

  /** Teams mode, token verified at the door: what botbuilder's own check returns for a channel token. */
  runVerified(appId: string, activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    const claimsIdentity = this.createClaimsIdentity(appId);
    const verified: Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['authenticateRequest']>> = {
      audience: 'https://api.botframework.com',
      callerId: CallerIdConstants.PublicAzureChannel,
      claimsIdentity,
      connectorFactory: this.auth.createConnectorFactory(claimsIdentity),
    };
    return this.processActivity(verified, activity, logic);
  }
}

/** Texts of the door's refusals (the body's `error`). */
export const DOOR_TEXTS = {
  stopping: 'De bot stopt; probeer het zo opnieuw.',
  tooLarge: 'Bericht is te groot.',
  notJson: 'Body is geen geldige JSON.',
  tooDeep: `Bericht is te diep genest (hoogstens ${MAX_JSON_DEPTH} niveaus).`,
  invalid: 'Ongeldige activiteit.',
  notLocal: 'In de lokale modus (zonder app-id) praat de bot alleen met deze computer: de serviceUrl moet een loopback-adres zijn (localhost, 127.0.0.1 of ::1).',
  unauthorized: 'Niet geautoriseerd.',
  keysUnreachable: 'De sleutels van Bot Framework zijn nu niet bereikbaar; probeer het zo opnieuw.',
  otherTenant: 'Deze bot bedient alleen de eigen organisatie (tenant) van de gemeente.',
  internal: 'Interne fout.',
} as const;

/** The serviceUrl of a local-mode activity: only this computer (127.0.0.0/8, ::1, localhost). */
export function isLoopbackUrl(serviceUrl: string): boolean {
  if (!URL.canParse(serviceUrl)) return false;
  const host = new URL(serviceUrl).hostname.replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || isLoopback(host);
}

export interface App {
  server: Restify.Server;
  stores: Stores;
  config: GemeenteConfig;
  /** Where listen() listens: 127.0.0.1 in local mode (one computer), every address in Teams mode. */
  host: string;
  listen(port: number): Promise<number>;
  /** Stops taking requests, finishes turns in flight, flushes the stores. */
  shutdown(): Promise<void>;
}

export interface AppOptions {
  log: Logger;
  now?: () => Date;
  config?: GemeenteConfig;
  team?: TeamConfig;
  /**
   * Called when a message from a tenant the bot does not serve is refused (after the 403 and the `tenant.refused`
   * log line): the place to record it in the audit log.
   */
  onTenantRefused?: (tenantId: string | undefined) => void | Promise<void>;
}

export async function createApp(
  settings: Settings,
  { log, now = () => new Date(), config = loadGemeenteConfig(), team = loadTeamConfig(), onTenantRefused }: AppOptions,
): Promise<App> {
  const refused = [...localModeProblems(settings), ...teamsModeProblems(settings, isExampleTeam(team))];
  if (refused.length > 0) throw new SettingsError(refused.join('\n'));
  const stores = await openStores({
    dataDir: path.resolve(settings.DATA_DIR),
    databaseUrl: settings.DATABASE_URL,
    purpose: 'de bot',
    auditKey: settings.AUDIT_KEY,
    auditKeysOld: settings.AUDIT_KEYS_OLD,
    onInvalidState: (_key, problem) => log.warn({ event: 'state.invalid', problem }),
    onStateWriteFailed: (error) => log.error({ event: 'state.write-failed', err: errorSummary(error) }),
    onLockCompromised: (error) => log.error({ event: 'store.lock-lost', err: errorSummary(error) }),
    // Counts only: a temporary file's name says nothing of a family, but its content did.
    onPrepared: ({ temporaryFilesRemoved, permissionsFixed, fresh }) => log.info({ event: 'store.prepared', temporaryFilesRemoved, permissionsFixed, fresh }),
  });
  const local = isLocalMode(settings);
  const appId = settings.MicrosoftAppId ?? '';
  const tenants = servedTenants(settings);
  const authenticate = createBotAuth({ appId, openIdMetadataUrl: settings.BOT_OPENID_METADATA_URL, issuers: BOT_FRAMEWORK_ISSUERS, now });
  const botFrameworkAuth = new ReusingBotFrameworkAuthentication({
      MicrosoftAppId: settings.MicrosoftAppId ?? '',
      MicrosoftAppPassword: settings.MicrosoftAppPassword ?? '',
      MicrosoftAppType: settings.MicrosoftAppType ?? (settings.MicrosoftAppId ? 'SingleTenant' : ''),
      MicrosoftAppTenantId: settings.MicrosoftAppTenantId ?? '',
  });
  const adapter = new Adapter(botFrameworkAuth);
  const pacer = new Pacer(undefined, undefined, undefined, stores.pacing);
  const onRetry = (attempt: number, status: number | undefined, delayMs: number, code?: string) => log.warn({ event: 'teams.retry', attempt, status, ...(code ? { code } : {}), delayMs });
  adapter.use(new TeamsLimitsMiddleware(pacer, { onRetry }) as never);
  const lifecycle = new ChannelLifecycle({ stores, team, log, now, deliver: () => void worker.kick() });
  const deliveries = new Deliveries({ adapter, appId, stores, config, team, log, pacer, now, lifecycle });
  const worker = new OutboxWorker(stores.outbox, deliveries, log, now, { leaseMs: settings.OUTBOX_LEASE_SECONDS * 1000 });
  const reminders = new EvaluationReminders({ stores, now, log, deliver: () => void worker.kick() });
  const escalations = new SpoedEscalations({ stores, config, team, now, log, deliver: () => void worker.kick(), intervalMs: settings.SPOED_CHECK_SECONDS * 1000 });
  const idleCases = new IdleCases({ stores, team, months: config.stilstandMaanden, now, log, deliver: () => void worker.kick() });
  const { bot, conversations, cases } = assembleBot({
    stores,
    config,
    team,
    log,
    now,
    deliver: () => void worker.kick(),
    lifecycle,
    evaluationsChanged: () => void reminders.check(),
  });

  adapter.onTurnError = async (context, error) => {
    log.error({ event: 'turn.error', err: errorSummary(error) });
    try {
      await context.sendActivity(toActivity(somethingWentWrong()));
    } catch (sendError) {
      log.error({ event: 'turn.error.reply-failed', err: errorSummary(sendError) });
    }
  };

  const server = restify.createServer({ name: 'aanmeldbot', handleUncaughtExceptions: false });
  let retention: Retention | undefined;
  let auditWatch: AuditWatch | undefined;
  let sweep: NodeJS.Timeout | undefined;
  const queueMissingPosts = () => void cases.queueMissingPosts().catch((error: unknown) => log.error({ event: 'outbox.sweep-failed', err: errorSummary(error) }));
  registerOverviewRoutes(server, { settings, config, team, referrals: stores.referrals, audit: stores.audit, log, now, idleMonths: config.stilstandMaanden });
  let inFlight = 0;
  let closing = false;

  server.get('/healthz', async (_req: Restify.Request, res: Restify.Response) => {
    res.json(closing ? 503 : 200, {
      status: closing ? 'stopping' : 'ok',
      mode: local ? 'lokaal' : 'teams',
      gemeente: config.gemeente,
      rssMiB: Math.round(process.memoryUsage().rss / 1024 / 1024),
    });
  });

  server.post('/api/messages', async (req: Restify.Request, res: Restify.Response) => {
    const started = performance.now();
    const reject = (status: number, error: string, problems?: string[], detail?: Record<string, unknown>) => {
      log.warn({ event: 'request.rejected', status, error, ...detail });
      res.json(status, problems ? { error, problems } : { error });
    };
    if (closing) return reject(503, DOOR_TEXTS.stopping);
    inFlight++;
    try {
      const body = await readBody(req);
      if (body === undefined) return reject(413, DOOR_TEXTS.tooLarge);
      if (jsonDepth(body) > MAX_JSON_DEPTH) return reject(400, DOOR_TEXTS.tooDeep);
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        return reject(400, DOOR_TEXTS.notJson);
      }
      const parsed = IncomingActivitySchema.safeParse(json, { reportInput: true });
      if (!parsed.success) return reject(400, DOOR_TEXTS.invalid, formatIssues(parsed.error));
      const activity = parsed.data;

      if (local) {
        // Replies go to the serviceUrl: in local mode only ever to this computer. Any token is ignored (no key fetch).
        if (!isLoopbackUrl(activity.serviceUrl)) return reject(403, DOOR_TEXTS.notLocal);
      } else {
        const result = await authenticate(req.headers.authorization, activity);
        if (!result.ok) {
          if (result.status === 503) res.header('Retry-After', '30');
          return reject(result.status, result.status === 503 ? DOOR_TEXTS.keysUnreachable : DOOR_TEXTS.unauthorized, undefined, { reason: result.reason });
        }
        const { tenantId, consistent } = tenantOf(activity, result.claims);
        if (!consistent || tenantId === undefined || !tenants.includes(tenantId)) {
          // A tenant id says which organisation, never which person: it may be logged.
          log.warn({ event: 'tenant.refused', tenantId: tenantId ?? null, consistent });
          reject(403, DOOR_TEXTS.otherTenant);
          try {
            await onTenantRefused?.(tenantId);
          } catch (error) {
            log.error({ event: 'tenant.refused-hook-failed', err: errorSummary(error) });
          }
          try {
            // NEN 7513: who knocked, from which tenant and conversation; ids only.
            await recordTenantRefused(stores.audit, { tenantId, userId: activity.from.aadObjectId || activity.from.id, userName: activity.from.name, source: activity.conversation.id }, now());
          } catch (error) {
            log.error({ event: 'tenant.refused-audit-failed', err: errorSummary(error) });
          }
          return;
        }
      }

      let invokeResponse;
      try {
        const turn = (context: TurnContext) => bot.run(context);
        invokeResponse = await (local ? adapter.runLocal(activity as unknown as Activity, turn) : adapter.runVerified(appId, activity as unknown as Activity, turn));
      } catch (error) {
        log.error({ event: 'request.failed', err: errorSummary(error) });
        return reject(500, DOOR_TEXTS.internal);
      }
      if (invokeResponse?.body !== undefined) res.json(invokeResponse.status ?? 200, invokeResponse.body);
      else {
        res.status(invokeResponse?.status ?? 200);
        res.end();
      }
      log.info({ event: 'request.handled', type: activity.type, ms: Math.round(performance.now() - started) });
    } finally {
      inFlight--;
    }
  });

  return {
    server,
    stores,
    config,
    host: local ? '127.0.0.1' : '::',
    listen(port) {
      queueMissingPosts();
      sweep ??= setInterval(queueMissingPosts, 60_000).unref();
      worker.start();
      reminders.start();
      escalations.start();
      idleCases.start();
      retention ??= startRetention({
        referrals: stores.referrals,
        months: settings.RETENTION_MONTHS,
        intakes: { conversations: stores.conversations, idleDays: settings.INTAKE_IDLE_DAYS },
        log,
        now,
      });
      auditWatch ??= startAuditWatch({ stores, team, log, now, deliver: () => void worker.kick() });
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        // Local mode takes requests without a token: only from this computer.
        server.listen(port, local ? '127.0.0.1' : undefined, () => {
          server.removeListener('error', reject);
          resolve((server.address() as { port: number }).port);
        });
      });
    },
    async shutdown() {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.server.closeIdleConnections();
      const deadline = Date.now() + 10_000;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await conversations.idle();
      await reminders.stop();
      await escalations.stop();
      await idleCases.stop();
      await worker.stop();
      await retention?.stop();
      await auditWatch?.stop();
      clearInterval(sweep);
      await stores.close();
      server.server.closeAllConnections();
      await closed;
    },
  };
}

/** The raw body, or undefined when it is larger than we accept. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
