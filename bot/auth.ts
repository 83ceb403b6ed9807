import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type RemoteJWKSet } from 'jose';
import { z } from 'zod';

/**
 * Who may talk to the bot at /api/messages in Teams mode: a Bot Framework token (Authorization: Bearer), checked here
 * before botbuilder sees the request. Junk is refused on its form alone (malformed, unsigned, not RS256, no key id,
 * wrong issuer, audience, time or serviceurl) without fetching anything; only a token that could be genuine makes
 * the server ask for Bot Framework's keys, once for all requests, cached, and never longer than KEY_FETCH_LIMIT_MS.
 *
 * Bot Framework's rules (botframework-connector's ChannelValidation and JwtTokenExtractor): issuer
 * https://api.botframework.com, audience the bot's app id, RS256 with a key from the OpenID metadata's jwks_uri that
 * endorses the activity's channel, 5 minutes of clock skew, and a `serviceurl` claim equal to the activity's serviceUrl.
 */

export const BOT_FRAMEWORK_OPENID_METADATA_URL = 'https://login.botframework.com/v1/.well-known/openidconfiguration';
export const BOT_FRAMEWORK_ISSUERS = ['https://api.botframework.com'];
export const KEY_FETCH_LIMIT_MS = 5_000;
const CLOCK_TOLERANCE_S = 5 * 60;
/** An unknown key id makes jose fetch the key set again at most this often. */
const KEY_REFETCH_COOLDOWN_MS = 5 * 60_000;
/** Keys and metadata are fetched again after a day (Microsoft rotates keys with notice). */
const KEY_CACHE_MS = 24 * 60 * 60_000;
const MAX_TOKEN_LENGTH = 16 * 1024;

/** Why a request was refused: short codes for the log line (never the token itself). */
export type RefusalReason =
  | 'no-token'
  | 'malformed'
  | 'algorithm'
  | 'no-key-id'
  | 'issuer'
  | 'audience'
  | 'expired'
  | 'not-yet-valid'
  | 'serviceurl'
  | 'unknown-key'
  | 'signature'
  | 'endorsement';

export type BotAuthResult =
  | { ok: true; claims: JWTPayload }
  | { ok: false; status: 401; reason: RefusalReason }
  | { ok: false; status: 503; reason: 'keys-unreachable' };

export interface BotAuthOptions {
  appId: string;
  /** Where Bot Framework publishes its OpenID metadata; tests use a key server on 127.0.0.1. */
  openIdMetadataUrl?: string;
  issuers?: string[];
  keyFetchLimitMs?: number;
  now?: () => Date;
}

export interface ActivityToAuthenticate {
  serviceUrl: string;
  channelId: string;
}

const MetadataSchema = z.object({ jwks_uri: z.url({ protocol: /^https?$/ }) });
const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

class KeysUnreachable extends Error {}

/**
 * Bot Framework's signing keys: one discovery (OpenID metadata → jwks_uri) and one jose remote key set shared by all
 * requests. Concurrent requests wait for the same fetch; jose caches the keys and refetches on an unknown key id at
 * most once per cooldown.
 */
class BotFrameworkKeys {
  private keySet: RemoteJWKSet | undefined;
  private discoveredAt = 0;
  private discovering: Promise<RemoteJWKSet> | undefined;

  constructor(
    private readonly metadataUrl: string,
    private readonly limitMs: number,
  ) {}

  get(): Promise<RemoteJWKSet> {
    if (this.keySet && Date.now() - this.discoveredAt < KEY_CACHE_MS) return Promise.resolve(this.keySet);
    this.discovering ??= this.discover().finally(() => (this.discovering = undefined));
    // A stale key set still serves while its metadata is fetched again.
    return this.keySet ? this.discovering.catch(() => this.keySet!) : this.discovering;
  }

  /** The published key with this id, as JSON (for its endorsements). */
  published(kid: string): { endorsements?: unknown } | undefined {
    return this.keySet?.jwks()?.keys.find((key) => key.kid === kid) as { endorsements?: unknown } | undefined;
  }

  private async discover(): Promise<RemoteJWKSet> {
    let body: unknown;
    try {
      const response = await fetch(this.metadataUrl, { signal: AbortSignal.timeout(this.limitMs), redirect: 'error' });
      if (!response.ok) throw new KeysUnreachable(`OpenID metadata answered ${response.status}`);
      body = await response.json();
    } catch (error) {
      throw error instanceof KeysUnreachable ? error : new KeysUnreachable(`OpenID metadata: ${(error as Error).name}`);
    }
    const metadata = MetadataSchema.safeParse(body);
    if (!metadata.success) throw new KeysUnreachable('OpenID metadata has no usable jwks_uri');
    this.keySet = createRemoteJWKSet(new URL(metadata.data.jwks_uri), {
      timeoutDuration: this.limitMs,
      cooldownDuration: KEY_REFETCH_COOLDOWN_MS,
      cacheMaxAge: KEY_CACHE_MS,
    });
    this.discoveredAt = Date.now();
    return this.keySet;
  }
}

