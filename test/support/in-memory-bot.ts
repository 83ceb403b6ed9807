import { pino } from 'pino';
import { loadGemeenteConfig } from '../../data/gemeente.config.js';
import { openStores } from '../../data/stores.js';
import { loadTeamConfig } from '../../data/team.config.js';
import { CaseService } from '../../bot/case-service.js';
import { Conversations } from '../../bot/conversation.js';
import { AanmeldBot } from '../../bot/teams-bot.js';
import { createIntakeDialog } from '../../dialogs/intake.dialog.js';

/** The whole bot on in-memory stores, for botbuilder's TestAdapter: no server, no connector. */
export async function inMemoryBot(now: () => Date) {
  const config = loadGemeenteConfig();
  const team = loadTeamConfig();
  const log = pino({ level: 'silent' });
  const stores = await openStores({ dataDir: undefined });
  const cases = new CaseService({ stores, config, team, log, now, deliver: () => {} });
  const conversations = new Conversations({
    stores,
    config,
    intake: createIntakeDialog({ config }),
    ...(config.services.includes('gezinsverzorger') ? { gezinsverzorger: createIntakeDialog({ config, kind: 'gezinsverzorger' }) } : {}),
    log,
    praktijkOf: (aad) => team.verwijzers.find((v) => v.aadObjectId === aad)?.praktijk,
    onSubmitted: (a) => cases.afterSubmit(a),
  });
  const bot = new AanmeldBot({ conversations, cases, people: stores.people, channels: stores.channels, referrals: stores.referrals, team, now });
  return { bot, stores, cases, config, team };
}
