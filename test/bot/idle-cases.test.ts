import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaseService } from '../../bot/case-service.js';
import { NoticePayloadSchema } from '../../bot/channel-lifecycle.js';
import { IdleCases } from '../../bot/idle-cases.js';
import type { Aanmelding } from '../../data/aanmelding.schema.js';
import { GemeenteConfigSchema } from '../../data/gemeente.config.js';
import { openStores, type Stores } from '../../data/stores.js';
import type { TeamConfig } from '../../data/team.config.js';
import { idleCasesNotice } from '../../dialogs/channel.dialog.js';
import { adele, config, draft, megan, team } from '../fixtures/referral.js';

/**
 * Issue 14, point 6: an open case nobody changed for stilstandMaanden (default 6) is shown 1:1 to every
 * coordinator, to close; once per quiet period, after a restart too; a change starts a new period; closed cases and
 * cases the team never sees are never listed.
 */

const log = pino({ level: 'silent' });
const SECOND: TeamConfig['coordinators'][number] = { aadObjectId: '00000000-0000-0000-0000-0000000000031', name: 'Nestor Wilke' };
const T: TeamConfig = { ...team(), coordinators: [...team().coordinators, SECOND] };
const MONTHS = 6;
const CHANNEL = '19:coach@thread.tacv2';

const SENT = new Date('2026-01-12T09:00:00.000Z');
const FIVE_MONTHS_LATER = new Date('2026-06-11T09:00:00.000Z');
const SIX_MONTHS_LATER = new Date('2026-07-12T09:00:00.000Z');

let dataDir: string;
let stores: Stores;
let now: Date;

const clock = () => now;
const checker = (s: Stores = stores) => new IdleCases({ stores: s, team: T, months: MONTHS, now: clock, deliver: () => {}, log });
const cases = () => new CaseService({ stores, config, team: T, log, now: clock, deliver: () => {} });

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'idle-cases-'));
  stores = await openStores({ dataDir });
  now = SENT;
});

afterEach(async () => {
  await stores.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function sent(answers: Parameters<typeof draft>[0] = {}): Promise<Aanmelding> {
  return (await stores.referrals.create(draft({ intakeId: `intake-${Math.random()}`, ...answers }), SENT)).aanmelding;
}

/** What each coordinator will read: the stilstand notices in the outbox, rendered as the bot sends them. */
async function noticesRead(s: Stores = stores): Promise<{ to: string; text: string }[]> {
  return (await s.outbox.list())
    .filter((job) => job.kind === 'notice')
    .map((job) => NoticePayloadSchema.parse(job.payload))
    .flatMap((p) => (p.notice.kind === 'stilstand' ? [{ to: p.to.name, text: idleCasesNotice(p.notice.cases, p.notice.months, p.notice.more).text! }] : []));
}

describe('open cases that stood still', () => {
  it('are listed once to every coordinator, with reference, status and date, nothing of the family, and audited', async () => {
    const fresh = await sent();
    const assigned = await sent();
    now = SENT;
    await cases().onCardAction('assign', { reference: assigned.reference, version: assigned.version, professional: adele.aadObjectId }, megan, CHANNEL);

    now = FIVE_MONTHS_LATER;
    expect(await checker().check()).toBe(0);
    expect(await noticesRead()).toEqual([]);

    now = SIX_MONTHS_LATER;
    expect(await checker().check()).toBe(2);
    const read = await noticesRead();
    expect(read.map((n) => n.to)).toEqual(['Megan Bowen', 'Nestor Wilke']);
    for (const { text } of read) {
      expect(text).toContain('Deze 2 aanmeldingen staan al 6 maanden stil.');
      expect(text).toContain(`**${fresh.reference}** · nieuw · niets veranderd sinds 12 januari 2026`);
      expect(text).toContain(`**${assigned.reference}** · toegewezen aan Adele Vance`);
      expect(text).toContain('**Afsluiten** op de kaart in het kanaal');
      expect(text).not.toMatch(/Jan de Vries|06 12345678|slapen/);
    }
    const audit = (await stores.audit.entries()).filter((e) => e.event === 'aanmelding.stilstand');
    expect(audit.map((e) => e.reference).sort()).toEqual([fresh.reference, assigned.reference].sort());
    expect(audit[0]?.detail).toBe('6 maanden zonder wijziging; gemeld aan 2 coördinator(en) om af te sluiten');
    // Bookkeeping only: the card in the channel (which carries the version) stays current.
    expect((await stores.referrals.get(fresh.reference))?.version).toBe(fresh.version);
  });

  it('are not reported a second time, not even after a restart', async () => {
    await sent();
    now = SIX_MONTHS_LATER;
    expect(await checker().check()).toBe(1);
    expect(await checker().check()).toBe(0);

    await stores.close();
    stores = await openStores({ dataDir });
    now = new Date('2026-09-01T09:00:00.000Z');
    expect(await checker().check()).toBe(0);
    expect(await noticesRead()).toHaveLength(T.coordinators.length);
    expect((await stores.audit.entries()).filter((e) => e.event === 'aanmelding.stilstand')).toHaveLength(1);
  });

  it('start a new quiet period with any change, and are reported again only when that one has passed too', async () => {
    const a = await sent();
    now = SIX_MONTHS_LATER;
    await checker().check();
    await cases().onCardAction('waitlist', { reference: a.reference, version: a.version, reason: 'geen-ruimte' }, megan, CHANNEL);

    now = new Date('2026-12-01T09:00:00.000Z');
    expect(await checker().check()).toBe(0);
    now = new Date('2027-01-13T09:00:00.000Z');
    expect(await checker().check()).toBe(1);
    const read = await noticesRead();
    expect(read).toHaveLength(2 * T.coordinators.length);
    expect(read.at(-1)?.text).toContain(`**${a.reference}** · op de wachtlijst · niets veranderd sinds 12 juli 2026`);
  });

  it('never lists a closed case, nor one the team never sees (retention takes care of those)', async () => {
    const closing = await sent();
    await sent({ answers: { children: [{ age: 25 }], contact: undefined } });
    now = SENT;
    await cases().onCardAction('close', { reference: closing.reference, version: closing.version, reason: 'eenzijdig-gestopt' }, megan, CHANNEL);
    now = new Date('2027-06-01T09:00:00.000Z');
    expect(await checker().check()).toBe(0);
    expect(await noticesRead()).toEqual([]);
  });

  it('lists at most 50 and says how many more there are', async () => {
    for (let i = 0; i < 53; i++) await sent();
    now = SIX_MONTHS_LATER;
    expect(await checker().check()).toBe(53);
    const [first] = await noticesRead();
    expect(first?.text).toContain('Deze 53 aanmeldingen staan al 6 maanden stil.');
    expect(first?.text).toContain('- en nog 3 andere');
    expect(first?.text.match(/^- \*\*AM-/gm)).toHaveLength(50);
  });
});

describe('the gemeente configuration', () => {
  it('defaults stilstandMaanden to 6 for a configuration without it', () => {
    const { stilstandMaanden: _omitted, ...withoutField } = config;
    expect(GemeenteConfigSchema.parse(withoutField).stilstandMaanden).toBe(6);
  });
});
