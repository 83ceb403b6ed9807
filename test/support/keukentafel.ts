import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { allText, BotClient } from './bot-client.js';
import { startBot, type BotProcess } from './bot-process.js';
import { FakeConnector } from './fake-connector.js';
import { storedReferrals } from './stored-referrals.js';
import { channelActivities, pressCard } from './teams-channel.js';

/**
 * A bot over HTTP with the gezinscoaches' channel linked, for the keukentafelgesprek's tests (issue 15): a huisarts
 * refers a family, the team presses the card's buttons, and the test reads what was stored and logged.
 */

export type Json = Record<string, any>;

export const PEOPLE = {
  referrer: { id: 'user-id-0', aadObjectId: '00000000-0000-0000-0000-0000000000020', name: 'Alex Wilber' },
  coordinator: { id: 'user-id-1', aadObjectId: '00000000-0000-0000-0000-0000000000021', name: 'Megan Bowen' },
  coach: { id: 'user-id-2', aadObjectId: '00000000-0000-0000-0000-0000000000022', name: 'Adele Vance' },
  consulent: { id: 'user-id-4', aadObjectId: '00000000-0000-0000-0000-0000000000024', name: 'Patti Fernandez' },
};

/** Registers the suite's beforeAll/afterAll; `team` may change the example team first (e.g. a lower norm). */
export function keukentafelBot(prefix: string, options: { team?: (team: Json) => void } = {}) {
  const env = { connector: undefined as unknown as FakeConnector, serviceUrl: '', dataDir: '', server: undefined as unknown as BotProcess };
  const inChannel = channelActivities(() => env.serviceUrl);

  const post = (body: Json): Promise<Response> =>
    fetch(`${env.server.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  /** Presses a button on a channel card as Teams does: an adaptiveCard/action invoke in the card's thread. */
  async function press(from: Json, verb: string, data: Json, thread: string): Promise<{ card: Json; text: string }> {
    const { status, card, text } = await pressCard(env.server.url, inChannel(from, {}), verb, data, thread);
    expect(status).toBe(200);
    return { card, text };
  }

  /** A huisarts refers a family; with a counting criterion (psychiatrie) the route is keukentafelgesprek. */
  async function refer(conversationId: string, criteria: string): Promise<string> {
    const c = new BotClient(env.server.url, env.serviceUrl, () => env.connector.activities(conversationId), conversationId, PEOPLE.referrer);
    await c.say('aanmelden');
    // Alex Wilber is a huisarts in the team configuration: no role question, and none whether the huisarts may know.
    await c.click('Nee');
    await c.say('8');
    await c.click('Ja, er is toestemming');
    await c.click('Ouders met kinderen');
    await c.click('Verder', { wijk: 'Oostrum', hoofdvraag: 'pedagogisch,psychisch' });
    // The specialist question is the last point of the criteria card: not ticked, so no.
    if (criteria === '') await c.click('Geen van deze');
    else await c.click('Verder', { value: criteria });
    await c.say('Testgezin met een vraag.');
    await c.click('Verder', { name: 'Testgezin Joint', phone: '06 11112222', email: '', address: '' });
    const done = allText(await c.click('Versturen'));
    return /AM-\d{4}-\d{4}/.exec(done)![0];
  }

  const stored = async (reference: string): Promise<Json> => (await storedReferrals(env.dataDir)).find((r) => r.reference === reference)!;
  const audit = async (): Promise<Json[]> =>
    (await readFile(path.join(env.dataDir, 'audit.jsonl'), 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
  const channelPostOf = (reference: string) => env.connector.created().find((c) => c.body.isGroup && JSON.stringify(c.body).includes(reference));

  beforeAll(async () => {
    env.connector = new FakeConnector();
    env.serviceUrl = await env.connector.start();
    env.dataDir = await mkdtemp(path.join(tmpdir(), `aanmeld-${prefix}-`));
    let teamConfig: string | undefined;
    if (options.team) {
      const team = JSON.parse(await readFile(path.resolve('data/teams/voorbeeld.json'), 'utf8')) as Json;
      options.team(team);
      teamConfig = path.join(env.dataDir, 'team.json');
      await writeFile(teamConfig, JSON.stringify(team));
    }
    env.server = await startBot({ DATA_DIR: env.dataDir, ...(teamConfig ? { TEAM_CONFIG: teamConfig } : {}) });
    const link = await post(inChannel(PEOPLE.coordinator, { type: 'message', text: '<at>Aanmeldbot</at> koppel dit kanaal voor gezinscoach', entities: [{ type: 'mention', text: '<at>Aanmeldbot</at>', mentioned: { id: 'bot', name: 'Aanmeldbot' } }] }));
    expect(link.status).toBe(200);
  });

  afterAll(async () => {
    await env.server?.stop();
    await env.connector.stop();
    await rm(env.dataDir, { recursive: true, force: true });
  });

  return { env, post, press, refer, stored, audit, channelPostOf };
}
