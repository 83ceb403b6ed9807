import type { MonitoringReport } from './monitoring.js';

/**
 * The monitoring counts as CSV for Dutch Excel: `;` between fields, a decimal comma, one header line
 * `dimensie;sleutel;waarde` and one row per dimension and key. A field holding `;`, `"` or a line break is quoted
 * (with `"` doubled); a text that Excel would read as a formula (=, +, -, @, or a leading tab or carriage return) gets a leading
 * apostrophe (OWASP "CSV injection": `-2+3` or `-HYPERLINK(...)` is a formula too).
 * A figure without a value (a mean of nothing) has an empty waarde.
 */
export const CSV_HEADER = 'dimensie;sleutel;waarde';

export function monitoringCsv(report: MonitoringReport): string {
  const rows: [string, string, string | number | null][] = [
    ['periode', 'van', report.period.from],
    ['periode', 'tot-en-met', report.period.to],
    ['periode', 'peilmoment', report.period.peilmoment],
    ['instroom', 'totaal', report.instroom.total],
    ...entries('instroom-per-maand', report.instroom.perMonth),
    ...entries('instroom-per-wijk', report.instroom.perWijk),
    ...entries('instroom-per-verwijzer', report.instroom.perReferrerRole),
    ...entries('instroom-per-hoofdvraag', report.instroom.perHoofdvraag),
    ...entries('instroom-per-route', report.instroom.perRoute),
    ...entries('instroom-per-leeftijd', report.instroom.perAgeGroup),
    ['instroom', 'kinderen', report.instroom.children],
    ['uitstroom', 'totaal', report.uitstroom.total],
    ...entries('uitstroom-per-reden', report.uitstroom.perReason),
    ['doorlooptijd-dagen', 'gemiddeld', report.uitstroom.leadTimeDays.mean],
    ['doorlooptijd-dagen', 'mediaan', report.uitstroom.leadTimeDays.median],
    ...entries('doorverwezen-naar', report.uitstroom.doorverwezenNaar),
    ['uitval', 'eenzijdig-gestopt', report.uitstroom.uitval],
    ...entries('doorverwezen-naar-organisatie', report.uitstroom.perOrganisatie),
    ['doelen-behaald', 'aantal', report.uitstroom.doelenBehaald.count],
    ['doelen-behaald', 'van-uitstroom', report.uitstroom.doelenBehaald.of],
    ['doelen-behaald', 'procent', report.uitstroom.doelenBehaald.percentage],
    ['tevredenheid', 'gemiddeld', report.uitstroom.tevredenheid.mean],
    ['tevredenheid', 'aantal-cijfers', report.uitstroom.tevredenheid.n],
    ['keukentafelgesprek-samen', 'gestart', report.samen.keukentafelgesprekkenGestart],
    ['keukentafelgesprek-samen', 'lopend', report.stand.keukentafelgesprekkenSamen],
    ['maatwerk-naast-gezinscoach', 'ingezet', report.samen.maatwerkIngezet],
    ['maatwerk-naast-gezinscoach', 'lopend', report.stand.maatwerkTegelijk],
    ['anoniem-overleg', 'gestart', report.anoniemOverleg.instroom],
    ['anoniem-overleg', 'afgesloten', report.anoniemOverleg.uitstroom],
    ...entries('open-per-status', report.stand.openPerStatus),
    ['wachtlijst', 'lengte', report.stand.wachtlijst.length],
    ['wachtlijst', 'langste-wachttijd-dagen', report.stand.wachtlijst.longestWaitDays],
    ...report.stand.caseloads.flatMap((c): [string, string, number][] => [
      ['caseload', `${c.name} (${c.role})`, c.activeCases],
      ['capaciteit', `${c.name} (${c.role})`, c.maxCases],
      ['waakvlam', `${c.name} (${c.role})`, c.waakvlam],
      ['norm-waakvlam', `${c.name} (${c.role})`, c.maxWaakvlam],
      ['complex-intensief', `${c.name} (${c.role})`, c.complexIntensief],
      ['norm-complex-intensief', `${c.name} (${c.role})`, c.maxComplexIntensief],
    ]),
    ...entries('intensiteit', report.stand.intensiteit.perLevel),
    ['intensiteit', 'wacht-op-akkoord', report.stand.intensiteit.wachtOpAkkoord],
    ['intensiteit', 'norm-complex-intensief-team', report.stand.intensiteit.normComplexIntensief],
  ];
  return `${[CSV_HEADER, ...rows.map((row) => row.map(field).join(';'))].join('\n')}\n`;
}

function entries(dimension: string, counts: Record<string, number>): [string, string, number][] {
  return Object.entries(counts).map(([key, count]) => [dimension, key, count]);
}

function field(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value).replace('.', ',');
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[;"\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
