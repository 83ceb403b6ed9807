import { WEEKDAY_IDS, type Werktijden } from '../data/gemeente.config.js';
import { addDays, localClock, localMoment } from './dates.js';

/**
 * Working hours of the jeugdconsulenten (gemeente configuration, Dutch time). Pure: the moment is passed in.
 * Holidays are not known here: a holiday on a working day counts as a working day.
 */

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const isWorkday = (hours: Werktijden, weekday: number) => hours.dagen.includes(WEEKDAY_IDS[weekday - 1]!);

/** Whether the team works at that moment (from "van" up to, not including, "tot"). */
export function withinWorkingHours(hours: Werktijden, at: Date): boolean {
  const clock = localClock(at);
  return isWorkday(hours, clock.weekday) && clock.minutes >= minutesOf(hours.van) && clock.minutes < minutesOf(hours.tot);
}

/**
 * The moment `minutes` working minutes after `start`, counting only minutes within working hours: with ma–vr
 * 08:30–17:00, 30 minutes from Monday 16:50 is Tuesday 08:50 (10 on Monday, 20 on Tuesday morning), and from
 * Friday evening Monday 09:00.
 */
export function addWorkingMinutes(hours: Werktijden, start: Date, minutes: number): Date {
  const open = minutesOf(hours.van);
  const close = minutesOf(hours.tot);
  let remaining = minutes;
  let { date, weekday, minutes: from } = localClock(start);
  // A week always has a working day (at least one day is required); two weeks is a generous bound.
  for (let day = 0; day <= 14; day++) {
    if (isWorkday(hours, weekday)) {
      const begin = Math.max(from, open);
      if (begin < close) {
        if (remaining <= close - begin) return localMoment(date, begin + remaining);
        remaining -= close - begin;
      }
    }
    date = addDays(date, 1);
    weekday = (weekday % 7) + 1;
    from = 0;
  }
  throw new Error('werktijden zonder werkdag');
}
