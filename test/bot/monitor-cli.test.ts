import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSeededStore } from '../fixtures/monitoring-seed.js';
import { runCli } from '../support/cli.js';

// npm run monitor, run as a user would: a child process on a seeded DATA_DIR.
const dir = mkdtempSync(path.join(tmpdir(), 'monitor-cli-'));
const dataDir = path.join(dir, 'data');
beforeAll(() => writeSeededStore(dataDir));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** npm run monitor as a user runs it, on the seeded folder. */
const monitor = (args: string[], env: Record<string, string> = {}) => runCli('bot/cli/monitor.ts', args, { DATA_DIR: dataDir, ...env });

describe('npm run monitor', () => {
  it('prints the counts of the period as JSON', async () => {
    const { code, stdout, stderr } = await monitor(['--from', '2026-01-01', '--to', '2026-12-31']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.instroom.total).toBe(7);
    expect(report.uitstroom).toMatchObject({ total: 4, uitval: 1, leadTimeDays: { mean: 32.5, median: 35 } });
    // The stand is measured up to now (or the end of 2026): the exact days depend on today.
    expect(report.stand.wachtlijst).toEqual({ length: 1, longestWaitDays: expect.any(Number) });
  });

  it('prints CSV for Dutch Excel with --format csv', async () => {
    const { code, stdout } = await monitor(['--from', '2026-01-01', '--to', '2026-12-31', '--format', 'csv']);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('dimensie;sleutel;waarde');
    expect(lines).toContain('instroom;totaal;7');
    expect(lines).toContain('doorlooptijd-dagen;gemiddeld;32,5');
  });

  it('counts the referral on the last day and not the one of the day after', async () => {
    const last = JSON.parse((await monitor(['--from', '2026-12-31', '--to', '2026-12-31'])).stdout);
    const after = JSON.parse((await monitor(['--from', '2027-01-01', '--to', '2027-01-01'])).stdout);
    expect([last.instroom.total, after.instroom.total]).toEqual([1, 1]);
    expect(last.instroom.perWijk).toEqual({ Oostrum: 1 });
    expect(after.instroom.perWijk).toEqual({ Merselo: 1 });
  });

  it.each([
    [['--to', '2026-12-31'], 'begindatum (--from / from) ontbreekt'],
    [['--from', '2026-13-01', '--to', '2026-12-31'], 'geen geldige datum'],
    [['--from', '2026-12-31', '--to', '2026-01-01'], 'ligt na de einddatum'],
    [['--from', '2026-01-01', '--to', '2026-12-31', '--format', 'xlsx'], 'onbekend formaat "xlsx"'],
    [['--from', '2026-01-01', '--to', '2026-12-31', '--wat'], 'onbekend of onvolledig argument'],
  ])('exits 2 with a Dutch message and nothing on stdout for %j', async (args, message) => {
    const { code, stdout, stderr } = await monitor(args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr).toContain('gebruik: npm run --silent monitor');
  });

  it('reads a missing DATA_DIR as an empty store and creates nothing', async () => {
    const missing = path.join(dir, 'bestaat-niet');
    const { code, stdout } = await monitor(['--from', '2026-01-01', '--to', '2026-12-31'], { DATA_DIR: missing });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).instroom.total).toBe(0);
    expect(readdirSync(dir)).toEqual(['data']);
  });
});
