import { ConfigError } from '../data/gemeente.config.js';
import { DataDirLockedError } from '../data/data-dir-lock.js';
import { StoreConfigError } from '../data/stores.js';
import { createLogger } from './logger.js';
import { createApp } from './server.js';
import { isLocalMode, loadSettings, SettingsError } from './settings.js';

/** npm start: the bot on PORT (3978), its data under DATA_DIR (./.data). */
async function main() {
  const settings = loadSettings();
  const log = createLogger(settings.LOG_LEVEL);
  const app = await createApp(settings, { log });
  const port = await app.listen(settings.PORT);
  log.info({
    event: 'server.listening',
    port,
    host: app.host,
    mode: isLocalMode(settings) ? 'lokaal (geen app-id: geen tokens, voor de Agents Playground)' : 'teams',
    gemeente: app.config.gemeente,
    store: app.stores.describe.kind,
    where: app.stores.describe.where,
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ event: 'server.stopping', signal });
    await app.shutdown();
    log.info({ event: 'server.stopped' });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  // A broken configuration stops the bot with a message that names the field; never a stack trace.
  if (error instanceof ConfigError || error instanceof SettingsError || error instanceof DataDirLockedError || error instanceof StoreConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`De bot kon niet starten: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
