import type { Aanmelding } from '../data/aanmelding.schema.js';
import type { Professional, TeamConfig, Weekday } from '../data/team.config.js';
import { localWeekday } from './dates.js';

/** Who a SPOED aanmelding is for in the channel: the jeugdconsulenten on duty that day, or all of them. */
export interface OnDuty {
  people: Pick<Professional, 'aadObjectId' | 'name'>[];
  /** True when the rota named them; false when nobody is on duty that day and every jeugdconsulent is called. */
  byRota: boolean;
}

/**
 * The jeugdconsulenten on duty on a weekday (their `dienst` in the team configuration). An acute concern must reach
 * a jeugdconsulent within minutes (domain.md, safety in practice): on a day the rota names nobody, all of them.
 */
export function onDuty(team: TeamConfig, day: Weekday): OnDuty {
  const consulenten = team.professionals.filter((p) => p.role === 'jeugdconsulent');
  const rostered = consulenten.filter((p) => p.dienst?.includes(day));
  const people = (rostered.length > 0 ? rostered : consulenten).map(({ aadObjectId, name }) => ({ aadObjectId, name }));
  return { people, byRota: rostered.length > 0 };
}

/**
 * Who the channel card of an aanmelding names, if anyone: only a SPOED one, and the duty of the day it was posted
 * (of `at` while it is being posted), so every later version of the card names the same people.
 */
export function onDutyFor(a: Pick<Aanmelding, 'triage' | 'post'>, team: TeamConfig, at: Date): OnDuty | undefined {
  if (!a.triage.urgent) return undefined;
  const duty = onDuty(team, localWeekday(a.post ? new Date(a.post.postedAt) : at));
  return duty.people.length > 0 ? duty : undefined;
}
