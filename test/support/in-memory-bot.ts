import { pino } from 'pino';
import { loadGemeenteConfig } from '../../data/gemeente.config.js';
import { openStores } from '../../data/stores.js';
import { loadTeamConfig, type TeamConfig } from '../../data/team.config.js';
import { assembleBot } from '../../bot/assemble.js';

/** The whole bot on in-memory stores, for botbuilder's TestAdapter: no server, no connector, nothing delivered. */
export async function inMemoryBot(now: () => Date, options: { team?: TeamConfig } = {}) {
  const config = loadGemeenteConfig();
  const team = options.team ?? loadTeamConfig();
  const stores = await openStores({ dataDir: undefined });
  const { bot, cases } = assembleBot({ stores, config, team, log: pino({ level: 'silent' }), now, deliver: () => {} });
  return { bot, stores, cases, config, team };
}
