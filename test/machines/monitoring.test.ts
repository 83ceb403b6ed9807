import { describe, expect, it } from 'vitest';
import { CSV_HEADER, monitoringCsv } from '../../machines/monitoring-csv.js';
import { ageGroupOf, dayOf, monitoringCounts, openCases, parsePeriod, type Period } from '../../machines/monitoring.js';
import { gemeenteConfigPath, loadGemeenteConfig } from '../../data/gemeente.config.js';
import { seededAanmeldingen } from '../fixtures/monitoring-seed.js';
import type { Aanmelding } from '../../data/aanmelding.schema.js';
import { aanmelding, adele, megan, patti, team } from '../fixtures/referral.js';

const YEAR_2026: Period = { from: '2026-01-01', to: '2026-12-31' };
const NOW = new Date('2027-02-01T12:00:00.000Z');
const report = (period: Period = YEAR_2026, all = seededAanmeldingen(), now = NOW) => monitoringCounts({ aanmeldingen: all, team: team(), period, now });

describe('monitoringCounts: instroom', () => {
  it('counts the referrals created in the period, per month (every month of the period listed)', () => {
    const { instroom } = report();
    expect(instroom.total).toBe(7);
    expect(Object.keys(instroom.perMonth)).toHaveLength(12);
    expect(instroom.perMonth).toMatchObject({ '2026-01': 1, '2026-02': 1, '2026-03': 2, '2026-04': 1, '2026-05': 1, '2026-06': 0, '2026-12': 1 });
  });

  it('counts per wijk, per referrer type, per hoofdvraag (once per leefgebied) and per route', () => {
    const { instroom } = report();
    expect(instroom.perWijk).toEqual({ Oostrum: 3, Leunen: 2, Wanssum: 1, Ysselsteyn: 1 });
    expect(instroom.perReferrerRole).toEqual({ huisarts: 2, poh: 1, casemanager: 1, jgz: 1, school: 1, soj: 0, ouder: 1, anders: 0 });
    expect(instroom.perHoofdvraag).toMatchObject({ pedagogisch: 3, psychisch: 1, praktisch: 2, school: 1, omgang: 1, financien: 0 });
    expect(instroom.perRoute).toEqual({ gezinscoach: 6, gezinsverzorger: 1 });
  });

  it('counts age groups per child: 0-4 is up to 3, 4-12 up to 11, 12-23 up to and including 23, a child on the way apart', () => {
    const { instroom } = report();
    expect(instroom.perAgeGroup).toEqual({ '0-4': 1, '4-12': 3, '12-23': 4, 'ouder-dan-23': 0, verwacht: 1 });
    expect(instroom.children).toBe(9);
    expect([0, 3, 4, 11, 12, 23, 24].map((age) => ageGroupOf(age))).toEqual(['0-4', '0-4', '4-12', '4-12', '12-23', '12-23', 'ouder-dan-23']);
  });

  it('counts by the gemeente’s own age groups: Groningen 0-6, 6-12, 12-18, 18-23 (seed 000), Venray 0-4, 4-12, 12-23 (seed 004)', () => {
    const groningen = loadGemeenteConfig(gemeenteConfigPath({ GEMEENTE: 'groningen' }));
    const venray = loadGemeenteConfig(gemeenteConfigPath({ GEMEENTE: 'venray' }));
    const counted = (ageGroups: typeof venray) => monitoringCounts({ aanmeldingen: seededAanmeldingen(), team: team(), period: YEAR_2026, now: NOW, ageGroups }).instroom.perAgeGroup;
    expect(Object.keys(counted(groningen))).toEqual(['0-6', '6-12', '12-18', '18-23', 'ouder-dan-23', 'verwacht']);
    expect(Object.values(counted(groningen)).reduce((x, y) => x + y)).toBe(9);
    expect(counted(venray)).toEqual(report().instroom.perAgeGroup);
    expect([0, 5, 6, 11, 12, 17, 18, 23, 24].map((age) => ageGroupOf(age, groningen))).toEqual(['0-6', '0-6', '6-12', '6-12', '12-18', '12-18', '18-23', '18-23', 'ouder-dan-23']);
    // A gemeente with a lower age limit counts the children above it apart.
    expect(ageGroupOf(20, { leeftijdsgroepen: [0, 12], ageLimit: 18 })).toBe('ouder-dan-18');
  });

  it('counts a referral at 23:30 Dutch time on the last day, not one at 00:30 the day after', () => {
    const only = (createdAt: string) => [aanmelding({ createdAt })];
    expect(report(YEAR_2026, only('2026-12-31T22:30:00.000Z')).instroom.total).toBe(1);
    expect(report(YEAR_2026, only('2026-12-31T23:30:00.000Z')).instroom.total).toBe(0);
    // Summer time: 23:30 on 30 June is 21:30 UTC; 00:30 on 1 July is 22:30 UTC on 30 June.
    expect(report({ from: '2026-06-30', to: '2026-06-30' }, only('2026-06-30T21:30:00.000Z')).instroom.total).toBe(1);
    expect(report({ from: '2026-06-30', to: '2026-06-30' }, only('2026-06-30T22:30:00.000Z')).instroom.total).toBe(0);
    // And the first day counts from Dutch midnight.
    expect(report(YEAR_2026, only('2025-12-31T23:30:00.000Z')).instroom.total).toBe(1);
    expect(report(YEAR_2026, only('2025-12-31T22:30:00.000Z')).instroom.total).toBe(0);
  });
});

