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
/**
 * The README's screenshots of the tab are taken here: into docs/screenshots/ with UPDATE_SCREENSHOTS=1, otherwise into
 * test/artifacts/ (a test run does not change tracked files).
 */
const DOCS = fileURLToPath(new URL(process.env.UPDATE_SCREENSHOTS === '1' ? '../../docs/screenshots/' : '../artifacts/screenshots/', import.meta.url));
const VALID_DOMAINS = 'https://res.cdn.office.net/teams-js/validDomains/json/validDomains.json';
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
  await mkdir(DOCS, { recursive: true });
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
    const blocked: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(bot.url)) external.push(request.url());
    });
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
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
    // Every figure of the sturingsmatrix is counted now: nothing is "niet beschikbaar" any more.
    expect(shown).toContain('maatwerk naast de gezinscoach');
    expect(shown).not.toContain('wordt nog niet vastgelegd');
    expect(shown).not.toMatch(/Jan de Vries|06 12345678/);
    // Who has it, in its own column; the bot's own words for a leefgebied; anonymous consultations apart.
    expect(await page.locator('table.stacked thead').first().innerText()).toContain('Toegewezen aan');
    expect(shown).toMatch(/AM-2026-0003\s+Toegewezen[^\n]*\s+Gezinsverzorger\s+Wanssum\s+Lynne Robbins/);
    expect(shown).toMatch(/Psychische problemen\s+1/);
    expect(shown).not.toMatch(/\bPsychisch\s+1/);
    expect(shown).toMatch(/0\s+anoniem overleg \(apart geteld/);
    // A reference opens its card in the channel thread.
    const link = page.getByRole('link', { name: 'AM-2026-0001' }).first();
    expect(await link.getAttribute('href')).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/message\/19%3Aaanmeldingen%40thread\.tacv2\/1768471200000\?/);
    // Everything from the bot itself, but for the list of Teams' domains that teams-js may fetch; the CSP blocks nothing.
    expect(external.filter((url) => url !== VALID_DOMAINS)).toEqual([]);
    expect(blocked).toEqual([]);

    await page.screenshot({ path: path.join(ARTIFACTS, 'overzicht.png'), fullPage: true });
    for (const theme of ['dark', 'contrast']) {
      await page.evaluate(`document.body.className = 'theme-${theme}'`);
      await page.screenshot({ path: path.join(ARTIFACTS, `overzicht-${theme}.png`), fullPage: true });
    }
    await page.evaluate("document.body.className = 'theme-default'");
  });

  it.each([
    [320, 'tab-320.png'],
    [1280, 'tab-1280.png'],
  ])('fits %i px wide without spilling sideways (Teams side panel and phone; desktop)', async (width, file) => {
    requireChromium();
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${bot.url}/tab/overzicht?from=2026-01-01&to=2026-12-31`);
    await page.locator('body[data-ready="true"]').waitFor({ timeout: 15_000 });
    // What sticks out past the right edge (in the browser, so as a script text: no DOM types in this Node test).
    const spill = (await page.evaluate(`(() => {
      const limit = document.documentElement.clientWidth;
      const wide = [...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > limit + 0.5 && e.getClientRects().length > 0);
      const where = (e) => e.closest('section')?.querySelector('h2, h3')?.textContent ?? '?';
      return { page: document.documentElement.scrollWidth, limit, wide: wide.slice(0, 5).map((e) => e.tagName.toLowerCase() + ' in ' + where(e)) };
    })()`)) as { page: number; limit: number; wide: string[] };
    expect(spill.wide).toEqual([]);
    expect(spill.page).toBeLessThanOrEqual(spill.limit);
    // Narrow, each open case is a block that names its fields; wide, a table with a header row.
    const header = page.locator('table.stacked thead').first();
    expect(((await header.boundingBox())?.width ?? 0) > 10).toBe(width > 640);
    const before = `getComputedStyle([...document.querySelectorAll('td[data-label="Toegewezen aan"]')].find((e) => e.textContent.includes('Lynne Robbins')), '::before').content`;
    expect(await page.evaluate(before)).toBe(width <= 640 ? '"Toegewezen aan"' : 'none');
    await page.screenshot({ path: path.join(DOCS, file), fullPage: true });
    await page.setViewportSize({ width: 1200, height: 900 });
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
