import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type BotProcess } from '../support/bot-process.js';
import { writeSeededStore } from '../fixtures/monitoring-seed.js';

// The coordinator tab in a real headless Chromium (Debian's), against the real bot in local mode on a seeded store.
// CHROMIUM_PATH names the browser; by default the chromium found on PATH.
const CHROMIUM = process.env.CHROMIUM_PATH ?? onPath('chromium') ?? '/usr/bin/chromium';

function onPath(name: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .map((folder) => path.join(folder, name))
    .find((candidate) => existsSync(candidate));
}
const ARTIFACTS = fileURLToPath(new URL('../artifacts/tab/', import.meta.url));
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--lang=nl-NL'];

let dir: string;
let bot: BotProcess;
let context: BrowserContext | undefined;
let page: Page;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'overview-tab-'));
  await writeSeededStore(path.join(dir, 'data'));
  bot = await startBot({ DATA_DIR: path.join(dir, 'data'), MicrosoftAppId: '', LOG_LEVEL: 'warn' });
  await mkdir(ARTIFACTS, { recursive: true });
  if (!existsSync(CHROMIUM)) return; // the test itself fails with the install hint
  context = await chromium.launchPersistentContext(path.join(dir, 'profile'), { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1200, height: 900 } });
  page = context.pages()[0] ?? (await context.newPage());
});

afterAll(async () => {
  await context?.close();
  await bot?.stop();
  await rm(dir, { recursive: true, force: true });
});

function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium ontbreekt (${CHROMIUM}): installeer het met \`apt-get install chromium\` (Debian) of zet CHROMIUM_PATH, en draai de test opnieuw.`);
}

const text = () => page.locator('#content').innerText();

describe('the coordinator tab /tab/overzicht', () => {
  it('renders outside Teams with the seeded numbers, and says it is not running in Teams', async () => {
    requireChromium();
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(bot.url)) external.push(request.url());
    });
    await page.goto(`${bot.url}/tab/overzicht?from=2026-01-01&to=2026-12-31`);
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });

    await expect(page.locator('#context').innerText()).resolves.toContain('Deze pagina draait niet in Teams');
    const shown = await text();
    expect(shown).toContain('Monitoring 1 januari 2026 t/m 31 december 2026');
    expect(shown).toMatch(/7\s+instroom \(aanmeldingen\)/);
    expect(shown).toMatch(/4\s+uitstroom \(afgesloten\)/);
    expect(shown).toMatch(/32,5\s+gem\. doorlooptijd/);
    expect(shown).toMatch(/35\s+mediaan doorlooptijd/);
    expect(shown).toMatch(/Oostrum\s+3/);
    expect(shown).toMatch(/12 t\/m 23 jaar\s+4/);
    expect(shown).toMatch(/1\s+op de wachtlijst/);
    expect(shown).toContain('AM-2026-0002 · Gezinscoach · Ysselsteyn');
    expect(shown).toMatch(/Lynne Robbins \(gezinsverzorger\)\s+1 \/ 4/);
    for (const reference of ['AM-2026-0001', 'AM-2026-0002', 'AM-2026-0003']) expect(shown).toContain(reference);
    expect(shown).toMatch(/0 \/ 15\s+complex-intensief \(norm team\)/);
    expect(shown).toContain('maatwerk en algemene voorziening tegelijk: wordt nog niet vastgelegd');
    expect(shown).not.toContain('waakvlam: wordt nog niet vastgelegd');
    expect(shown).not.toMatch(/Jan de Vries|06 12345678/);
    // Everything from the bot itself; teams-js's own look-up of Teams' domains is blocked by the page's CSP.
    expect(external.filter((url) => !url.includes('teams-js/validDomains'))).toEqual([]);

    await page.screenshot({ path: path.join(ARTIFACTS, 'overzicht.png'), fullPage: true });
    for (const theme of ['dark', 'contrast']) {
      await page.evaluate(`document.body.className = 'theme-${theme}'`);
      await page.screenshot({ path: path.join(ARTIFACTS, `overzicht-${theme}.png`), fullPage: true });
    }
    await page.evaluate("document.body.className = 'theme-default'");
  });

  it('shows another period after the dates are changed with the keyboard, and links the CSV of that period', async () => {
    requireChromium();
    await page.getByLabel('Van').fill('2027-01-01');
    await page.getByLabel('Tot en met').fill('2027-12-31');
    // A real button: it takes focus and Enter works it.
    await page.getByRole('button', { name: 'Toon' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('Monitoring 1 januari 2027 t/m 31 december 2027').waitFor();
    expect(await text()).toMatch(/1\s+instroom \(aanmeldingen\)/);

    const href = await page.getByRole('link', { name: 'CSV downloaden' }).getAttribute('href');
    expect(href).toBe('/api/overzicht.csv?from=2027-01-01&to=2027-12-31');
    const csv = await (await fetch(`${bot.url}${href}`)).text();
    expect(csv.split('\n').slice(0, 1)).toEqual(['dimensie;sleutel;waarde']);
    expect(csv).toContain('instroom-per-wijk;Merselo;1');
  });

  it('serves the channel tab configuration page', async () => {
    requireChromium();
    await page.goto(`${bot.url}/tab/config`);
    await expect(page.locator('#status').innerText()).resolves.toContain('buiten Teams');
  });
});
