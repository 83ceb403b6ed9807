import { describe, expect, it } from 'vitest';
import { DEFAULT_WERKTIJDEN, type Werktijden } from '../../data/gemeente.config.js';
import { addWorkingMinutes, withinWorkingHours } from '../../machines/working-hours.js';
import { dueEscalations, nextEscalation } from '../../machines/spoed-escalation.js';
import { aanmelding } from '../fixtures/referral.js';

/**
 * The SPOED escalation clock counts working minutes only (ma–vr 08:30–17:00 Dutch time by default). March 2026 is
 * winter time (UTC+1) until the 29th; June is summer time (UTC+2). 2 March 2026 is a Monday.
 */

const HOURS = DEFAULT_WERKTIJDEN;
/** A moment on the Dutch wall clock, as the test reads it: "2026-03-02 16:50" in winter time. */
const winter = (local: string) => new Date(`${local.replace(' ', 'T')}:00+01:00`);
const summer = (local: string) => new Date(`${local.replace(' ', 'T')}:00+02:00`);

describe('30 working minutes after an aanmelding', () => {
  it.each([
    ['Monday morning', '2026-03-02 10:00', '2026-03-02 10:30'],
    ['ending exactly at closing time', '2026-03-02 16:30', '2026-03-02 17:00'],
    ['ten minutes before closing: the other 20 the next morning', '2026-03-02 16:50', '2026-03-03 08:50'],
    ['at closing time', '2026-03-02 17:00', '2026-03-03 09:00'],
    ['in the evening', '2026-03-02 22:15', '2026-03-03 09:00'],
    ['before opening', '2026-03-03 07:10', '2026-03-03 09:00'],
    ['at opening time', '2026-03-03 08:30', '2026-03-03 09:00'],
    ['Friday just before closing: Monday morning', '2026-03-06 16:50', '2026-03-09 08:50'],
    ['on Saturday', '2026-03-07 11:00', '2026-03-09 09:00'],
    ['on Sunday night', '2026-03-08 23:59', '2026-03-09 09:00'],
  ])('%s', (_, from, due) => {
    expect(addWorkingMinutes(HOURS, winter(from), 30)).toEqual(winter(due));
  });

  it('counts in summer time too', () => {
    expect(addWorkingMinutes(HOURS, summer('2026-06-01 16:50'), 30)).toEqual(summer('2026-06-02 08:50'));
  });

  it('over the weekend the clocks go forward (Friday winter time, Monday summer time)', () => {
    expect(addWorkingMinutes(HOURS, winter('2026-03-27 16:50'), 30)).toEqual(summer('2026-03-30 08:50'));
  });

  it('keeps the seconds of the start', () => {
    expect(addWorkingMinutes(HOURS, new Date('2026-03-02T09:00:30.000Z'), 30)).toEqual(new Date('2026-03-02T09:30:30.000Z'));
  });

  it('spreads a period longer than a working day over the days (8 hours on Monday from 09:00, 2 on Tuesday)', () => {
    expect(addWorkingMinutes(HOURS, winter('2026-03-02 09:00'), 600)).toEqual(winter('2026-03-03 10:30'));
  });

  it("follows the gemeente's own days and hours", () => {
    const own: Werktijden = { dagen: ['ma', 'wo', 'za'], van: '09:00', tot: '12:00' };
    expect(addWorkingMinutes(own, winter('2026-03-02 11:50'), 30)).toEqual(winter('2026-03-04 09:20'));
    expect(addWorkingMinutes(own, winter('2026-03-05 10:00'), 30)).toEqual(winter('2026-03-07 09:30'));
  });
});

describe('within working hours', () => {
  it.each([
    ['at opening time', '2026-03-02 08:30', true],
    ['a minute before closing', '2026-03-02 16:59', true],
    ['at closing time', '2026-03-02 17:00', false],
    ['early in the morning', '2026-03-02 08:29', false],
    ['on Saturday at noon', '2026-03-07 12:00', false],
    ['at night', '2026-03-03 03:00', false],
  ])('%s: %s', (_, at, within) => {
    expect(withinWorkingHours(HOURS, winter(at))).toBe(within);
  });

  it('in summer time', () => {
    expect(withinWorkingHours(HOURS, summer('2026-06-01 08:30'))).toBe(true);
    expect(withinWorkingHours(HOURS, summer('2026-06-01 17:00'))).toBe(false);
  });
});

describe('escalation levels of a SPOED aanmelding', () => {
  const rules = { minutes: 30, hours: HOURS };
  const spoed = (overrides: Parameters<typeof aanmelding>[0] = {}) =>
    aanmelding({ answers: { safety: { concern: true, action: 'veilig-thuis-gemeld' } }, createdAt: winter('2026-03-02 16:50').toISOString(), ...overrides });

  it('level 1 after the working minutes, level 2 as many working minutes after level 1, no third', () => {
    const first = spoed();
    expect(first.triage.urgent).toBe(true);
    expect(nextEscalation(first, rules)).toEqual({ level: 1, dueAt: winter('2026-03-03 08:50') });
    const warned = spoed({ escalation: { level: 1, at: winter('2026-03-03 09:05').toISOString() } });
    expect(nextEscalation(warned, rules)).toEqual({ level: 2, dueAt: winter('2026-03-03 09:35') });
    expect(nextEscalation(spoed({ escalation: { level: 2, at: winter('2026-03-03 09:35').toISOString() } }), rules)).toBeUndefined();
  });

  it('is due only from that moment on', () => {
    const a = spoed();
    expect(dueEscalations([a], winter('2026-03-03 08:49'), rules)).toEqual([]);
    expect(dueEscalations([a], winter('2026-03-03 08:50'), rules)).toEqual([{ aanmelding: a, level: 1 }]);
  });

  it('never for an aanmelding without spoed, or one that someone picked up, put on the waiting list or closed', () => {
    const late = winter('2026-03-10 12:00');
    const assignee = { aadObjectId: 'p', name: 'Patti Fernandez', role: 'jeugdconsulent' as const };
    expect(dueEscalations([aanmelding({ createdAt: winter('2026-03-02 10:00').toISOString() })], late, rules)).toEqual([]);
    expect(dueEscalations([spoed({ status: 'toegewezen', assignee })], late, rules)).toEqual([]);
    expect(dueEscalations([spoed({ status: 'wachtlijst' })], late, rules)).toEqual([]);
    expect(dueEscalations([spoed({ status: 'afgesloten' })], late, rules)).toEqual([]);
  });
});
