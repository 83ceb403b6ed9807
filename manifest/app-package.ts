import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TeamsManifestV1D30 } from '@microsoft/app-manifest';
import JSZip from 'jszip';
import { checkIcon, ICON_SPECS } from './icon-check.js';
import { fillTemplate } from './manifest-template.js';
import { validateAgainstOfficialSchema } from './official-schema.js';
import { readPackageSettings, type Checked } from './package.settings.js';

export const MANIFEST_DIR = path.dirname(fileURLToPath(import.meta.url));
export const PACKAGE_FILE_NAME = 'appPackage.zip';

export type AppManifest = TeamsManifestV1D30.TeamsManifestV1D30;

export type BuildOptions = {
  /** MicrosoftAppId, BOT_DOMAIN and the optional PRIVACY_URL, TERMS_URL, DEVELOPER_NAME, DEVELOPER_URL. */
  env: Record<string, string | undefined>;
  /** Where appPackage.zip goes; created when missing. */
  outDir: string;
  /** The manifest with its `${{…}}` placeholders, as parsed JSON; manifest/manifest.json when left out. */
  manifestTemplate?: unknown;
  /** The folder holding the icons the manifest names; manifest/ when left out. */
  sourceDir?: string;
};

export type BuildResult =
  | { ok: true; zipPath: string; manifest: AppManifest; files: string[] }
  | { ok: false; problems: string[] };

/**
 * Fills in the manifest from the environment, validates it against Microsoft's schema (offline) and checks
 * the icons, then zips manifest.json and the two icons into `outDir/appPackage.zip`. On any problem nothing
 * is written, and a package left by an earlier run is removed, so that no stale package gets uploaded.
 */
export async function buildAppPackage(options: BuildOptions): Promise<BuildResult> {
  const sourceDir = options.sourceDir ?? MANIFEST_DIR;
  const zipPath = path.join(options.outDir, PACKAGE_FILE_NAME);
  const fail = async (problems: string[]): Promise<BuildResult> => {
    await rm(zipPath, { force: true });
    return { ok: false, problems };
  };

  const settings = readPackageSettings(options.env);
  if (!settings.ok) return fail(settings.problems);

  const template: Checked<unknown> =
    options.manifestTemplate === undefined ? await readTemplate() : { ok: true, value: options.manifestTemplate };
  if (!template.ok) return fail(template.problems);
  const filled = fillTemplate(template.value, { ...settings.value, APP_VERSION: await appVersion() });
  if (!filled.ok) return fail(filled.problems);
  const manifest = filled.value;

  const problems = await validateAgainstOfficialSchema(manifest);
  const icons = await readIcons(manifest, sourceDir);
  problems.push(...icons.problems);
  if (problems.length > 0) return fail(problems);

  const zip = new JSZip();
  zip.file('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
  for (const icon of icons.files) zip.file(icon.name, icon.content);
  const content = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  await mkdir(options.outDir, { recursive: true });
  // Written beside and renamed, so a reader never finds half a zip.
  await writeFile(`${zipPath}.tmp`, content);
  await rename(`${zipPath}.tmp`, zipPath);
  return { ok: true, zipPath, manifest: manifest as AppManifest, files: ['manifest.json', ...icons.files.map((icon) => icon.name)] };
}

async function readTemplate(): Promise<Checked<unknown>> {
  try {
    return { ok: true, value: JSON.parse(await readFile(path.join(MANIFEST_DIR, 'manifest.json'), 'utf8')) };
  } catch (error) {
    return { ok: false, problems: [`manifest/manifest.json: ${error instanceof SyntaxError ? `geen geldige JSON (${error.message})` : String(error)}`] };
  }
}

/** The app's version in Teams follows the project's; Teams wants it raised for every new upload. */
async function appVersion(): Promise<string> {
  const projectPackage = JSON.parse(await readFile(path.join(MANIFEST_DIR, '..', 'package.json'), 'utf8')) as { version: string };
  return projectPackage.version;
}

type IconFile = { name: string; content: Buffer };

/** Reads and checks the icons manifest.icons names; they must lie beside manifest.json in the zip's root. */
async function readIcons(manifest: unknown, sourceDir: string): Promise<{ files: IconFile[]; problems: string[] }> {
  const named = (manifest as { icons?: Record<string, unknown> } | null)?.icons ?? {};
  const files: IconFile[] = [];
  const problems: string[] = [];
  for (const [kind, spec] of Object.entries(ICON_SPECS)) {
    const name = named[kind];
    // A missing or non-string name is the schema's to report.
    if (typeof name !== 'string') continue;
    const field = `icons.${kind}`;
    if (!/^[\w-]+\.png$/i.test(name) || name.toLowerCase() === 'manifest.json') {
      problems.push(`${field}: moet een bestandsnaam als "${kind}.png" zijn, zonder map (het staat naast manifest.json in de zip)`);
      continue;
    }
    if (files.some((file) => file.name === name)) {
      problems.push(`${field}: ${name} is al het andere pictogram; kleur en omtrek zijn twee bestanden`);
      continue;
    }
    let content: Buffer;
    try {
      content = await readFile(path.join(sourceDir, name));
    } catch {
      problems.push(`${field} (${name}): bestand ontbreekt in ${path.relative(process.cwd(), sourceDir) || '.'}/`);
      continue;
    }
    problems.push(...checkIcon(`${field} (${name})`, content, spec));
    files.push({ name, content });
  }
  return { files, problems };
}
