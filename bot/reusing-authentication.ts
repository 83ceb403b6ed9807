import { ConfigurationBotFrameworkAuthentication, type Activity } from 'botbuilder';
import { sendDirectly } from './direct-sends.js';

type ConnectorFactory = ReturnType<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>;
type Claims = Parameters<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>[0];
type ConnectorClient = Awaited<ReturnType<ConnectorFactory['create']>>;
type UserTokenClient = Awaited<ReturnType<ConfigurationBotFrameworkAuthentication['createUserTokenClient']>>;

/** More than a bot ever meets (Teams has a handful of service addresses); beyond it the clients are made afresh. */
const MOST_CLIENTS = 64;

/** The bot's app id as botbuilder takes it from a request's claims (audience, else appid; none when anonymous). */
function appIdOf(claims: Claims): string {
  return claims.getClaimValue('aud') ?? claims.getClaimValue('appid') ?? '';
}

function remembered<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let found = map.get(key);
  if (!found) {
    if (map.size >= MOST_CLIENTS) map.clear();
    found = make();
    map.set(key, found);
    // A client that could not be made is made again next time.
    found.catch(() => map.delete(key));
  }
  return found;
}

/**
 * botbuilder's configuration authentication, except that its Bot Framework clients are made once per app id and
 * service address instead of for every turn. CloudAdapter builds a ConnectorClient and a UserTokenClient, each with
 * its own HTTP pipeline, for every activity and for every proactive message: a third of a millisecond and a heap of
 * garbage per turn, on a 2-core machine 5 % of a question turn. botbuilder's older BotFrameworkAdapter kept its
 * connector clients per service address the same way; the credentials in a client fetch and renew their own tokens.
 * Each client sends, replies and updates with one direct request (bot/direct-sends.ts).
 */
export class ReusingBotFrameworkAuthentication extends ConfigurationBotFrameworkAuthentication {
  private readonly factories = new Map<string, ConnectorFactory>();
  private readonly tokenClients = new Map<string, Promise<UserTokenClient>>();

  override createConnectorFactory(claimsIdentity: Claims): ConnectorFactory {
    const appId = appIdOf(claimsIdentity);
    const known = this.factories.get(appId);
    if (known) return known;
    const made = super.createConnectorFactory(claimsIdentity);
    const clients = new Map<string, Promise<ConnectorClient>>();
    // Structural: CloudAdapter only ever calls create().
    const factory = { create: (serviceUrl: string, audience?: string) => remembered(clients, `${serviceUrl} ${audience ?? ''}`, () => made.create(serviceUrl, audience).then((client) => sendDirectly(client))) } as ConnectorFactory;
    if (this.factories.size >= MOST_CLIENTS) this.factories.clear();
    this.factories.set(appId, factory);
    return factory;
  }

  override async authenticateRequest(activity: Activity, authHeader: string) {
    const result = await super.authenticateRequest(activity, authHeader);
    return { ...result, connectorFactory: this.createConnectorFactory(result.claimsIdentity) };
  }

  override createUserTokenClient(claimsIdentity: Claims): Promise<UserTokenClient> {
    return remembered(this.tokenClients, appIdOf(claimsIdentity), () => super.createUserTokenClient(claimsIdentity));
  }
}