describe('monitoringCounts: the sturingsmatrix of the trajectories', () => {
  const coach = { aadObjectId: adele.aadObjectId, name: adele.name, role: 'gezinscoach' as const };
  const consulent = { aadObjectId: patti.aadObjectId, name: patti.name, role: 'jeugdconsulent' as const };
  const closedOn = (reference: string, closure: NonNullable<Aanmelding['closure']>) =>
    aanmelding({ reference, createdAt: '2026-02-01T10:00:00.000Z', status: 'afgesloten', assignee: coach, closure });

  it('counts closures by receiving organisation, goals achieved as a share of the uitstroom, and the mean satisfaction with how many marks', () => {
    const all = [
      closedOn('AM-2026-0801', { reason: 'doelen-behaald', at: '2026-05-01T10:00:00.000Z', satisfaction: 9 }),
      closedOn('AM-2026-0802', { reason: 'doorverwezen-voorliggend-veld', at: '2026-05-02T10:00:00.000Z', referredTo: 'Schuldhulpverlening', satisfaction: 6 }),
      closedOn('AM-2026-0803', { reason: 'doorverwezen-specialistisch', at: '2026-05-03T10:00:00.000Z', referredTo: 'Jeugd-GGZ' }),
      closedOn('AM-2026-0804', { reason: 'doorverwezen-voorliggend-veld', at: '2026-05-04T10:00:00.000Z', referredTo: 'Schuldhulpverlening' }),
      // Closed after the period: not counted.
      closedOn('AM-2026-0805', { reason: 'doelen-behaald', at: '2027-01-04T10:00:00.000Z', satisfaction: 2 }),
    ];
    const { uitstroom } = report(YEAR_2026, all);
    expect(uitstroom.perOrganisatie).toEqual({ Schuldhulpverlening: 2, 'Jeugd-GGZ': 1 });
    expect(uitstroom.doorverwezenNaar).toMatchObject({ 'voorliggend-veld': 2, specialistisch: 1 });
    expect(uitstroom.doelenBehaald).toEqual({ count: 1, of: 4, percentage: 25 });
    expect(uitstroom.tevredenheid).toEqual({ mean: 7.5, n: 2 });
    const csv = monitoringCsv(report(YEAR_2026, all));
    expect(csv).toContain('doorverwezen-naar-organisatie;Schuldhulpverlening;2\n');
    expect(csv).toContain('tevredenheid;gemiddeld;7,5\ntevredenheid;aantal-cijfers;2\n');
  });

  it('counts keukentafelgesprekken that got their second person in the period, and those running with both', () => {
    const kt = (reference: string, picks: string[], extra = {}) =>
      aanmelding({
        reference,
        createdAt: '2026-03-01T10:00:00.000Z',
        answers: { criteria: ['psychiatrie'] },
        status: 'toegewezen',
        assignee: coach,
        ...(picks.length > 1 ? { coAssignee: consulent } : {}),
        history: picks.map((at, i) => ({ at, action: i === 0 ? ('opgepakt' as const) : ('toegewezen' as const), by: i === 0 ? adele : megan })),
        ...extra,
      });
    const all = [
      kt('AM-2026-0811', ['2026-03-02T10:00:00.000Z', '2026-03-03T10:00:00.000Z']),
      // Only the gezinscoach so far.
      kt('AM-2026-0812', ['2026-03-02T10:00:00.000Z']),
      // Both since 2025: running, but not started in the period.
      kt('AM-2026-0813', ['2025-11-02T10:00:00.000Z', '2025-11-03T10:00:00.000Z'], { createdAt: '2025-11-01T10:00:00.000Z' }),
    ];
    const counts = report(YEAR_2026, all);
    expect(all[0]!.triage.route).toBe('keukentafelgesprek');
    expect(counts.samen.keukentafelgesprekkenGestart).toBe(1);
    expect(counts.stand.keukentafelgesprekkenSamen).toBe(2);
  });

  it('counts maatwerk beside the gezinscoach started in the period, and running at the peilmoment', () => {
    const withMaatwerk = (reference: string, since: string, extra = {}) =>
      aanmelding({ reference, createdAt: '2025-10-01T10:00:00.000Z', status: 'toegewezen', assignee: coach, maatwerk: { since, at: `${since}T12:00:00.000Z`, by: adele }, ...extra });
    const all = [
      withMaatwerk('AM-2026-0821', '2026-04-01'),
      withMaatwerk('AM-2026-0822', '2025-12-01'),
      withMaatwerk('AM-2026-0823', '2026-05-01', { status: 'afgesloten', closure: { reason: 'doelen-behaald', at: '2026-09-01T10:00:00.000Z' } }),
    ];
    const counts = report(YEAR_2026, all);
    expect(counts.samen.maatwerkIngezet).toBe(2);
    expect(counts.stand.maatwerkTegelijk).toBe(2);
    expect(monitoringCsv(counts)).toContain('maatwerk-naast-gezinscoach;ingezet;2\nmaatwerk-naast-gezinscoach;lopend;2\n');
  });
});

