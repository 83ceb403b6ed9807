import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../data/postgres/db.js';
import { PgConversationStateStore, PgPacingLedger, PgPeopleStore, PgTurnStart } from '../../data/postgres/stores.pg.js';
import { TEAMS_CONVERSATION_LIMITS } from '../../machines/pacing.js';
import { TEST_AUDIT_KEYS } from '../support/audit-key.js';
import { createTestDatabase, postgresForTests, type TestDatabase } from '../support/postgres.js';

/**
 * What a turn can do without (a conversation in progress, send bookings, how to reach a person) is committed without
 * waiting for the disk; that must stay with those statements. Everything else on the same connection (an aanmelding,
 * the access log) commits as always.
 */

const postgres = await postgresForTests();
if (postgres.failure) it('PostgreSQL is bereikbaar', () => expect.fail(postgres.failure));

describe.runIf(postgres.run)('writes a turn can do without, on PostgreSQL', () => {
  let db: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase('commit');
    // One connection: whatever a statement leaves behind, the next one meets.
    pool = createPool(db.url, 1);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const setting = async () => (await pool.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]!.synchronous_commit;

  it('leave the connection committing durably after each of them', async () => {
    const turnStart = new PgTurnStart(pool);
    const conversations = new PgConversationStateStore(pool, TEST_AUDIT_KEYS, () => {}, turnStart);
    const people = new PgPeopleStore(pool);
    const pacing = new PgPacingLedger(pool, turnStart);
    const record = { updatedAt: '2026-11-30T10:00:00.000Z', seenActivityIds: ['a-1'], flow: { id: 'intake', version: 1, snapshot: { value: 'safety' } } };
    const steps: [string, () => Promise<unknown>][] = [
      ['put', () => conversations.put('chat-1', record)],
      ['markQuestion', () => conversations.markQuestion('chat-1', 'message-7')],
      ['remember', () => people.remember({ aadObjectId: 'aad-1', teamsUserId: 'u-1', name: 'Alex', serviceUrl: 'https://smba.example/' })],
      ['reserve', () => pacing.reserve('a:chat-1', Date.parse('2026-11-30T10:00:00Z'), TEAMS_CONVERSATION_LIMITS)],
      ['reserveSeveral', () => pacing.reserveSeveral('a:chat-1', Date.parse('2026-11-30T10:00:00Z'), TEAMS_CONVERSATION_LIMITS, 2)],
      ['release', () => pacing.release('a:chat-1', [Date.parse('2026-11-30T10:00:00Z')])],
      // A turn's start: its read and its booking in one statement (PgTurnStart).
      ['turn start', () => Promise.all([pacing.reserveSeveral('a:chat-1', Date.parse('2026-11-30T10:00:00Z'), TEAMS_CONVERSATION_LIMITS, 1), conversations.get('chat-1')])],
    ];
    for (const [name, step] of steps) {
      await step();
      expect([name, await setting()]).toEqual([name, 'on']);
    }
    // And they did their work.
    expect(await conversations.get('chat-1')).toMatchObject({ questionActivityId: 'message-7' });
    expect(await people.get('aad-1')).toMatchObject({ name: 'Alex' });
    expect((await pool.query('SELECT count(*)::int AS n FROM send_slots')).rows[0]).toEqual({ n: 3 });
  });
});
