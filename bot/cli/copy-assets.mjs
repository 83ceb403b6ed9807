// npm run build, after tsc: the files the compiled code reads next to itself (found through import.meta.url), copied
// into dist/ at the same places: the gemeente and team configurations, the PostgreSQL migrations and the tab's pages.
import { cp, rm } from 'node:fs/promises';

const ASSETS = ['data/gemeenten', 'data/teams', 'data/postgres/migrations', 'bot/tab/public'];

for (const folder of ASSETS) {
  await rm(`dist/${folder}`, { recursive: true, force: true });
  await cp(folder, `dist/${folder}`, { recursive: true });
}
