import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import type { TeamConfig } from '../../data/team.config.js';
import type { Settings } from '../settings.js';

/**
 * Who may read the coordinator overview (/api/overzicht):
 * - with an app id (Teams): a Teams SSO token (Authorization: Bearer) of a coordinator of the team. The token's
 *   signature (Entra ID's keys), issuer (v1 or v2 of the tenant; any tenant for a multi-tenant app), audience (the
 *   app id or api://BOT_DOMAIN/<app id>) and expiry are checked with jose; the user is the token's `oid`.
 * - without an app id (local mode): only requests from this computer (the loopback address).
 */

export const ENTRA_JWKS_URL = 'https://login.microsoftonline.com/common/discovery/v2.0/keys';

export type TabAuthResult = { ok: true; user: { aadObjectId: string; name: string } | undefined } | { ok: false; status: 401 | 403; error: string };

export interface TabRequest {
  authorization: string | undefined;
  remoteAddress: string | undefined;
}

export const AUTH_TEXTS = {
  noToken: 'Niet aangemeld: er ontbreekt een Teams-token. Open het overzicht in Teams.',
  badToken: 'Niet aangemeld: het Teams-token is ongeldig of verlopen. Laad het overzicht opnieuw.',
  notCoordinator: 'Alleen een coördinator van het team kan dit overzicht zien.',
  notLocal: 'In de lokale modus (zonder app-id) is het overzicht alleen op deze computer te zien.',
} as const;

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (::ffff:127.0.0.1). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

export interface TabAuthOptions {
  settings: Pick<Settings, 'MicrosoftAppId' | 'MicrosoftAppType' | 'MicrosoftAppTenantId' | 'BOT_DOMAIN'>;
  team: TeamConfig;
  /** Entra ID's signing keys; tests pass a local key set (jose's createLocalJWKSet) and never touch the network. */
  jwks?: JWTVerifyGetKey;
}

let remoteJwks: JWTVerifyGetKey | undefined;
/** One remote key set per process: jose caches the keys and refetches on an unknown kid (with a cooldown). */
function entraJwks(): JWTVerifyGetKey {
  remoteJwks ??= createRemoteJWKSet(new URL(ENTRA_JWKS_URL));
  return remoteJwks;
}

export function createTabAuth({ settings, team, jwks }: TabAuthOptions): (request: TabRequest) => Promise<TabAuthResult> {
  const appId = settings.MicrosoftAppId;
  if (appId === undefined) {
    return async ({ remoteAddress }) => (isLoopback(remoteAddress) ? { ok: true, user: undefined } : { ok: false, status: 403, error: AUTH_TEXTS.notLocal });
  }
  const audience = [appId, ...(settings.BOT_DOMAIN ? [`api://${settings.BOT_DOMAIN}/${appId}`] : [])];
  const tenant = settings.MicrosoftAppTenantId;
  const anyTenant = settings.MicrosoftAppType === 'MultiTenant' || (settings.MicrosoftAppType === undefined && tenant === undefined);
  const issuersFor = (tid: string) => [`https://sts.windows.net/${tid}/`, `https://login.microsoftonline.com/${tid}/v2.0`];

  return async ({ authorization }) => {
    const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    if (!token) return { ok: false, status: 401, error: AUTH_TEXTS.noToken };
    let payload;
    try {
      ({ payload } = await jwtVerify(token, jwks ?? entraJwks(), { audience, algorithms: ['RS256'], clockTolerance: 60, requiredClaims: ['exp', 'iss', 'aud'] }));
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) return { ok: false, status: 401, error: AUTH_TEXTS.badToken };
      throw error;
    }
    const tid = typeof payload.tid === 'string' ? payload.tid : undefined;
    const allowedTenant = anyTenant ? tid : tenant;
    if (!allowedTenant || (tid !== undefined && tid !== allowedTenant) || !issuersFor(allowedTenant).includes(String(payload.iss))) {
      return { ok: false, status: 401, error: AUTH_TEXTS.badToken };
    }
    const oid = typeof payload.oid === 'string' ? payload.oid : undefined;
    const coordinator = oid === undefined ? undefined : team.coordinators.find((c) => c.aadObjectId === oid);
    if (!coordinator) return { ok: false, status: 403, error: AUTH_TEXTS.notCoordinator };
    return { ok: true, user: { aadObjectId: coordinator.aadObjectId, name: coordinator.name } };
  };
}
