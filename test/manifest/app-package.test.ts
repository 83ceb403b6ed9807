import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppManifestUtils } from '@microsoft/app-manifest';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { buildAppPackage, type AppManifest, type BuildOptions } from '../../manifest/app-package.js';
import { drawColorIcon, drawOutlineIcon } from '../../manifest/draw-icons.js';
import { checkIcon, ICON_SPECS } from '../../manifest/icon-check.js';
import { bundledSchemaVersions } from '../../manifest/official-schema.js';

const MANIFEST_DIR = fileURLToPath(new URL('../../manifest/', import.meta.url));
const APP_ID = '6f1c2b1e-3a0d-4f6b-9c2e-1234567890ab';
const dir = mkdtempSync(path.join(tmpdir(), 'app-package-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllGlobals());

let outDirs = 0;
const freshOutDir = () => path.join(dir, `out-${++outDirs}`);

function env(overrides: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return { MicrosoftAppId: APP_ID, BOT_DOMAIN: 'aanmelden.voorbeeldstad.nl', ...overrides };
}

/** manifest/manifest.json, parsed afresh, after `change`. */
function template(change: (manifest: Record<string, any>) => void = () => {}): Record<string, any> {
  const manifest = JSON.parse(readFileSync(path.join(MANIFEST_DIR, 'manifest.json'), 'utf8')) as Record<string, any>;
  change(manifest);
  return manifest;
}

async function build(options: Partial<BuildOptions> = {}) {
  return buildAppPackage({ env: env(), outDir: freshOutDir(), ...options });
}

async function built(options: Partial<BuildOptions> = {}): Promise<{ zipPath: string; manifest: AppManifest }> {
  const result = await build(options);
  if (!result.ok) throw new Error(`expected a package, got: ${result.problems.join('; ')}`);
  return result;
}

async function problems(options: Partial<BuildOptions>): Promise<string[]> {
  const result = await build(options);
  if (result.ok) throw new Error('expected the package to be refused');
  return result.problems;
}

function officialSchema(version: string) {
  const file = path.join(
    path.dirname(createRequire(import.meta.url).resolve('@microsoft/app-manifest')),
    'json-schemas',
    'teams',
    `v${version}`,
    'MicrosoftTeams.schema.json',
  );
  return JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof AppManifestUtils.validateAgainstSchema>[1];
}

const png = (width: number, height: number, paint: (x: number, y: number) => [number, number, number, number]) => {
  const image = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) image.data.set(paint(x, y), (y * width + x) * 4);
  }
  return PNG.sync.write(image);
};

