import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type restify from 'restify';
import type { Settings } from '../settings.js';

/**
 * The tab's pages, served by the bot itself (no other host, no CDN): /tab/overzicht (the coordinator overview),
 * /tab/config (the channel tab's configuration page), their script and style, and /tab/teams-js.js, the browser
 * bundle of @microsoft/teams-js from node_modules. The pages hold no data; they fetch /api/overzicht.
 */

const PUBLIC = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');
const TEAMS_JS = path.join(path.dirname(createRequire(import.meta.url).resolve('@microsoft/teams-js/package.json')), 'dist/umd/MicrosoftTeams.min.js');

const FILES: Record<string, { file: string; type: string }> = {
  '/tab/overzicht': { file: path.join(PUBLIC, 'overzicht.html'), type: 'text/html; charset=utf-8' },
  '/tab/config': { file: path.join(PUBLIC, 'config.html'), type: 'text/html; charset=utf-8' },
  '/tab/overzicht.js': { file: path.join(PUBLIC, 'overzicht.js'), type: 'text/javascript; charset=utf-8' },
  '/tab/config.js': { file: path.join(PUBLIC, 'config.js'), type: 'text/javascript; charset=utf-8' },
  '/tab/overzicht.css': { file: path.join(PUBLIC, 'overzicht.css'), type: 'text/css; charset=utf-8' },
  '/tab/teams-js.js': { file: TEAMS_JS, type: 'text/javascript; charset=utf-8' },
};

/**
 * Teams shows a tab in an iframe on its own hosts; nothing else may frame it, and the page loads only from here.
 * The one thing teams-js fetches itself is Teams' list of valid host domains (validDomains.json on Office's CDN), so
 * connect-src names exactly that file; no inline script or style, no plugins, no <base> and no form elsewhere.
 */
export const TEAMS_JS_VALID_DOMAINS = 'https://res.cdn.office.net/teams-js/validDomains/json/validDomains.json';
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  `connect-src 'self' ${TEAMS_JS_VALID_DOMAINS}`,
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self' https://teams.microsoft.com https://*.teams.microsoft.com https://*.teams.cloud.microsoft https://*.cloud.microsoft https://*.office.com https://*.microsoft365.com",
].join('; ');

export function registerTabPages(server: restify.Server, _settings: Settings): void {
  for (const [route, { file, type }] of Object.entries(FILES)) {
    const body = readFileSync(file);
    server.get(route, async (_req: restify.Request, res: restify.Response) => {
      res.writeHead(200, {
        'Content-Type': type,
        'Content-Length': body.length,
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-cache',
      });
      res.end(body);
    });
  }
}
