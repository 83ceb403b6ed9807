import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type TurnContext } from 'botbuilder';
import restify from './restify.js';
import type Restify from 'restify';
import { loadGemeenteConfig, type GemeenteConfig } from '../data/gemeente.config.js';
import { isExampleTeam, loadTeamConfig, type TeamConfig } from '../data/team.config.js';
import { openStores, type Stores } from '../data/stores.js';
import { formatIssues } from '../data/zod-messages.js';
import { somethingWentWrong } from '../dialogs/welcome.dialog.js';
import { IncomingActivitySchema } from './activity.schema.js';
import { errorSummary } from './conversation.js';
import type { Logger } from './logger.js';
import { isLocalMode, SettingsError, teamsModeProblems, type Settings } from './settings.js';
import { toActivity } from './activities.js';
import { assembleBot } from './assemble.js';
import { ChannelLifecycle } from './channel-lifecycle.js';
import { Deliveries } from './deliveries.js';
import { EvaluationReminders } from './evaluation-reminders.js';
import { OutboxWorker } from './outbox-worker.js';
import { startRetention, type Retention } from './retention.js';
import { startAuditWatch, type AuditWatch } from './audit-watch.js';
import { registerOverviewRoutes } from './tab/overview-routes.js';
import { Pacer, TeamsLimitsMiddleware } from './teams-sender.js';

const MAX_BODY_BYTES = 1024 * 1024;

/** CloudAdapter with its turn entry point opened up, so that this server answers 400 and 401 itself. */
class Adapter extends CloudAdapter {
  run(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    return this.processActivity(authHeader, activity, logic);
  }
}

export interface App {
  server: Restify.Server;
  stores: Stores;
  config: GemeenteConfig;
  listen(port: number): Promise<number>;
  /** Stops taking requests, finishes turns in flight, flushes the stores. */
  shutdown(): Promise<void>;
}

export interface AppOptions {
  log: Logger;
  now?: () => Date;
  config?: GemeenteConfig;
  team?: TeamConfig;
}

export async function createApp(
  settings: Settings,
  { log, now = () => new Date(), config = loadGemeenteConfig(), team = loadTeamConfig() }: AppOptions,
): Promise<App> {
  const refused = teamsModeProblems(settings, isExampleTeam(team));
  if (refused.length > 0) throw new SettingsError(refused.join('\n'));
  const stores = await openStores({
    dataDir: path.resolve(settings.DATA_DIR),
    databaseUrl: settings.DATABASE_URL,
    purpose: 'de bot',
    auditKey: settings.AUDIT_KEY,
    auditKeysOld: settings.AUDIT_KEYS_OLD,
    onInvalidState: (_key, problem) => log.warn({ event: 'state.invalid', problem }),
    onLockCompromised: (error) => log.error({ event: 'store.lock-lost', err: errorSummary(error) }),
    // Counts only: a temporary file's name says nothing of a family, but its content did.
    onPrepared: ({ temporaryFilesRemoved, permissionsFixed, fresh }) => log.info({ event: 'store.prepared', temporaryFilesRemoved, permissionsFixed, fresh }),
  });
  const local = isLocalMode(settings);
  const appId = settings.MicrosoftAppId ?? '';
  const adapter = new Adapter(
    new ConfigurationBotFrameworkAuthentication({
      MicrosoftAppId: settings.MicrosoftAppId ?? '',
      MicrosoftAppPassword: settings.MicrosoftAppPassword ?? '',
      MicrosoftAppType: settings.MicrosoftAppType ?? (settings.MicrosoftAppId ? 'SingleTenant' : ''),
      MicrosoftAppTenantId: settings.MicrosoftAppTenantId ?? '',
    }),
  );
  const pacer = new Pacer(undefined, undefined, undefined, stores.pacing);
  const onRetry = (attempt: number, status: number | undefined, delayMs: number) => log.warn({ event: 'teams.retry', attempt, status, delayMs });
  adapter.use(new TeamsLimitsMiddleware(pacer, { onRetry }) as never);
  const lifecycle = new ChannelLifecycle({ stores, team, log, now, deliver: () => void worker.kick() });
  const deliveries = new Deliveries({ adapter, appId, stores, config, team, log, pacer, now, lifecycle });
  const worker = new OutboxWorker(stores.outbox, deliveries, log, now, { leaseMs: settings.OUTBOX_LEASE_SECONDS * 1000 });
  const reminders = new EvaluationReminders({ stores, now, log, deliver: () => void worker.kick() });
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
  registerOverviewRoutes(server, { settings, team, referrals: stores.referrals, audit: stores.audit, log, now });
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
    const reject = (status: number, error: string, problems?: string[]) => {
      log.warn({ event: 'request.rejected', status, error });
      res.json(status, problems ? { error, problems } : { error });
    };
    if (closing) return reject(503, 'De bot stopt; probeer het zo opnieuw.');
    inFlight++;
    try {
      const body = await readBody(req);
      if (body === undefined) return reject(413, 'Bericht is te groot.');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        return reject(400, 'Body is geen geldige JSON.');
      }
      const parsed = IncomingActivitySchema.safeParse(json, { reportInput: true });
      if (!parsed.success) return reject(400, 'Ongeldige activiteit.', formatIssues(parsed.error));
      const authHeader = String(req.headers.authorization ?? '');
      if (!local && !/^Bearer \S+$/.test(authHeader)) return reject(401, 'Niet geautoriseerd.');

      let invokeResponse;
      try {
        invokeResponse = await adapter.run(authHeader, parsed.data as unknown as Activity, (context) => bot.run(context));
      } catch (error) {
        if (isAuthenticationError(error)) return reject(401, 'Niet geautoriseerd.');
        log.error({ event: 'request.failed', err: errorSummary(error) });
        return reject(500, 'Interne fout.');
      }
      if (invokeResponse?.body !== undefined) res.json(invokeResponse.status ?? 200, invokeResponse.body);
      else {
        res.status(invokeResponse?.status ?? 200);
        res.end();
      }
      log.info({ event: 'request.handled', type: parsed.data.type, ms: Math.round(performance.now() - started) });
    } finally {
      inFlight--;
    }
  });

  return {
    server,
    stores,
    config,
    listen(port) {
      queueMissingPosts();
      sweep ??= setInterval(queueMissingPosts, 60_000).unref();
      worker.start();
      reminders.start();
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
        server.listen(port, () => {
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

function isAuthenticationError(error: unknown): boolean {
  const status = (error as { statusCode?: number }).statusCode;
  return (error as Error)?.name === 'AuthenticationError' || status === 401 || status === 403;
}
