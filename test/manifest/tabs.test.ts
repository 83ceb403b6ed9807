import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAppPackage } from '../../manifest/app-package.js';

// The coordinator overview as Teams tabs (bot/tab/): a personal static tab and a configurable channel tab.
const APP_ID = '6f1c2b1e-3a0d-4f6b-9c2e-1234567890ab';
const DOMAIN = 'aanmelden.voorbeeldstad.nl';
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function manifest() {
  const outDir = await mkdtemp(path.join(tmpdir(), 'tabs-'));
  dirs.push(outDir);
  const result = await buildAppPackage({ env: { MicrosoftAppId: APP_ID, BOT_DOMAIN: DOMAIN }, outDir });
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.manifest;
}

describe('the overview tabs in the app package', () => {
  it('has a personal tab at /tab/overzicht next to the chat, and a channel tab configured at /tab/config', async () => {
    const m = await manifest();
    expect(m.staticTabs).toEqual([
      { entityId: 'conversations', scopes: ['personal'] },
      expect.objectContaining({ entityId: 'overzicht', name: 'Overzicht', contentUrl: `https://${DOMAIN}/tab/overzicht`, scopes: ['personal'] }),
    ]);
    expect(m.configurableTabs).toEqual([expect.objectContaining({ configurationUrl: `https://${DOMAIN}/tab/config`, scopes: ['team'], context: ['channelTab'] })]);
    expect(m.validDomains).toContain(DOMAIN);
  });

  it('declares the app for Teams SSO with the audience the API accepts', async () => {
    expect((await manifest()).webApplicationInfo).toEqual({ id: APP_ID, resource: `api://${DOMAIN}/${APP_ID}` });
  });
});