describe('monitoringCounts: anonymous consultations', () => {
  it('counts them apart: no family was referred, so they are neither instroom nor uitstroom', () => {
    const anoniem = (reference: string, extra = {}) =>
      aanmelding({ reference, createdAt: '2026-05-05T10:00:00.000Z', answers: { consent: { referral: 'anoniem', givenBy: [], feedbackToHuisarts: false, recordedAt: '2026-05-05T10:00:00.000Z' }, contact: undefined }, ...extra });
    const closedOne = anoniem('AM-2026-0902', { status: 'afgesloten', closure: { reason: 'doelen-behaald', at: '2026-06-01T10:00:00.000Z' } });
    const counts = report(YEAR_2026, [...seededAanmeldingen(), anoniem('AM-2026-0901'), closedOne]);
    expect(counts.instroom.total).toBe(7);
    expect(counts.instroom.perMonth['2026-05']).toBe(1);
    expect(counts.uitstroom.total).toBe(4);
    expect(counts.anoniemOverleg).toEqual({ instroom: 2, uitstroom: 1 });
    expect(monitoringCsv(counts)).toContain('anoniem-overleg;gestart;2\nanoniem-overleg;afgesloten;1\n');
  });
});

describe('monitoringCounts: uitstroom', () => {
  it('counts the cases closed in the period with reason, doorverwezen naar and uitval', () => {
    const { uitstroom } = report();
    expect(uitstroom.total).toBe(4);
    expect(uitstroom.perReason).toEqual({
      'doelen-behaald': 1,
      'afgeschaald-waakvlam': 0,
      'doorverwezen-jeugdconsulent': 1,
      'doorverwezen-specialistisch': 0,
      'doorverwezen-voorliggend-veld': 0,
      'doorverwezen-wijkteam': 1,
      'eenzijdig-gestopt': 1,
      verhuisd: 0,
      anders: 0,
    });
    expect(uitstroom.doorverwezenNaar).toEqual({ jeugdconsulent: 1, specialistisch: 0, 'voorliggend-veld': 0, wijkteam: 1 });
    expect(uitstroom.uitval).toBe(1);
  });

  it('gives the mean and median lead time in days from aanmelding to closure', () => {
    // 30, 10, 50 and 40 days.
    expect(report().uitstroom.leadTimeDays).toEqual({ mean: 32.5, median: 35 });
    expect(report({ from: '2030-01-01', to: '2030-01-31' }).uitstroom.leadTimeDays).toEqual({ mean: null, median: null });
  });
});

