/**
 * npm run bench:monitoring: the time to compute the monitoring counts (machines/monitoring.ts) over 10,000
 * stored aanmeldingen, built in memory. Prints the median of several runs.
 */
import { LEEFGEBIEDEN, REFERRER_ROLES, type Aanmelding } from '../../data/aanmelding.schema.js';
import { monitoringCsv } from '../../machines/monitoring-csv.js';
import { monitoringCounts, openCases } from '../../machines/monitoring.js';
import { aanmelding, adele, team } from '../fixtures/referral.js';

const COUNT = 10_000;
const RUNS = 9;
const WIJKEN = ['Oostrum', 'Leunen', 'Ysselsteyn', 'Merselo', 'Venray (kern)', 'Wanssum'];
const CLOSE = ['doelen-behaald', 'doorverwezen-jeugdconsulent', 'doorverwezen-wijkteam', 'eenzijdig-gestopt'] as const;

function build(): Aanmelding[] {
  const base = aanmelding();
  const start = Date.parse('2025-01-01T08:00:00.000Z');
  return Array.from({ length: COUNT }, (_, i) => {
    const createdAt = new Date(start + i * 3.1 * 60 * 60 * 1000).toISOString();
    const kind = i % 5;
    const closedAt = new Date(Date.parse(createdAt) + (20 + (i % 60)) * 24 * 60 * 60 * 1000).toISOString();
    return {
      ...base,
      reference: `AM-2025-${String(i + 1).padStart(5, '0')}`,
      intakeId: `intake-${i}`,
      createdAt,
      updatedAt: createdAt,
      referrer: { ...base.referrer, role: REFERRER_ROLES[i % REFERRER_ROLES.length]! },
      answers: { ...base.answers, wijk: WIJKEN[i % WIJKEN.length]!, hoofdvraag: [LEEFGEBIEDEN[i % 8]!, LEEFGEBIEDEN[(i + 3) % 8]!], children: [{ age: i % 24 }, { age: (i * 7) % 24 }] },
      ...(kind === 0 ? { status: 'wachtlijst' as const, waitlist: { reason: 'geen-ruimte' as const, since: createdAt } } : {}),
      ...(kind === 1 ? { status: 'toegewezen' as const, assignee: { aadObjectId: adele.aadObjectId, name: adele.name, role: 'gezinscoach' as const } } : {}),
      ...(kind >= 3
        ? { status: 'afgesloten' as const, assignee: { aadObjectId: adele.aadObjectId, name: adele.name, role: 'gezinscoach' as const }, closure: { reason: CLOSE[i % CLOSE.length]!, at: closedAt } }
        : {}),
    };
  });
}

const all = build();
const config = team();
const now = new Date('2028-06-01T12:00:00.000Z');
const period = { from: '2025-01-01', to: '2028-12-31' };
const times: number[] = [];
let total = 0;
for (let run = 0; run < RUNS; run++) {
  const started = performance.now();
  const report = monitoringCounts({ aanmeldingen: all, team: config, period, now });
  times.push(performance.now() - started);
  total = report.instroom.total;
}
const median = [...times].sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
const withExtras: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const started = performance.now();
  const report = monitoringCounts({ aanmeldingen: all, team: config, period, now });
  monitoringCsv(report);
  openCases(all, new Date(report.period.peilmoment));
  withExtras.push(performance.now() - started);
}
const medianExtras = [...withExtras].sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
console.log(`monitoring over ${COUNT.toLocaleString('nl-NL')} aanmeldingen (instroom geteld: ${total}), ${RUNS} runs`);
console.log(`  tellingen (monitoringCounts):           mediaan ${median.toFixed(1)} ms (min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)})`);
console.log(`  plus CSV en lijst open zaken (API):      mediaan ${medianExtras.toFixed(1)} ms`);
