-- Up Migration
-- Intakes left unfinished are purged after INTAKE_IDLE_DAYS (bot/retention.ts): the daily search reads only the
-- conversations that hold a flow, oldest activity first, however many finished ones are kept.
CREATE INDEX conversations_idle ON conversations (updated_at) WHERE doc ? 'flow';

-- Down Migration
DROP INDEX conversations_idle;