describe('monitoringCounts: the stand at the end of the period', () => {
  it('counts open cases per status and the waiting list up to the peilmoment', () => {
    const { stand, period } = report();
    expect(period.peilmoment).toBe('2026-12-31T22:59:59.999Z');
    expect(stand.openPerStatus).toEqual({ nieuw: 2, toegewezen: 1, wachtlijst: 1, 'meer-informatie': 0 });
    // On the waiting list since 10 February 09:00 UTC: 324 whole days at the end of 31 December.
    expect(stand.wachtlijst).toEqual({ length: 1, longestWaitDays: 324 });
  });

  it('measures up to now when the period has not ended yet', () => {
    const { stand, period } = report(YEAR_2026, seededAanmeldingen(), new Date('2026-03-10T09:00:00.000Z'));
    expect(period.peilmoment).toBe('2026-03-10T09:00:00.000Z');
    expect(stand.wachtlijst).toEqual({ length: 1, longestWaitDays: 28 });
  });

  it('shows each professional active caseload against capacity', () => {
    expect(report().stand.caseloads).toEqual([
      expect.objectContaining({ name: 'Adele Vance', role: 'gezinscoach', activeCases: 0, maxCases: 15, room: 15 }),
      expect.objectContaining({ name: 'Isaiah Langer', activeCases: 0, maxCases: 12 }),
      expect.objectContaining({ name: 'Patti Fernandez', activeCases: 0, maxCases: 30 }),
      expect.objectContaining({ name: 'Lynne Robbins', role: 'gezinsverzorger', activeCases: 1, maxCases: 4, maxComplexIntensief: 4, hoursPerWeek: 20, room: 3 }),
    ]);
  });

  it('counts the running cases per intensity (a keukentafelgesprek once), those waiting for agreement, and each professional\'s waakvlam and complex-intensief', () => {
    const by = { aadObjectId: '00000000-0000-0000-0000-0000000000022', name: 'Adele Vance' };
    const since = '2026-04-01T10:00:00.000Z';
    const all = [
      aanmelding({ reference: 'AM-2026-0001', status: 'toegewezen', assignee: { ...by, role: 'gezinscoach' }, intensity: { level: 'waakvlam', since, by, agreed: { by, at: since } } }),
      aanmelding({ reference: 'AM-2026-0002', status: 'toegewezen', assignee: { ...by, role: 'gezinscoach' }, intensity: { level: 'waakvlam', since, by } }),
      aanmelding({
        reference: 'AM-2026-0003',
        status: 'toegewezen',
        triage: { route: 'keukentafelgesprek' },
        assignee: { ...by, role: 'gezinscoach' },
        coAssignee: { aadObjectId: '00000000-0000-0000-0000-0000000000024', name: 'Patti Fernandez', role: 'jeugdconsulent' },
        intensity: { level: 'complex-intensief', since, by },
      }),
      aanmelding({ reference: 'AM-2026-0004', status: 'toegewezen', assignee: { ...by, role: 'gezinscoach' } }),
      aanmelding({ reference: 'AM-2026-0005' }), // nobody has it: no intensity yet
    ];
    const { stand } = report(YEAR_2026, all);
    expect(stand.intensiteit).toEqual({ perLevel: { licht: 1, waakvlam: 2, 'complex-intensief': 1 }, wachtOpAkkoord: 2, normComplexIntensief: 15 });
    expect(stand.caseloads.find((c) => c.name === 'Adele Vance')).toMatchObject({ activeCases: 4, waakvlam: 2, maxWaakvlam: 8, complexIntensief: 1, maxComplexIntensief: 3 });
    expect(stand.caseloads.find((c) => c.name === 'Patti Fernandez')).toMatchObject({ activeCases: 1, waakvlam: 0, complexIntensief: 1 });
    expect(monitoringCsv(report(YEAR_2026, all))).toContain('intensiteit;waakvlam;2\nintensiteit;complex-intensief;1\nintensiteit;wacht-op-akkoord;2');
  });

  it('has no figure left that the product does not record', () => {
    expect(report()).not.toHaveProperty('notAvailable');
    expect(monitoringCsv(report())).not.toContain('niet-vastgelegd');
  });

  it('lists open cases without family data, longest waiting first', () => {
    const cases = openCases(seededAanmeldingen(), new Date('2026-12-31T22:59:59.999Z'));
    expect(cases.map((c) => c.reference)).toEqual(['AM-2026-0001', 'AM-2026-0002', 'AM-2026-0003', 'AM-2026-0007']);
    expect(cases[1]).toEqual({ reference: 'AM-2026-0002', status: 'wachtlijst', route: 'gezinscoach', wijk: 'Ysselsteyn', urgent: false, assignee: null, waitingDays: 331, onWachtlijst: true });
    // Who has it: the professional's name, so the coordinator sees whom to ask.
    expect(cases.find((c) => c.reference === 'AM-2026-0003')?.assignee).toBe('Lynne Robbins');
    // Picked up after 4 days: it waited 4 days.
    expect(cases.find((c) => c.reference === 'AM-2026-0003')?.waitingDays).toBe(4);
    expect(JSON.stringify(cases)).not.toMatch(/Jan de Vries|slapen|06 1234/);
  });
});