/** The door's check of a Bot Framework token for one activity. Never throws: every outcome is a result. */
export function createBotAuth(options: BotAuthOptions): (authorization: string | undefined, activity: ActivityToAuthenticate) => Promise<BotAuthResult> {
  const { appId, issuers = BOT_FRAMEWORK_ISSUERS, keyFetchLimitMs = KEY_FETCH_LIMIT_MS, now = () => new Date() } = options;
  const keys = new BotFrameworkKeys(options.openIdMetadataUrl ?? BOT_FRAMEWORK_OPENID_METADATA_URL, keyFetchLimitMs);
  const refuse = (reason: RefusalReason): BotAuthResult => ({ ok: false, status: 401, reason });
  const unreachable: BotAuthResult = { ok: false, status: 503, reason: 'keys-unreachable' };

  return async (authorization, activity) => {
    if (!authorization) return refuse('no-token');
    if (authorization.length > MAX_TOKEN_LENGTH) return refuse('malformed');
    const token = BEARER.exec(authorization)?.[1];
    if (!token) return refuse('malformed');

    // Everything that can be judged without keys is judged first: junk never causes a fetch.
    let header, payload: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      payload = decodeJwt(token);
    } catch {
      return refuse('malformed');
    }
    if (header.alg !== 'RS256') return refuse('algorithm');
    if (typeof header.kid !== 'string' || header.kid === '' || header.kid.length > 256) return refuse('no-key-id');
    const early = claimProblem(payload, { appId, issuers, serviceUrl: activity.serviceUrl, at: now() });
    if (early) return refuse(early);

    let keySet: RemoteJWKSet;
    let keysFailed = false;
    const verified = withDeadline(keyFetchLimitMs, async () => {
      try {
        keySet = await keys.get();
      } catch {
        keysFailed = true;
        throw new KeysUnreachable('keys');
      }
      const getKey = async (...args: Parameters<RemoteJWKSet>) => {
        try {
          return await keySet(...args);
        } catch (error) {
          if (!(error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)) keysFailed = true;
          throw error;
        }
      };
      return jwtVerify(token, getKey, {
        algorithms: ['RS256'],
        issuer: issuers,
        audience: appId,
        clockTolerance: CLOCK_TOLERANCE_S,
        currentDate: now(),
        requiredClaims: ['exp'],
      });
    });
    try {
      await verified;
    } catch (error) {
      if (keysFailed || error instanceof DeadlinePassed || error instanceof errors.JWKSTimeout) return unreachable;
      if (error instanceof errors.JWKSNoMatchingKey) return refuse('unknown-key');
      if (error instanceof errors.JWTExpired) return refuse('expired');
      if (error instanceof errors.JWTClaimValidationFailed) return refuse(error.claim === 'nbf' ? 'not-yet-valid' : error.claim === 'aud' ? 'audience' : 'issuer');
      return refuse('signature');
    }
    // Bot Framework binds a key to the channels it may sign for (JwtTokenExtractor's endorsements check).
    const endorsements = keys.published(header.kid)?.endorsements;
    if (Array.isArray(endorsements) && endorsements.length > 0 && !endorsements.includes(activity.channelId)) return refuse('endorsement');
    return { ok: true, claims: payload };
  };
}

function claimProblem(payload: JWTPayload, expected: { appId: string; issuers: string[]; serviceUrl: string; at: Date }): RefusalReason | undefined {
  const nowS = Math.floor(expected.at.getTime() / 1000);
  if (typeof payload.iss !== 'string' || !expected.issuers.includes(payload.iss)) return 'issuer';
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(expected.appId)) return 'audience';
  if (typeof payload.exp !== 'number' || payload.exp < nowS - CLOCK_TOLERANCE_S) return 'expired';
  if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > nowS + CLOCK_TOLERANCE_S)) return 'not-yet-valid';
  if (payload.serviceurl !== expected.serviceUrl) return 'serviceurl';
  return undefined;
}

class DeadlinePassed extends Error {}

/** The work's result, or DeadlinePassed after ms; the work itself goes on (a late key fetch still fills the cache). */
async function withDeadline<T>(ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new DeadlinePassed()), ms)));
  const running = work();
  running.catch(() => {});
  try {
    return await Promise.race([running, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The tenant a message comes from, wherever Teams put it (channelData.tenant.id, conversation.tenantId, the token's
 * tid). All that are present must agree; undefined when none is, or when they disagree.
 */
export function tenantOf(activity: { conversation: { tenantId?: string | undefined }; channelData?: { tenant?: { id: string } | undefined } | undefined }, claims?: JWTPayload): { tenantId: string | undefined; consistent: boolean } {
  const seen = [activity.channelData?.tenant?.id, activity.conversation.tenantId, typeof claims?.tid === 'string' ? claims.tid : undefined]
    .filter((t): t is string => t !== undefined)
    .map((t) => t.toLowerCase());
  const distinct = [...new Set(seen)];
  return { tenantId: distinct[0], consistent: distinct.length <= 1 };
}
