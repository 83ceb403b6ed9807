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