describe('parsePeriod', () => {
  it.each([
    [undefined, '2026-12-31', 'begindatum (--from / from) ontbreekt'],
    ['2026-01-01', undefined, 'einddatum (--to / to) ontbreekt'],
    ['2026-02-30', '2026-12-31', 'geen geldige datum'],
    ['1-1-2026', '2026-12-31', 'geen geldige datum'],
    ['2026-12-31', '2026-01-01', 'ligt na de einddatum'],
    ['2000-01-01', '2026-01-01', 'hoogstens 10 jaar'],
  ])('refuses from=%s to=%s in Dutch', (from, to, problem) => {
    expect(parsePeriod(from, to)).toEqual({ ok: false, problem: expect.stringContaining(problem) });
  });

  it('accepts a single day', () => {
    expect(parsePeriod('2026-03-01', '2026-03-01')).toEqual({ ok: true, period: { from: '2026-03-01', to: '2026-03-01' } });
  });
});

describe('monitoringCsv', () => {
  const lines = monitoringCsv(report()).trimEnd().split('\n');

  it('starts with one header line and has three fields per row', () => {
    expect(lines[0]).toBe(CSV_HEADER);
    expect(CSV_HEADER).toBe('dimensie;sleutel;waarde');
    for (const line of lines) expect(line.split(';')).toHaveLength(3);
  });

  it('has a row per dimension and key, with decimal commas and empty values for what is not recorded', () => {
    expect(lines).toEqual(
      expect.arrayContaining([
        'instroom;totaal;7',
        'instroom-per-maand;2026-03;2',
        'instroom-per-wijk;Oostrum;3',
        'instroom-per-verwijzer;huisarts;2',
        'instroom-per-hoofdvraag;pedagogisch;3',
        'instroom-per-leeftijd;4-12;3',
        'instroom-per-leeftijd;verwacht;1',
        'uitstroom;totaal;4',
        'uitstroom-per-reden;eenzijdig-gestopt;1',
        'doorlooptijd-dagen;gemiddeld;32,5',
        'doorlooptijd-dagen;mediaan;35',
        'doorverwezen-naar;wijkteam;1',
        'uitval;eenzijdig-gestopt;1',
        'open-per-status;nieuw;2',
        'wachtlijst;lengte;1',
        'wachtlijst;langste-wachttijd-dagen;324',
        'caseload;Lynne Robbins (gezinsverzorger);1',
        'capaciteit;Lynne Robbins (gezinsverzorger);4',
        'waakvlam;Adele Vance (gezinscoach);0',
        'norm-waakvlam;Adele Vance (gezinscoach);8',
        'intensiteit;licht;1',
        'intensiteit;norm-complex-intensief-team;15',
        'doelen-behaald;procent;25',
        'tevredenheid;aantal-cijfers;0',
        'tevredenheid;gemiddeld;',
        'keukentafelgesprek-samen;gestart;0',
        'maatwerk-naast-gezinscoach;lopend;0',
      ]),
    );
  });

  it('quotes a field with ; or " and defuses a formula', () => {
    const odd = [aanmelding({ createdAt: '2026-05-05T10:00:00.000Z', answers: { wijk: 'Noord; "oud"' } }), aanmelding({ reference: 'AM-2026-0002', createdAt: '2026-05-05T10:00:00.000Z', answers: { wijk: '=SOM(A1)' } })];
    const csv = monitoringCsv(report(YEAR_2026, odd));
    expect(csv).toContain('instroom-per-wijk;"Noord; ""oud""";1');
    expect(csv).toContain("instroom-per-wijk;'=SOM(A1);1");
  });

  it.each([
    ['-', '-2+3+cmd|\' /C calc\'!A0', "instroom-per-wijk;'-2+3+cmd|' /C calc'!A0;1"],
    ['=', '=1+1', "instroom-per-wijk;'=1+1;1"],
    ['+', '+31 6', "instroom-per-wijk;'+31 6;1"],
    ['@', '@SUM(A1)', "instroom-per-wijk;'@SUM(A1);1"],
    ['a tab', '\t=1', "instroom-per-wijk;'\t=1;1"],
    ['a carriage return', '\r=1', 'instroom-per-wijk;"\'\r=1";1'],
  ])('gives a text starting with %s a leading apostrophe, so Excel shows it instead of computing it', (_start, wijk, row) => {
    const csv = monitoringCsv(report(YEAR_2026, [aanmelding({ createdAt: '2026-05-05T10:00:00.000Z', answers: { wijk } })]));
    expect(csv).toContain(row);
  });

  it('leaves a text with a dash inside it alone', () => {
    const csv = monitoringCsv(report(YEAR_2026, [aanmelding({ createdAt: '2026-05-05T10:00:00.000Z', answers: { wijk: 'Oostrum-Noord' } })]));
    expect(csv).toContain('instroom-per-wijk;Oostrum-Noord;1');
  });
});

describe('dayOf', () => {
  it('gives the Dutch calendar day for every hour of a year, across both summer-time changes', () => {
    const intl = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' });
    for (let t = Date.parse('2026-01-01T00:00:00.000Z'); t < Date.parse('2027-01-01T00:00:00.000Z'); t += 30 * 60 * 1000) {
      expect(dayOf(t)).toBe(intl.format(t));
    }
  });
});
