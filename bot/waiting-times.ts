import { ROUTE_IDS, type RouteId } from '../data/gemeente.config.js';
import type { Aanmelding } from '../data/aanmelding.schema.js';
import { waitingTime, type WaitingTime } from '../machines/waiting-time.js';

/** How long an estimate is kept: reading every aanmelding on every "status" or submission would grow with the store. */
export const WAITING_TIME_CACHE_MS = 10 * 60 * 1000;

/**
 * The expected waiting time per route (machines/waiting-time.ts) over all stored aanmeldingen, recomputed at most every
 * ten minutes: an estimate from three months of practice does not change by the minute. Only the figures are kept,
 * never the records they come from.
 */
export class WaitingTimes {
  private cached: { at: number; byRoute: Map<RouteId, WaitingTime> } | undefined;
  private computing: Promise<Map<RouteId, WaitingTime>> | undefined;

  constructor(private readonly deps: { list: () => Promise<readonly Aanmelding[]>; now: () => Date; cacheMs?: number }) {}

  async forRoute(route: RouteId): Promise<WaitingTime> {
    const now = this.deps.now();
    if (!this.cached || now.getTime() - this.cached.at >= (this.deps.cacheMs ?? WAITING_TIME_CACHE_MS)) {
      // Two turns at once share one read.
      this.computing ??= this.deps
        .list()
        .then((all) => new Map(ROUTE_IDS.map((id) => [id, waitingTime(all, id, now)] as const)))
        .finally(() => (this.computing = undefined));
      this.cached = { at: now.getTime(), byRoute: await this.computing };
    }
    return this.cached.byRoute.get(route)!;
  }
}
