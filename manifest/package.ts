/**
 * Builds the Teams app package:
 *
 *   npm run package [-- --out <folder>]     (default: manifest/build/appPackage.zip)
 *
 * Reads MicrosoftAppId, BOT_DOMAIN and the optional PRIVACY_URL, TERMS_URL, DEVELOPER_NAME, DEVELOPER_URL
 * from the environment and from .env in the project root.
 * Exit 0: the package is written; its path and what went into it on stdout.
 * Exit 2: a setting, the manifest or an icon is unusable; one line per problem on stderr, naming the field.
 * Exit 1: a bug; one line on stderr, never a stack trace.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildAppPackage, MANIFEST_DIR } from './app-package.js';

const USAGE = 'gebruik: npm run package [-- --out <map>]';

async function main(argv: string[]): Promise<number> {
  let out: string;
  try {
    const { values } = parseArgs({ args: argv, options: { out: { type: 'string' } } });
    out = values.out ?? path.join(MANIFEST_DIR, 'build');
  } catch {
    console.error(USAGE);
    return 2;
  }

  const envFile = path.join(MANIFEST_DIR, '..', '.env');
  // Variables already set win over .env (process.loadEnvFile does not overwrite them).
  if (existsSync(envFile)) process.loadEnvFile(envFile);

  const result = await buildAppPackage({ env: process.env, outDir: out });
  if (!result.ok) {
    for (const problem of result.problems) console.error(problem);
    const count = result.problems.length;
    console.error(`Geen app-pakket gemaakt: ${count} ${count === 1 ? 'probleem' : 'problemen'}.`);
    return 2;
  }
  const { manifest } = result;
  console.log(`App-pakket gemaakt: ${path.relative(process.cwd(), result.zipPath)}`);
  console.log(`  bevat: ${result.files.join(', ')}`);
  console.log(`  app-id en bot-id: ${manifest.id}`);
  console.log(`  domein: ${manifest.validDomains?.join(', ')}`);
  console.log(`  versie: ${manifest.version} (manifestschema ${manifest.manifestVersion}, offline gevalideerd)`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`interne fout: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
