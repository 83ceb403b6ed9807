// Preloaded into the bot in tests (node --import): reports every connection to a host that is not this machine,
// so a test can prove that a request was refused without any network call.
import net from 'node:net';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', undefined]);
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const options = typeof args[0] === 'object' && args[0] !== null ? args[0] : { port: args[0], host: args[1] };
  const target = Array.isArray(options) ? options[0] : options;
  if (target && !target.path && !LOOPBACK.has(target.host)) process.stderr.write(`OUTBOUND ${target.host}:${target.port}\n`);
  return connect.apply(this, args);
};
