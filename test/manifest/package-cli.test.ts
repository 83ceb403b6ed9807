import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { afterAll, describe, expect, it } from 'vitest';

// `npm run package` as an administrator runs it; the package goes to a temp folder, not manifest/build.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'package-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Run = { code: number; stdout: string; stderr: string };

function npmRunPackage(env: Record<string, string>, outDir: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'package', '--', '--out', outDir],
      { cwd: ROOT, env: { ...process.env, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run package', () => {
  it('writes appPackage.zip for a made-up GUID and a domain', async () => {
    const outDir = path.join(dir, 'ok');

    const run = await npmRunPackage({ MicrosoftAppId: '0b7e5c1a-9d2f-4e3b-8a61-5f0c2d4e6a8b', BOT_DOMAIN: 'aanmelden.voorbeeldstad.nl' }, outDir);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('App-pakket gemaakt');
    expect(run.stdout).toContain('offline gevalideerd');
    const zip = await JSZip.loadAsync(readFileSync(path.join(outDir, 'appPackage.zip')));
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string')) as { id: string };
    expect(manifest.id).toBe('0b7e5c1a-9d2f-4e3b-8a61-5f0c2d4e6a8b');
  });

  it('stops with exit code 2 and one line per problem naming the field, without a stack trace', async () => {
    const run = await npmRunPackage({ MicrosoftAppId: 'aanmeldbot', BOT_DOMAIN: 'https://aanmelden.voorbeeldstad.nl' }, path.join(dir, 'refused'));

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('npm '));
    expect(lines).toEqual([
      'MicrosoftAppId: moet een GUID zijn, bijv. 00000000-0000-0000-0000-000000000000',
      'BOT_DOMAIN: alleen de hostnaam, zonder https://',
      'Geen app-pakket gemaakt: 2 problemen.',
    ]);
  });
});
