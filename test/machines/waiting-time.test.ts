import { describe, expect, it } from 'vitest';
import type { Aanmelding } from '../../data/aanmelding.schema.js';
import { waitingTime } from '../../machines/waiting-time.js';
import { aanmelding, adele, megan, ROUTE_ANSWERS } from '../fixtures/referral.js';

const NOW = new Date('2026-06-01T10:00:00.000Z');
const DAY = 24 * 60 * 60 * 1000;
let n = 0;

/** A case sent `ago` days before NOW and picked up `after` days later (undefined: nobody has it yet). */
function sent(ago: number, after: number | undefined, options: { route?: keyof typeof ROUTE_ANSWERS; urgent?: boolean; status?: Aanmelding['status'] } = {}): Aanmelding {
  const created = new Date(NOW.getTime() - ago * DAY).toISOString();
  const picked = after === undefined ? undefined : new Date(NOW.getTime() - (ago - after) * DAY).toISOString();
  return aanmelding({
    reference: `AM-2026-${String(++n).padStart(4, '0')}`,
    answers: ROUTE_ANSWERS[options.route ?? 'gezinscoach'],
    ...(options.urgent ? { triage: { urgent: true } } : {}),
    createdAt: created,
    status: options.status ?? (picked ? 'toegewezen' : 'nieuw'),
    ...(picked ? { assignee: { ...adele, role: 'gezinscoach' as const } } : {}),
    history: [
      { at: created, action: 'aangemaakt', by: megan },
      ...(picked ? [{ at: picked, action: 'opgepakt' as const, by: adele }] : []),
    ],
  });
}

describe('the expected waiting time of a route', () => {
  it('is the median days from aanmelding to pick-up over the last three months, with the waiting list now', () => {
    const all = [sent(30, 2), sent(40, 4), sent(50, 6), sent(60, 10), sent(70, 21), sent(5, undefined), sent(3, undefined)];
    expect(waitingTime(all, 'gezinscoach', NOW)).toEqual({ route: 'gezinscoach', medianDays: 6, basedOn: 5, waiting: 2 });
  });

  it('gives no estimate with fewer than five picked-up cases, but still the waiting list', () => {
    const all = [sent(30, 2), sent(40, 4), sent(50, 6), sent(60, 10), sent(2, undefined)];
    expect(waitingTime(all, 'gezinscoach', NOW)).toEqual({ route: 'gezinscoach', basedOn: 4, waiting: 1 });
  });

  it('leaves out pick-ups older than three months, other routes and SPOED', () => {
    const recent = [sent(30, 1), sent(31, 1), sent(32, 1), sent(33, 1), sent(34, 1)];
    const others = [sent(200, 60), sent(190, 90), sent(20, 15, { route: 'keukentafelgesprek' }), sent(10, 0, { urgent: true })];
    expect(waitingTime([...recent, ...others], 'gezinscoach', NOW)).toMatchObject({ medianDays: 1, basedOn: 5 });
    expect(waitingTime([...recent, ...others], 'keukentafelgesprek', NOW)).toEqual({ route: 'keukentafelgesprek', basedOn: 1, waiting: 0 });
  });

  it('counts as waiting only open cases nobody has: not closed ones', () => {
    const all = [sent(5, undefined, { status: 'wachtlijst' }), sent(6, undefined, { status: 'afgesloten' })];
    expect(waitingTime(all, 'gezinscoach', NOW).waiting).toBe(1);
  });

  it('takes the middle of an even number of cases', () => {
    const all = [sent(30, 1), sent(31, 2), sent(32, 3), sent(33, 4), sent(34, 5), sent(35, 9)];
    expect(waitingTime(all, 'gezinscoach', NOW).medianDays).toBe(4); // (3 + 4) / 2 = 3,5, rounded
  });
});
