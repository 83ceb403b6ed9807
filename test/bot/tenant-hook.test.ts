import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../bot/logger.js';
import { createApp, type App } from '../../bot/server.js';
import { SettingsSchema } from '../../bot/settings.js';
import { team } from '../fixtures/referral.js';
import { KeyServer } from '../support/key-server.js';
import { TEST_AUDIT_KEY } from '../support/audit-key.js';

/** The hook the audit log hangs on: every refused tenant is reported once, with its id (issue 12, point 3). */

const APP_ID = '00000000-0000-0000-0000-000000000001';
const TENANT = '00000000-0000-0000-0000-00000000000a';
const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';

let keys: KeyServer;
let app: App;
let url: string;
let dataDir: string;
const refused: (string | undefined)[] = [];

beforeAll(async () => {
  keys = new KeyServer();
  const openId = await keys.start();
  dataDir = await mkdtemp(path.join(tmpdir(), 'aanmeld-tenant-'));
  const settings = SettingsSchema.parse({
    DATA_DIR: dataDir,
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: 'geheim',
    MicrosoftAppTenantId: TENANT,
    TEAM_CONFIG: 'team-van-de-gemeente.json',
    BOT_OPENID_METADATA_URL: openId,
    AUDIT_KEY: TEST_AUDIT_KEY,
  });
  // Any team but the example one: the real people of a municipality.
  const example = team();
  const renamed = <T extends { aadObjectId: string }>(people: T[]) => people.map((p) => ({ ...p, aadObjectId: p.aadObjectId.replace('00000000', '11111111') }));
  const own = { ...example, coordinators: renamed(example.coordinators), professionals: renamed(example.professionals) };
  app = await createApp(settings, { log: createLogger('silent'), team: own, onTenantRefused: (tenantId) => void refused.push(tenantId) });
  url = `http://127.0.0.1:${await app.listen(0)}`;
});

afterAll(async () => {
  await app?.shutdown();
  await keys?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const typing = (tenantId: string) => ({
  type: 'typing',
  channelId: 'msteams',
  serviceUrl: SERVICE_URL,
  from: { id: '29:user', aadObjectId: 'aad-user' },
  recipient: { id: `28:${APP_ID}` },
  conversation: { id: `a:${tenantId}`, conversationType: 'personal', tenantId },
  channelData: { tenant: { id: tenantId } },
});

describe('onTenantRefused', () => {
  it('is called with the tenant id of each refused message, and not for the tenant served', async () => {
    const authorization = `Bearer ${await keys.token({ aud: APP_ID, serviceurl: SERVICE_URL })}`;
    const post = (tenantId: string) =>
      fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify(typing(tenantId)) }).then((r) => r.status);
    expect(await post(TENANT)).toBe(200);
    expect(await post('99999999-0000-0000-0000-00000000000f')).toBe(403);
    expect(await post('88888888-0000-0000-0000-00000000000e')).toBe(403);
    expect(refused).toEqual(['99999999-0000-0000-0000-00000000000f', '88888888-0000-0000-0000-00000000000e']);
  });
});