describe('the app package', () => {
  it('builds with a made-up GUID and validates against the official schema without the network', async () => {
    const fetch = vi.fn(() => Promise.reject(new Error('no network here')));
    vi.stubGlobal('fetch', fetch);

    const { manifest, zipPath } = await built();

    expect(existsSync(zipPath)).toBe(true);
    expect(await AppManifestUtils.validateAgainstSchema(manifest, officialSchema(manifest.manifestVersion))).toEqual([]);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('uses the newest Teams manifest schema that @microsoft/app-manifest ships', () => {
    expect(template().manifestVersion).toBe(bundledSchemaVersions().at(-1));
    expect(template().$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${bundledSchemaVersions().at(-1)}/MicrosoftTeams.schema.json`);
  });

  it('fills in the app id, the bot id and the domain, and derives the privacy and terms addresses from the domain', async () => {
    const { manifest } = await built();

    expect(manifest.id).toBe(APP_ID);
    expect(manifest.bots?.[0]?.botId).toBe(APP_ID);
    expect(manifest.validDomains).toEqual(['aanmelden.voorbeeldstad.nl']);
    expect(manifest.developer).toEqual({
      name: 'Gezinsondersteuning',
      websiteUrl: 'https://aanmelden.voorbeeldstad.nl',
      privacyUrl: 'https://aanmelden.voorbeeldstad.nl/privacy',
      termsOfUseUrl: 'https://aanmelden.voorbeeldstad.nl/voorwaarden',
    });
  });

  it('takes the developer and the privacy and terms addresses from the environment when they are set', async () => {
    const { manifest } = await built({
      env: env({
        DEVELOPER_NAME: 'Gemeente Voorbeeldstad',
        DEVELOPER_URL: 'https://www.voorbeeldstad.nl',
        PRIVACY_URL: 'https://www.voorbeeldstad.nl/privacyverklaring',
        TERMS_URL: 'https://www.voorbeeldstad.nl/gebruiksvoorwaarden',
      }),
    });

    expect(manifest.developer).toEqual({
      name: 'Gemeente Voorbeeldstad',
      websiteUrl: 'https://www.voorbeeldstad.nl',
      privacyUrl: 'https://www.voorbeeldstad.nl/privacyverklaring',
      termsOfUseUrl: 'https://www.voorbeeldstad.nl/gebruiksvoorwaarden',
    });
  });

  it('offers the bot in personal chats, teams and group chats, with Dutch commands for each', async () => {
    const { manifest } = await built();
    const [bot] = manifest.bots ?? [];
    const commands = (scope: string) =>
      bot?.commandLists?.find((list) => list.scopes?.includes(scope as 'personal'))?.commands?.map((command) => command.title);

    expect(bot?.scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(commands('personal')).toEqual(['aanmelden', 'help', 'status']);
    expect(commands('team')).toEqual(['koppel dit kanaal', 'help']);
    expect(commands('groupChat')).toEqual(['help']);
    expect(bot).toMatchObject({ supportsFiles: false, isNotificationOnly: false });
    expect(manifest.localizationInfo).toEqual({ defaultLanguageTag: 'nl-nl' });
    expect(manifest.name.short).toBe('Aanmelden gezin');
  });
});

describe('a package that Teams would refuse is not built', () => {
  it.each([
    ['a missing MicrosoftAppId', { MicrosoftAppId: undefined }, 'MicrosoftAppId: ontbreekt'],
    ['an empty MicrosoftAppId (as in .env.example)', { MicrosoftAppId: '' }, 'MicrosoftAppId: ontbreekt'],
    ['a MicrosoftAppId that is not a GUID', { MicrosoftAppId: 'aanmeldbot' }, 'MicrosoftAppId: moet een GUID zijn'],
    ['a missing BOT_DOMAIN', { BOT_DOMAIN: undefined }, 'BOT_DOMAIN: ontbreekt'],
    ['a BOT_DOMAIN with https://', { BOT_DOMAIN: 'https://aanmelden.voorbeeldstad.nl' }, 'BOT_DOMAIN: alleen de hostnaam, zonder https://'],
    ['a BOT_DOMAIN with a path', { BOT_DOMAIN: 'aanmelden.voorbeeldstad.nl/api/messages' }, 'BOT_DOMAIN: moet een hostnaam zijn'],
    ['a PRIVACY_URL over plain http', { PRIVACY_URL: 'http://www.voorbeeldstad.nl/privacy' }, 'PRIVACY_URL: moet een volledig https://-adres zijn'],
    ['a DEVELOPER_NAME over 32 characters', { DEVELOPER_NAME: 'Gemeente Voorbeeldstad, afdeling Jeugd' }, 'DEVELOPER_NAME: mag hoogstens 32 tekens lang zijn'],
  ])('refuses %s, naming the variable', async (_case, overrides, expected) => {
    const found = await problems({ env: env(overrides) });

    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^${expected.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
  });

  it.each([
    ['a short name over 30 characters', (m: Record<string, any>) => (m.name.short = 'Aanmelden bij gezinsondersteuning'), 'name.short: mag hoogstens 30 tekens lang zijn'],
    ['a missing bot id', (m: Record<string, any>) => delete m.bots[0].botId, 'bots[0].botId: ontbreekt'],
    ['a bot id that is not a GUID', (m: Record<string, any>) => (m.bots[0].botId = 'aanmeldbot'), 'bots[0].botId: moet een GUID zijn'],
    ['a scope Teams does not know', (m: Record<string, any>) => (m.bots[0].scopes = ['personal', 'channel']), 'bots[0].scopes[1]: kies uit'],
    ['a field the schema does not have', (m: Record<string, any>) => (m.bots[0].supportsFile = false), 'bots[0].supportsFile: onbekend veld'],
    ['a placeholder without a variable', (m: Record<string, any>) => (m.developer.name = '${{GEMEENTE_NAAM}}'), 'developer.name: onbekende variabele ${{GEMEENTE_NAAM}}'],
    ['a manifest version without an official schema', (m: Record<string, any>) => (m.manifestVersion = '1.99'), 'manifestVersion: geen officieel schema voor "1.99"'],
    ['an icon in a folder', (m: Record<string, any>) => (m.icons.color = 'icons/color.png'), 'icons.color: moet een bestandsnaam'],
  ])('refuses a manifest with %s, naming the field', async (_case, change, expected) => {
    expect(await problems({ manifestTemplate: template(change) })).toEqual([expect.stringContaining(expected)]);
  });

  it('refuses an outline icon that is not white on transparent, naming the icon', async () => {
    const sourceDir = mkdtempSync(path.join(dir, 'icons-'));
    copyFileSync(path.join(MANIFEST_DIR, 'color.png'), path.join(sourceDir, 'color.png'));
    writeFileSync(path.join(sourceDir, 'outline.png'), png(32, 32, (x) => (x < 16 ? [0, 0, 0, 0] : [0x2f, 0x7d, 0x7a, 255])));

    expect(await problems({ sourceDir })).toEqual([
      'icons.outline (outline.png): mag alleen wit (#FFFFFF) en transparant bevatten; 512 pixel(s) hebben een andere kleur, de eerste op (16, 0)',
      'icons.outline (outline.png): moet een volledig transparante achtergrond hebben (de hoeken zijn niet transparant)',
    ]);
  });

  it('refuses a missing icon, naming the icon', async () => {
    const sourceDir = mkdtempSync(path.join(dir, 'icons-'));
    copyFileSync(path.join(MANIFEST_DIR, 'outline.png'), path.join(sourceDir, 'outline.png'));

    expect(await problems({ sourceDir })).toEqual([expect.stringMatching(/^icons\.color \(color\.png\): bestand ontbreekt/)]);
  });

  it('writes nothing, and removes a package left by an earlier run, so that no stale package is uploaded', async () => {
    const outDir = freshOutDir();
    const { zipPath } = await built({ outDir });

    const result = await buildAppPackage({ env: env({ MicrosoftAppId: 'aanmeldbot' }), outDir });

    expect(result.ok).toBe(false);
    expect(existsSync(zipPath)).toBe(false);
  });
});

describe('the zip', () => {
  it('holds exactly manifest.json, color.png and outline.png, at its root', async () => {
    const zip = await JSZip.loadAsync(readFileSync((await built()).zipPath));

    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
  });

  it('holds the manifest that was validated', async () => {
    const { zipPath, manifest } = await built();
    const zip = await JSZip.loadAsync(readFileSync(zipPath));

    expect(JSON.parse((await zip.file('manifest.json')?.async('string')) ?? '')).toEqual(manifest);
  });

  it('holds a colour icon of 192×192 and an outline icon of 32×32 with only white or transparent pixels', async () => {
    const zip = await JSZip.loadAsync(readFileSync((await built()).zipPath));
    const icon = async (name: string) => PNG.sync.read(await zip.file(name)!.async('nodebuffer'));
    const color = await icon('color.png');
    const outline = await icon('outline.png');

    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    const pixels = Array.from({ length: outline.width * outline.height }, (_, i) => [...outline.data.subarray(i * 4, i * 4 + 4)]);
    const notWhiteNorTransparent = pixels.filter(([r, g, b, a]) => a !== 0 && (r !== 255 || g !== 255 || b !== 255));
    expect(notWhiteNorTransparent).toEqual([]);
    expect(pixels.filter(([, , , a]) => a === 0).length).toBeGreaterThan(pixels.length / 2);
  });
});

describe('the icons', () => {
  it('are the ones manifest/draw-icons.ts draws', () => {
    const committed = (name: string) => PNG.sync.read(readFileSync(path.join(MANIFEST_DIR, name))).data;

    expect(committed('color.png').equals(drawColorIcon().data)).toBe(true);
    expect(committed('outline.png').equals(drawOutlineIcon().data)).toBe(true);
  });

  it('are checked for their size', () => {
    expect(checkIcon('icons.color (color.png)', png(96, 96, () => [0x2f, 0x7d, 0x7a, 255]), ICON_SPECS.color)).toEqual([
      'icons.color (color.png): moet 192×192 pixels zijn, is 96×96',
    ]);
  });

  it('are checked for being a PNG at all', () => {
    expect(checkIcon('icons.outline (outline.png)', Buffer.from('<svg/>'), ICON_SPECS.outline)).toEqual([
      'icons.outline (outline.png): geen geldig PNG-bestand',
    ]);
  });

  it('accept white at partial opacity on the outline icon (its smoothed edges)', () => {
    const edge = png(32, 32, (x, y) => (x > 8 && x < 24 && y > 8 && y < 24 ? [255, 255, 255, 128] : [0, 0, 0, 0]));

    expect(checkIcon('icons.outline (outline.png)', edge, ICON_SPECS.outline)).toEqual([]);
  });
});
