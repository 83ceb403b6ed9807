import type { JWTVerifyGetKey } from 'jose';
import type restify from 'restify';
import type { Aanmelding } from '../../data/aanmelding.schema.js';
import type { AuditLog } from '../../data/audit-log.js';
import type { GemeenteConfig } from '../../data/gemeente.config.js';
import type { ReferralStore } from '../../data/referral.store.js';
import type { TeamConfig } from '../../data/team.config.js';
import { monitoringCsv } from '../../machines/monitoring-csv.js';
import { DEFAULT_IDLE_MONTHS, isIdle, lastChangeOf } from '../../machines/idle-cases.js';
import { dayOf, monitoringCounts, openCases, parsePeriod, type Period } from '../../machines/monitoring.js';
import type { Logger } from '../logger.js';
import type { Settings } from '../settings.js';
import { overviewLabels } from './overview-labels.js';
import { createTabAuth, type TabAuthResult } from './tab-auth.js';
import { registerTabPages } from './tab-pages.js';

/**
 * The coordinator overview: GET /api/overzicht (JSON: the monitoring counts, open cases by status and the
 * waiting list, never a name or identifier of a family) and GET /api/overzicht.csv (the counts as CSV, as
 * `npm run monitor -- --format csv`), both for ?from=JJJJ-MM-DD&to=JJJJ-MM-DD (default: this year); plus the
 * tab's pages (tab-pages.ts). Who may read them: tab-auth.ts.
 */

/** Who reads the overview in local mode (no sign-in): the person at this computer. */
const LOCAL_USER = { id: 'lokaal', name: 'lokale gebruiker' };

/**
 * The Teams deep link to the case's card in its channel thread ("Deep link to navigate to channel conversation"):
 * https://teams.microsoft.com/l/message/<channelId>/<messageId>?tenantId=…&parentMessageId=<messageId>. A post's
 * conversation id is "<channelId>;messageid=<messageId>", as Teams gives it for the thread the card started.
 */
export function cardLink(post: Aanmelding['post'], tenantId: string | undefined): string | null {
  if (!post) return null;
  const [channelId, thread] = post.conversationId.split(';messageid=');
  const messageId = thread || post.activityId;
  if (!channelId || !messageId) return null;
  const query = new URLSearchParams({ ...(tenantId ? { tenantId } : {}), parentMessageId: messageId });
  return `https://teams.microsoft.com/l/message/${encodeURIComponent(channelId)}/${encodeURIComponent(messageId)}?${query.toString()}`;
}

export interface OverviewRoutesOptions {
  settings: Settings;
  /** The gemeente: the tab shows its route names, the same the bot uses. */
  config: GemeenteConfig;
  team: TeamConfig;
  referrals: ReferralStore;
  /** Every read of the overview and every export is written here (NEN 7513). */
  audit: Pick<AuditLog, 'append'>;
  log: Logger;
  now?: () => Date;
  /** Entra ID's signing keys (tests: a local key set). */
  jwks?: JWTVerifyGetKey;
  /** Open cases unchanged this many months are marked as standing still (gemeente configuration stilstandMaanden). */
  idleMonths?: number;
}

export function registerOverviewRoutes(server: restify.Server, { settings, config, team, referrals, audit, log, now = () => new Date(), jwks, idleMonths = DEFAULT_IDLE_MONTHS }: OverviewRoutesOptions): void {
  const authorize = createTabAuth({ settings, team, jwks });
  const labels = overviewLabels(config);

  /** Checks who asks and which period; answers the error itself and returns undefined when it did. */
  const guard = async (req: restify.Request, res: restify.Response): Promise<{ period: Period; auth: Extract<TabAuthResult, { ok: true }> } | undefined> => {
    res.header('Cache-Control', 'no-store');
    const auth = await authorize({ authorization: req.headers.authorization, remoteAddress: req.socket.remoteAddress });
    if (!auth.ok) {
      log.warn({ event: 'overzicht.geweigerd', status: auth.status });
      res.json(auth.status, { error: auth.error });
      return undefined;
    }
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const year = dayOf(now().getTime()).slice(0, 4);
    const period = parsePeriod(query.get('from') ?? `${year}-01-01`, query.get('to') ?? `${year}-12-31`);
    if (!period.ok) {
      res.json(400, { error: `Ongeldige periode: ${period.problem}.` });
      return undefined;
    }
    return { period: period.period, auth };
  };

  const record = (event: 'overzicht.geopend' | 'overzicht.geexporteerd', checked: { period: Period; auth: Extract<TabAuthResult, { ok: true }> }) =>
    audit.append(
      {
        event,
        actor: checked.auth.user ? { id: checked.auth.user.aadObjectId, name: checked.auth.user.name } : LOCAL_USER,
        source: 'tab overzicht',
        detail: `periode ${checked.period.from} tot en met ${checked.period.to}`,
      },
      now(),
    );

  server.get('/api/overzicht', async (req: restify.Request, res: restify.Response) => {
    const checked = await guard(req, res);
    if (!checked) return;
    const all = await referrals.list();
    const monitoring = monitoringCounts({ aanmeldingen: all, team, period: checked.period, now: now(), ageGroups: config });
    // Standing still is about today, whatever the period: the case the coordinator should close now.
    const idleSince = new Map(all.filter((a) => isIdle(a, now(), idleMonths)).map((a) => [a.reference, lastChangeOf(a)]));
    const posts = new Map(all.map((a) => [a.reference, a.post]));
    const open = openCases(all, new Date(monitoring.period.peilmoment)).map((c) => ({
      ...c,
      stilSinds: idleSince.get(c.reference) ?? null,
      link: cardLink(posts.get(c.reference), settings.MicrosoftAppTenantId),
    }));
    await record('overzicht.geopend', checked);
    log.info({ event: 'overzicht.bekeken', by: checked.auth.user?.aadObjectId ?? 'lokaal' });
    res.json(200, {
      gebruiker: checked.auth.user?.name ?? null,
      team: team.name,
      labels,
      monitoring,
      openCases: open,
      wachtlijst: { ...monitoring.stand.wachtlijst, cases: open.filter((c) => c.onWachtlijst) },
    });
  });

  server.get('/api/overzicht.csv', async (req: restify.Request, res: restify.Response) => {
    const checked = await guard(req, res);
    if (!checked) return;
    const report = monitoringCounts({ aanmeldingen: await referrals.list(), team, period: checked.period, now: now(), ageGroups: config });
    await record('overzicht.geexporteerd', checked);
    log.info({ event: 'overzicht.csv', by: checked.auth.user?.aadObjectId ?? 'lokaal' });
    const body = monitoringCsv(report);
    res.writeHead(200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="monitoring-${checked.period.from}-tot-en-met-${checked.period.to}.csv"`,
      'Content-Length': Buffer.byteLength(body),
    });
    res.end(body);
  });

  registerTabPages(server, settings);
}
