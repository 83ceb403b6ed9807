import { createIntakeDialog } from '../dialogs/intake.dialog.js';
import { CaseService, type CaseServiceDeps } from './case-service.js';
import { ChannelLifecycle } from './channel-lifecycle.js';
import { Conversations } from './conversation.js';
import { AanmeldBot } from './teams-bot.js';
import { WaitingTimes } from './waiting-times.js';

/** What the bot is made of is what its case service needs: stores, configuration, clock and delivery hooks. */
export type BotParts = CaseServiceDeps & { lifecycle?: ChannelLifecycle };

/** The bot from its parts: the flows, the turn runner and the case service. The server and the tests use this. */
export function assembleBot(parts: BotParts) {
  const { stores, config, team, log, now } = parts;
  const cases = new CaseService(parts);
  const waitingTimes = new WaitingTimes({ list: () => stores.referrals.list(), now });
  const conversations = new Conversations({
    stores,
    config,
    intake: createIntakeDialog({ config }),
    ...(config.services.includes('gezinsverzorger') ? { gezinsverzorger: createIntakeDialog({ config, kind: 'gezinsverzorger' }) } : {}),
    log,
    praktijkOf: (aadObjectId) => team.verwijzers.find((v) => v.aadObjectId === aadObjectId)?.praktijk,
    roleOf: (aadObjectId) => team.verwijzers.find((v) => v.aadObjectId === aadObjectId)?.rol,
    postJobFor: (draft) => cases.postJobFor(draft),
    onSubmitted: (aanmelding) => cases.afterSubmit(aanmelding),
    deliver: () => parts.deliver(),
    waitingTime: (route) => waitingTimes.forRoute(route),
  });
  const lifecycle = parts.lifecycle ?? new ChannelLifecycle({ stores, team, log, now, deliver: parts.deliver });
  const bot = new AanmeldBot({ conversations, cases, lifecycle, people: stores.people, channels: stores.channels, referrals: stores.referrals, team, now, log });
  return { bot, cases, conversations };
}
