import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TestAdapter, type Activity } from 'botbuilder';
import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { assembleBot } from '../../bot/assemble.js';
import { createLogger } from '../../bot/logger.js';
import { purgeIdleIntakes, startRetention } from '../../bot/retention.js';
import { loadGemeenteConfig } from '../../data/gemeente.config.js';
import { openStores, type Stores } from '../../data/stores.js';
import { loadTeamConfig } from '../../data/team.config.js';
import type { AdaptiveCard } from '../../dialogs/card.js';
import { buttonsOf, seen, type Json, type Seen } from '../support/chat.js';

/**
 * Nothing of a family is left in an intake nobody finishes (issue 12, point 6): after INTAKE_IDLE_DAYS without
 * activity its answers are removed, with an audit entry, and its person hears so in Dutch when they come back.
 */

const T0 = new Date('2026-03-02T09:30:00.000Z');
const days = (n: number) => new Date(T0.getTime() + n * 86_400_000);
const FAMILY = { name: 'Anna Jansen', phone: '06 12345678' };

let dir: string;
let stores: Stores;
let now: Date;
let adapter: TestAdapter;
let lastCard: AdaptiveCard | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'idle-intake-'));
  stores = await openStores({ dataDir: dir });
  now = T0;
  const { bot } = assembleBot({ stores, config: loadGemeenteConfig(), team: loadTeamConfig(), log: pino({ level: 'silent' }), now: () => now, deliver: () => {} });
  adapter = new TestAdapter(async (context) => bot.run(context));
  lastCard = undefined;
  return async () => {
    await stores.close();
    await rm(dir, { recursive: true, force: true });
  };
});

async function receive(activity: Partial<Activity>): Promise<Seen[]> {
  await adapter.receiveActivity({ type: 'message', ...activity } as Activity);
  const replies = adapter.activeQueue.splice(0).map(seen);
  lastCard = replies.findLast((reply) => reply.card)?.card ?? lastCard;
  return replies;
}
const say = (text: string) => receive({ text });
function click(title: string, inputs: Json = {}, card = lastCard): Promise<Seen[]> {
  const button = buttonsOf(card).find((b) => b.title === title);
  if (!button) throw new Error(`no button "${title}"`);
  return receive({ value: { ...button.data, ...(button.associatedInputs === 'none' ? {} : inputs) } });
}
const textOf = (replies: Seen[]) => replies.map((r) => r.text).join('\n');

/** An intake up to the summary, with the family's contact details, then left alone. */
async function abandonAtSummary(): Promise<AdaptiveCard> {
  await say('aanmelden');
  await click('Huisarts');
  await say('nee');
  await click('Verder', { value: '3 en 7' });
  await click('Ja, er is toestemming');
  await click('Ouders met kinderen');
  await say('oostrum');
  await click('Verder', { value: 'pedagogisch,school' });
  await click('Verder', { value: 'psychiatrie' });
  await say('Moeder is overbelast.');
  const summary = await click('Verder', FAMILY);
  expect(textOf(summary)).toContain('Klopt alles?');
  return lastCard!;
}

/** What the conversation files hold once the writes of the turns so far have landed (just after each turn). */
async function conversationFiles(): Promise<string> {
  await stores.flush();
  const folder = path.join(dir, 'conversations');
  const names = await readdir(folder);
  return (await Promise.all(names.map((name) => readFile(path.join(folder, name), 'utf8')))).join('\n');
}

const purge = () => purgeIdleIntakes({ conversations: stores.conversations, idleDays: 14, now });

describe('an unfinished intake idle for INTAKE_IDLE_DAYS', () => {
  it('keeps it for 14 days, then removes the family\'s answers from disk with one audit entry that names no family', async () => {
    await abandonAtSummary();
    expect(await conversationFiles()).toContain(FAMILY.name);

    now = days(13.9);
    expect(await purge()).toBe(0);
    expect(await conversationFiles()).toContain(FAMILY.name);

    now = days(14.1);
    expect(await purge()).toBe(1);
    const onDisk = await conversationFiles();
    for (const secret of [FAMILY.name, FAMILY.phone, 'overbelast', 'oostrum', 'Oostrum']) expect(onDisk).not.toContain(secret);

    const entries = await stores.audit.entries();
    expect(entries.map((e) => e.event)).toEqual(['intake.opgeschoond']);
    expect(entries[0]!.detail).toMatch(/^onafgemaakte aanmelding \(intake, intake [0-9a-f-]{36}\) verwijderd na 14 dagen zonder activiteit$/);
    expect(JSON.stringify(entries)).not.toMatch(/Anna|12345678|overbelast/);
    expect(await stores.referrals.list()).toEqual([]);
    expect(await purge()).toBe(0);
  });

  it('tells its person once, in Dutch, when they come back, and then carries on as usual', async () => {
    await abandonAtSummary();
    now = days(20);
    await purge();

    const back = textOf(await say('hallo'));
    expect(back).toContain('Je aanmelding die je niet had afgemaakt, is na 14 dagen zonder activiteit verwijderd, met alle antwoorden over het gezin. Er is niets verstuurd.');
    expect(back).not.toContain('Er ging iets mis');
    expect(textOf(await say('hallo'))).not.toContain('verwijderd');
  });

  it('answers a click on the old summary card with the notice, and sends nothing', async () => {
    const summary = await abandonAtSummary();
    now = days(20);
    await purge();

    const first = textOf(await click('Versturen', {}, summary));
    expect(first).toContain('na 14 dagen zonder activiteit verwijderd');
    const again = textOf(await click('Versturen', {}, summary));
    expect(again).toContain('Deze aanmelding is niet afgemaakt en daarom verwijderd, met alle antwoorden.');
    expect(await stores.referrals.list()).toEqual([]);
  });

  it('starts afresh when its person types "aanmelden", after saying what happened', async () => {
    await abandonAtSummary();
    now = days(20);
    await purge();

    const replies = textOf(await say('aanmelden'));
    expect(replies).toContain('na 14 dagen zonder activiteit verwijderd');
    expect(replies).toContain('Wat is je rol?');
  });

  it('is purged by the bot\'s retention runs, which log the count only', async () => {
    await abandonAtSummary();
    now = days(15);
    const lines: string[] = [];
    const log = createLogger('info', { write: (line: string) => void lines.push(line) });
    const retention = startRetention({ referrals: stores.referrals, months: 24, intakes: { conversations: stores.conversations, idleDays: 14 }, log, now: () => now, firstRunMs: 60_000 });
    expect(await retention.runOnce()).toMatchObject({ intakesPurged: 1 });
    await retention.stop();
    expect(lines.join('')).toContain('"intakesPurged":1');
    expect(lines.join('')).not.toContain(FAMILY.name);
  });
});
