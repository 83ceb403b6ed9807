/**
 * npm run dev: the bot in local mode plus the Microsoft 365 Agents Playground (a Teams-like web client that
 * runs offline), pointed at the bot. Ctrl-C stops both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PLAYGROUND_ROLES, playgroundConfig, type PlaygroundRole } from './playground-config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BOT_PORT = Number(process.env.PORT ?? 3978);
const PLAYGROUND_PORT = Number(process.env.PLAYGROUND_PORT ?? 56150);

// --as coordinator: start the Playground as another person of the example team (data/teams/voorbeeld.json).
const { values } = parseArgs({ options: { as: { type: 'string', default: 'verwijzer' } }, allowPositionals: false });
const as = values.as as PlaygroundRole;
if (!PLAYGROUND_ROLES.includes(as)) {
  process.stderr.write(`Onbekende rol "${values.as}". Kies uit: ${PLAYGROUND_ROLES.join(', ')}\n`);
  process.exit(2);
}
const configDir = path.join(ROOT, '.data', 'playground');
mkdirSync(configDir, { recursive: true });
const configFile = path.join(configDir, `${as}.m365agentsplayground.yml`);
writeFileSync(configFile, playgroundConfig(as));

const playgroundCli = path.join(path.dirname(createRequire(import.meta.url).resolve('@microsoft/m365agentsplayground/package.json')), 'cli.js');

const children: ChildProcess[] = [];
function run(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`${name} is gestopt (${signal ?? code}); ik stop ook de rest.\n`);
      void stop(code ?? 1);
    }
  });
  children.push(child);
  return child;
}

let stopping = false;
async function stop(code = 0) {
  stopping = true;
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 5000).unref();
        }),
    ),
  );
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

// Local mode: the Playground sends no token, so the bot must run without an app id.
run('De bot', ['--import', 'tsx', 'bot/main.ts'], {
  PORT: String(BOT_PORT),
  MicrosoftAppId: '',
  MicrosoftAppPassword: '',
});
run(
  'De Agents Playground',
  [playgroundCli, 'start', '-e', `http://localhost:${BOT_PORT}/api/messages`, '-c', 'msteams', '-p', String(PLAYGROUND_PORT), '--disable-telemetry'],
  { TEAMSAPPTESTER_BROWSER: 'none', M365_AGENTS_PLAYGROUND_CONFIG_PATH: configFile },
);

process.stdout.write(
  `\nOpen http://localhost:${PLAYGROUND_PORT} in je browser. Je bent ${as} (${PLAYGROUND_ROLES.join(', ')}: kies met --as).\n` +
    'Persoonlijke chat: typ "aanmelden". Team "Gezinscoaches Venray", kanaal Aanmeldingen: "@Aanmeldbot koppel dit kanaal voor gezinscoach" (als coordinator).\n' +
    'Stoppen: Ctrl-C.\n\n',
);
