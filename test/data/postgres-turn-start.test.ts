import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPool } from '../../data/postgres/db.js';
import { PgConversationStateStore, PgPacingLedger, PgTurnStart } from '../../data/postgres/stores.pg.js';
import { TEAMS_CONVERSATION_LIMITS } from '../../machines/pacing.js';
import { TEST_AUDIT_KEYS } from '../support/audit-key.js';
import { createTestDatabase, postgresForTests, type TestDatabase } from '../support/postgres.js';

/**
 * A turn in a personal chat books its sends (TeamsLimitsMiddleware) and reads its conversation (Conversations) in the
 * same moment: on PostgreSQL that is one statement, not two (issue 17), and what each gets is what it would get alone.
 */

const postgres = await postgresForTests();
if (postgres.failure) it('PostgreSQL is bereikbaar', () => expect.fail(postgres.failure));

describe.runIf(postgres.run)('a turn start on PostgreSQL', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  /** The statements sent, by name (or their first words), since the last reset. */
  let sent: string[];
  let conversations: PgConversationStateStore;
  let pacing: PgPacingLedger;
  const now = Date.parse('2026-11-30T10:00:00Z');
  const record = (answer: string) => ({ updatedAt: '2026-11-30T10:00:00.000Z', seenActivityIds: ['a-1'], flow: { id: 'intake', version: 1, snapshot: { value: answer } } });

  beforeAll(async () => {
    db = await createTestDatabase('turnstart');
    pool = createPool(db.url, 4);
    const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
    (pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args: unknown[]) => {
      const config = args[0] as string | { name?: string; text: string };
      sent.push(typeof config === 'string' ? config.trim().split(/\s+/).slice(0, 2).join(' ') : (config.name ?? config.text.trim().split(/\s+/).slice(0, 2).join(' ')));
      return query(...args);
    };
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });
  beforeEach(async () => {
    sent = [];
    await pool.query('TRUNCATE conversations, send_slots');
    const turnStart = new PgTurnStart(pool);
    conversations = new PgConversationStateStore(pool, TEST_AUDIT_KEYS, () => {}, turnStart);
    pacing = new PgPacingLedger(pool, turnStart);
    // Old bookings are pruned once a minute, on the first booking: done here, so it is not counted below.
    await pacing.reserveSeveral('a:warm-up', now, TEAMS_CONVERSATION_LIMITS, 1);
    sent = [];
  });

  it('reads the conversation and books its sends in one statement', async () => {
    await conversations.put('chat-1|aad-1', record('children'));
    await pacing.reserveSeveral('a:chat-1', now, TEAMS_CONVERSATION_LIMITS, 6);
    sent = [];
    const [slots, stored] = await Promise.all([pacing.reserveSeveral('a:chat-1', now, TEAMS_CONVERSATION_LIMITS, 2), conversations.get('chat-1|aad-1')]);
    expect(sent).toEqual(['turn-start']);
    expect(stored).toMatchObject({ flow: { snapshot: { value: 'children' } } });
    // Six were booked at `now` before: the seventh fits in that second, the eighth waits for the next.
    expect(slots).toEqual([now, now + 1000]);
  });

  it('reads a conversation that has no state yet together with the booking', async () => {
    const [slots, stored] = await Promise.all([pacing.reserveSeveral('a:new', now, TEAMS_CONVERSATION_LIMITS, 2), conversations.get('new|aad-2')]);
    expect(sent).toEqual(['turn-start']);
    expect(stored).toBeUndefined();
    expect(slots).toEqual([now, now]);
  });

  it('books alone when no read comes in the same moment, and reads alone without waiting', async () => {
    await conversations.put('chat-3|aad-3', record('consent'));
    sent = [];
    expect(await pacing.reserveSeveral('a:chat-3', now, TEAMS_CONVERSATION_LIMITS, 2)).toEqual([now, now]);
    expect(await conversations.get('chat-3|aad-3')).toMatchObject({ flow: { snapshot: { value: 'consent' } } });
    expect(sent).toEqual(['pacing-reserve-several', 'conversation-get']);
  });

  it('pairs two turns that start at once, each with its own conversation and bookings', async () => {
    await conversations.put('chat-4|aad-4', record('four'));
    await conversations.put('chat-5|aad-5', record('five'));
    await pacing.reserveSeveral('a:chat-5', now, TEAMS_CONVERSATION_LIMITS, 7);
    sent = [];
    const [slots4, slots5, four, five] = await Promise.all([
      pacing.reserveSeveral('a:chat-4', now, TEAMS_CONVERSATION_LIMITS, 2),
      pacing.reserveSeveral('a:chat-5', now, TEAMS_CONVERSATION_LIMITS, 2),
      conversations.get('chat-4|aad-4'),
      conversations.get('chat-5|aad-5'),
    ]);
    expect(sent).toEqual(['turn-start', 'turn-start']);
    expect([four?.flow?.snapshot, five?.flow?.snapshot]).toEqual([{ value: 'four' }, { value: 'five' }]);
    expect(slots4).toEqual([now, now]);
    // chat-5 had its second full: 8 in 2 seconds lets one more in at now + 1 s, the next at now + 2 s.
    expect(slots5).toEqual([now + 1000, now + 2000]);
  });

  it('still reads the conversation when the booking beside it fails', async () => {
    await conversations.put('chat-6|aad-6', record('still here'));
    sent = [];
    // PostgreSQL takes no NUL in text: the paired statement fails as a whole.
    const booking = pacing.reserveSeveral('a:chat-6\u0000', now, TEAMS_CONVERSATION_LIMITS, 2);
    const reading = conversations.get('chat-6|aad-6');
    await expect(booking).rejects.toThrow();
    expect(await reading).toMatchObject({ flow: { snapshot: { value: 'still here' } } });
    expect(sent).toEqual(['turn-start', 'conversation-get']);
  });
});
