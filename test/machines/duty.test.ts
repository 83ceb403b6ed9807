import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../data/gemeente.config.js';
import { loadTeamConfig, teamConfigPath, type TeamConfig } from '../../data/team.config.js';
import { localWeekday } from '../../machines/dates.js';
import { onDuty, onDutyFor } from '../../machines/duty.js';
import { aanmelding, patti } from '../fixtures/referral.js';

/**
 * Who a SPOED aanmelding mentions in the channel: the jeugdconsulenten on duty that day (`dienst` in the team
 * configuration), or every jeugdconsulent when the rota names nobody, so an acute concern always reaches someone.
 */

type Json = Record<string, any>;
const dir = mkdtempSync(path.join(tmpdir(), 'team-duty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LIDIA = { aadObjectId: '00000000-0000-0000-0000-0000000000027', name: 'Lidia Holloway' };

/** The example team (Patti Fernandez, jeugdconsulent on weekdays) with a second jeugdconsulent, changed by `change`. */
function teamJson(change: (team: Json) => void = () => {}): Json {
  const team = JSON.parse(readFileSync(teamConfigPath({}), 'utf8')) as Json;
  const patti = team.professionals.find((p: Json) => p.role === 'jeugdconsulent');
  team.professionals.push({ ...patti, ...LIDIA, teamsUserId: 'user-id-7', dienst: ['wo', 'za', 'zo'] });
  change(team);
  return team;
}

function load(team: Json): TeamConfig {
  const file = path.join(dir, `team-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(team));
  return loadTeamConfig(file);
}

function problems(team: Json): string[] {
  try {
    load(team);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError, but the team loaded');
}

const names = (team: TeamConfig, day: Parameters<typeof onDuty>[1]) => onDuty(team, day).people.map((p) => p.name);

describe('who is on duty', () => {
  const team = load(teamJson());

  it('is the jeugdconsulent the rota names for the day', () => {
    expect(names(team, 'ma')).toEqual(['Patti Fernandez']);
    expect(names(team, 'za')).toEqual(['Lidia Holloway']);
    expect(onDuty(team, 'za').byRota).toBe(true);
  });

  it('is everyone the rota names for the day, when that is more than one', () => {
    expect(names(team, 'wo')).toEqual(['Patti Fernandez', 'Lidia Holloway']);
  });

  it('is every jeugdconsulent on a day the rota names nobody, and says so', () => {
    const weekdaysOnly = load(teamJson((t) => t.professionals.forEach((p: Json) => p.role === 'jeugdconsulent' && (p.dienst = ['ma', 'di']))));
    expect(onDuty(weekdaysOnly, 'zo')).toEqual({ people: [patti, LIDIA], byRota: false });
  });

  it('is every jeugdconsulent when the team has no rota at all', () => {
    const noRota = load(teamJson((t) => t.professionals.forEach((p: Json) => delete p.dienst)));
    for (const day of ['ma', 'za'] as const) expect(onDuty(noRota, day)).toEqual({ people: [patti, LIDIA], byRota: false });
  });

  it('never names a gezinscoach or a coordinator', () => {
    const all = (['ma', 'di', 'wo', 'do', 'vr', 'za', 'zo'] as const).flatMap((day) => onDuty(team, day).people.map((p) => p.aadObjectId));
    expect(new Set(all)).toEqual(new Set([patti.aadObjectId, LIDIA.aadObjectId]));
  });
});

describe('the day of the rota', () => {
  it('starts at midnight in the Netherlands, not in UTC', () => {
    // Sunday 1 March 2026, 23:30 UTC is Monday 00:30 in Amsterdam (CET); in summer time the shift is two hours.
    expect(localWeekday(new Date('2026-03-01T23:30:00Z'))).toBe('ma');
    expect(localWeekday(new Date('2026-03-01T22:30:00Z'))).toBe('zo');
    expect(localWeekday(new Date('2026-07-05T22:30:00Z'))).toBe('ma');
  });

  it('is the day the SPOED card was posted, so later versions of the card name the same people', () => {
    const team = load(teamJson());
    const posted = { ...aanmelding({ answers: { safety: { concern: true, action: 'veilig-thuis-gemeld' } } }), post: { service: 'jeugdconsulent' as const, conversationId: 'c', activityId: 'a', serviceUrl: 'http://localhost', postedAt: '2026-03-07T10:00:00.000Z' } };
    expect(posted.triage.urgent).toBe(true);
    // Posted on a Saturday (Lidia), looked at again on a Monday (Patti's day): still Lidia.
    expect(onDutyFor(posted, team, new Date('2026-03-09T10:00:00Z'))?.people).toEqual([LIDIA]);
    // While it is being posted, it is the day of posting.
    const { post: _post, ...unposted } = posted;
    expect(onDutyFor(unposted, team, new Date('2026-03-09T10:00:00Z'))?.people).toEqual([patti]);
  });

  it('names nobody for an aanmelding that is not SPOED', () => {
    expect(onDutyFor(aanmelding(), load(teamJson()), new Date('2026-03-09T10:00:00Z'))).toBeUndefined();
  });
});

describe('the rota in the team configuration', () => {
  it('is in the example team: Patti Fernandez on weekdays', () => {
    const example = loadTeamConfig(teamConfigPath({}));
    expect(names(example, 'di')).toEqual(['Patti Fernandez']);
    expect(onDuty(example, 'di').byRota).toBe(true);
  });

  it('refuses a rota on someone who is not a jeugdconsulent, naming the person and the field', () => {
    const found = problems(teamJson((t) => (t.professionals[0].dienst = ['ma'])));
    expect(found).toEqual(['professionals.0.dienst: alleen een jeugdconsulent heeft dienst voor SPOED; Adele Vance is gezinscoach']);
  });

  it('refuses a day that is not a weekday abbreviation, with the days it knows', () => {
    const found = problems(teamJson((t) => (t.professionals[2].dienst = ['maandag'])));
    expect(found).toEqual(['professionals.2.dienst.0: onbekende waarde "maandag"; kies uit "ma", "di", "wo", "do", "vr", "za", "zo"']);
  });

  it('refuses an empty rota and a day named twice', () => {
    expect(problems(teamJson((t) => (t.professionals[2].dienst = []))).join('\n')).toContain('professionals.2.dienst: mag niet leeg zijn');
    expect(problems(teamJson((t) => (t.professionals[2].dienst = ['ma', 'di', 'ma'])))).toEqual(['professionals.2.dienst: ma staat er meer dan één keer in']);
  });
});
