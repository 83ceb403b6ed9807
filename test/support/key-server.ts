import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

/**
 * Plays Bot Framework's token service on 127.0.0.1: OpenID metadata at /openid pointing at the key set at /keys,
 * with a key pair made in the test. Counts every request, so a test can prove that junk caused no key fetch.
 */
export class KeyServer {
  readonly requests: string[] = [];
  private server: Server | undefined;
  private privateKey!: CryptoKey;
  publicJwk!: JWK;
  publicPem!: string;
  readonly kid = 'sleutel-1';
  url = '';

  async start(): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    this.privateKey = privateKey;
    this.publicJwk = { ...(await exportJWK(publicKey)), kid: this.kid, use: 'sig', alg: 'RS256', endorsements: ['msteams'] } as JWK;
    this.publicPem = await exportSPKI(publicKey);
    // writeHead and end apart: restify, when loaded in this process, makes writeHead return nothing.
    this.server = createHttpServer((req, res) => {
      this.requests.push(req.url ?? '');
      const body = req.url === '/openid' ? { issuer: BOT_FRAMEWORK_ISSUER, jwks_uri: `${this.url}/keys` } : req.url === '/keys' ? { keys: [this.publicJwk] } : undefined;
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? {}));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return `${this.url}/openid`;
  }

  /** A token as Bot Framework signs it for this bot, with the claims given overriding the good ones. */
  async token(claims: JWTPayload & { serviceurl: string; aud: string }, options: { key?: CryptoKey; kid?: string | null; alg?: string } = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: options.alg ?? 'RS256', typ: 'JWT', ...(options.kid === null ? {} : { kid: options.kid ?? this.kid }) };
    return new SignJWT({ iss: BOT_FRAMEWORK_ISSUER, nbf: now - 60, exp: now + 3600, iat: now - 60, ...claims })
      .setProtectedHeader(header)
      .sign(options.key ?? this.privateKey);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A listener on 127.0.0.1 that accepts connections and never answers: keys that cannot be reached. */
export async function silentListener(): Promise<{ url: string; connections: () => number; stop: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const server = createTcpServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => sockets.length,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** base64url of JSON, for hand-made tokens (alg none and other junk). */
export const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
