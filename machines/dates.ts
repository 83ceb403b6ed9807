/** Calendar dates as the team reads them (Europe/Amsterdam), from a moment passed in: no wall clock here. */
import type { Weekday } from '../data/team.config.js';

const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' });

const weekdayFormat = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Amsterdam', weekday: 'short' });
const WEEKDAY_OF: Record<string, Weekday> = { Mon: 'ma', Tue: 'di', Wed: 'wo', Thu: 'do', Fri: 'vr', Sat: 'za', Sun: 'zo' };

/** "ma" … "zo": the weekday in the Netherlands at that moment (a rota's day starts at midnight there). */
export function localWeekday(at: Date): Weekday {
  return WEEKDAY_OF[weekdayFormat.format(at)]!;
}

/** "2026-11-23": the date in the Netherlands at that moment. */
export function localDate(at: Date): string {
  return dayFormat.format(at);
}

/** "2026-11-30" + 3 months = "2027-02-28" (the end of a shorter month, not a date that spills over). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, lastDay));
  return target.toISOString().slice(0, 10);
}

const longDate = new Intl.DateTimeFormat('nl-NL', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
/** "2027-02-23" → "23 februari 2027" */
export function dutchDate(date: string): string {
  return longDate.format(new Date(`${date}T00:00:00Z`));
}

const clockFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Europe/Amsterdam',
  hourCycle: 'h23',
  weekday: 'short',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The wall clock in the Netherlands at that moment: the date, the ISO weekday (1 Monday … 7 Sunday) and the minutes since midnight (with fractions). */
export function localClock(at: Date): { date: string; weekday: number; minutes: number } {
  const parts = Object.fromEntries(clockFormat.formatToParts(at).map((p) => [p.type, p.value])) as Record<string, string>;
  const minutes = Number(parts.hour) * 60 + Number(parts.minute) + Number(parts.second) / 60 + at.getUTCMilliseconds() / 60_000;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, weekday: WEEKDAYS.indexOf(parts.weekday ?? '') + 1, minutes };
}

/** The moment the clock in the Netherlands shows `minutes` after midnight on `date` ("2026-03-02", 510 → 08:30 that day). */
export function localMoment(date: string, minutes: number): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d) + Math.round(minutes * 60_000);
  // The offset from UTC at a moment: what the wall clock shows minus the moment itself (+1 or +2 hours).
  const offsetAt = (moment: number) => {
    const clock = localClock(new Date(moment));
    const [cy, cm, cd] = clock.date.split('-').map(Number) as [number, number, number];
    return Date.UTC(cy, cm - 1, cd) + Math.round(clock.minutes * 60_000) - moment;
  };
  const guess = wall - offsetAt(wall);
  return new Date(wall - offsetAt(guess));
}

/** "2026-02-28" + 1 day = "2026-03-01". */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
