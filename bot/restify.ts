import { createRequire } from 'node:module';
import path from 'node:path';
import type restifyModule from 'restify';

/**
 * restify 11, loadable on Node 20, 22 and 24. restify requires spdy when it loads, and spdy's http-deceiver calls
 * process.binding('http_parser'), which Node 24 removed ("No such module: http_parser"; on 20 and 22 a DEP0111
 * warning). restify uses spdy only for a server made with the `spdy` option, which this bot never makes (TLS and
 * HTTP/2 belong to the platform in front of it). So spdy's place in the module cache is taken by a stand-in before
 * restify loads. restify 12 drops spdy but needs Node 22, and this bot still serves Node 20.19.
 */
const require = createRequire(import.meta.url);
const restifyDir = path.dirname(require.resolve('restify/package.json'));
const spdyPath = require.resolve('spdy', { paths: [restifyDir] });

function unsupported(): never {
  throw new Error('SPDY wordt door deze bot niet gebruikt: restify draait hier zonder spdy.');
}

if (!require.cache[spdyPath]) {
  require.cache[spdyPath] = { id: spdyPath, filename: spdyPath, loaded: true, exports: { createServer: unsupported } } as unknown as NodeJS.Module;
}

const restify = require('restify') as typeof restifyModule;
export default restify;
