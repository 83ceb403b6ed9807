import type { GemeenteConfig } from '../data/gemeente.config.js';
import type { TeamConfig } from '../data/team.config.js';
import type { ReferrerDefaults } from '../dialogs/flow.js';
import { createIntakeDialog } from '../dialogs/intake.dialog.js';
import { CaseService, type CaseServiceDeps } from './case-service.js';
import { ChannelLifecycle } from './channel-lifecycle.js';
import { Conversations } from './conversation.js';
import { AanmeldBot } from './teams-bot.js';
import { WaitingTimes } from './waiting-times.js';

/** What the bot is made of is what its case service needs: stores, configuration, clock and delivery hooks. */
export type BotParts = CaseServiceDeps & { lifecycle?: ChannelLifecycle };

/**
 * What the team configuration knows of a referrer: role and practice (verwijzers), and the wijk the practice suggests:
 * the verwijzer's own wijk, else the first wijk of the professional linked to that practice.
 */
export function referrerDefaults(team: TeamConfig, aadObjectId: string | undefined, config?: GemeenteConfig): ReferrerDefaults | undefined {
  const verwijzer = team.verwijzers.find((v) => v.aadObjectId === aadObjectId);
  if (!verwijzer) return undefined;
  const wijk = verwijzer.wijk ?? team.professionals.find((p) => p.praktijken.includes(verwijzer.praktijk) && p.wijken.length > 0)?.wijken[0];
  // A huisarts or POH skips the role question; other roles (a casemanager chooses between two requests) answer it.
  const role = verwijzer.rol === 'huisarts' || verwijzer.rol === 'poh' ? verwijzer.rol : undefined;
  const requests = config !== undefined && verwijzer.rol !== undefined && config.services.includes('gezinsverzorger') && config.gezinsverzorgerAanvragers.includes(verwijzer.rol);
  return { praktijk: verwijzer.praktijk, ...(role ? { role } : {}), ...(wijk ? { wijk } : {}), ...(requests ? { gezinsverzorgerRole: verwijzer.rol } : {}) };
}

/** The bot from its parts: the flows, the turn runner and the case service. The server and the tests use this. */
export function assembleBot(parts: BotParts) {
  const { stores, config, team, log, now } = parts;
  const cases = new CaseService(parts);
  const waitingTimes = new WaitingTimes({ list: () => stores.referrals.list(), now });
  const praktijken = team.praktijken.map((p) => p.naam);
  const professionals = team.professionals.map((p) => ({ aadObjectId: p.aadObjectId, name: p.name, role: p.role }));
  const conversations = new Conversations({
    stores,
    config,
    intake: createIntakeDialog({ config, praktijken, professionals }),
    ...(config.services.includes('gezinsverzorger') ? { gezinsverzorger: createIntakeDialog({ config, kind: 'gezinsverzorger', praktijken, professionals }) } : {}),
    log,
    roleOf: (aadObjectId) => team.verwijzers.find((v) => v.aadObjectId === aadObjectId)?.rol,
    referrerOf: (aadObjectId) => referrerDefaults(team, aadObjectId, config),
    postJobFor: (draft) => cases.postJobFor(draft),
    onSubmitted: (aanmelding) => cases.afterSubmit(aanmelding),
    deliver: () => parts.deliver(),
    waitingTime: (route) => waitingTimes.forRoute(route),
  });
  const lifecycle = parts.lifecycle ?? new ChannelLifecycle({ stores, team, log, now, deliver: parts.deliver });
  const bot = new AanmeldBot({ conversations, cases, lifecycle, people: stores.people, channels: stores.channels, referrals: stores.referrals, team, now, log });
  return { bot, cases, conversations };
}
