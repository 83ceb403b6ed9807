import type { GemeenteConfig } from '../data/gemeente.config.js';
import type { Stores } from '../data/stores.js';
import type { TeamConfig } from '../data/team.config.js';
import { createIntakeDialog } from '../dialogs/intake.dialog.js';
import { CaseService } from './case-service.js';
import { Conversations } from './conversation.js';
import type { Logger } from './logger.js';
import { AanmeldBot } from './teams-bot.js';

export interface BotParts {
  stores: Stores;
  config: GemeenteConfig;
  team: TeamConfig;
  log: Logger;
  now: () => Date;
  /** Deliver what was just put in the outbox. */
  deliver: () => void;
  /** Check evaluation reminders (after a date changed). */
  evaluationsChanged?: () => void;
}

/** The bot from its parts: the flows, the turn runner and the case service. The server and the tests use this. */
export function assembleBot({ stores, config, team, log, now, deliver, evaluationsChanged }: BotParts) {
  const cases = new CaseService({ stores, config, team, log, now, deliver, ...(evaluationsChanged ? { evaluationsChanged } : {}) });
  const conversations = new Conversations({
    stores,
    config,
    intake: createIntakeDialog({ config }),
    ...(config.services.includes('gezinsverzorger') ? { gezinsverzorger: createIntakeDialog({ config, kind: 'gezinsverzorger' }) } : {}),
    log,
    praktijkOf: (aadObjectId) => team.verwijzers.find((v) => v.aadObjectId === aadObjectId)?.praktijk,
    onSubmitted: (aanmelding) => cases.afterSubmit(aanmelding),
  });
  const bot = new AanmeldBot({ conversations, cases, people: stores.people, channels: stores.channels, referrals: stores.referrals, team, now });
  return { bot, cases, conversations };
}
