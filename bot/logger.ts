import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One JSON line per event on stdout. Log only ids, states, routes and timings: never what a referrer typed or
 * chose about a family (no names, ages, contact details, free text).
 */
export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'aanmeldbot' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
