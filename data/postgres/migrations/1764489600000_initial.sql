-- Up Migration
-- The aanmeldingen: the record as JSON (validated by zod on the way in and out) and the columns the bot queries.
CREATE TABLE referrals (
  reference text PRIMARY KEY,
  intake_id text NOT NULL UNIQUE,
  status text NOT NULL,
  version integer NOT NULL,
  referrer_id text NOT NULL,
  assignee_id text,
  closed_at timestamptz,
  purged_at timestamptz,
  created_at timestamptz NOT NULL,
  doc jsonb NOT NULL
);
-- The work in hand stays a small set however many closed cases are kept.
CREATE INDEX referrals_open ON referrals (created_at) WHERE status <> 'afgesloten';
CREATE INDEX referrals_referrer ON referrals (referrer_id);
CREATE INDEX referrals_assignee ON referrals (assignee_id) WHERE assignee_id IS NOT NULL;
CREATE INDEX referrals_retention ON referrals (closed_at) WHERE status = 'afgesloten' AND purged_at IS NULL;

-- The last reference number handed out per year: a row lock makes the numbers unique and gap-free across instances.
CREATE TABLE reference_counters (
  year integer PRIMARY KEY,
  last integer NOT NULL CHECK (last >= 0)
);

-- NEN 7513 access log: append-only, each entry with the hash of the one before.
CREATE TABLE audit_log (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  reference text,
  entry jsonb NOT NULL
);
CREATE INDEX audit_log_reference ON audit_log (reference) WHERE reference IS NOT NULL;

CREATE TABLE channel_links (
  service text PRIMARY KEY,
  doc jsonb NOT NULL
);

CREATE TABLE people (
  aad_object_id text PRIMARY KEY,
  doc jsonb NOT NULL
);

CREATE TABLE conversations (
  key text PRIMARY KEY,
  updated_at timestamptz NOT NULL,
  doc jsonb NOT NULL
);

-- Messages still to deliver; claimed with FOR UPDATE SKIP LOCKED and a lease.
CREATE TABLE outbox (
  id uuid PRIMARY KEY,
  -- Order of queueing: jobs due at the same moment go in the order they were queued.
  seq bigserial NOT NULL,
  key text NOT NULL UNIQUE,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  due_at timestamptz NOT NULL,
  lease_until timestamptz,
  last_error text,
  status text NOT NULL,
  created_at timestamptz NOT NULL,
  finished_at timestamptz
);
CREATE INDEX outbox_due ON outbox (due_at, seq) WHERE status = 'pending';
CREATE INDEX outbox_finished ON outbox (finished_at) WHERE status <> 'pending';

-- Sends booked per Teams conversation, so that all instances together keep to Teams' limits.
CREATE TABLE send_slots (
  conversation_id text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX send_slots_conversation ON send_slots (conversation_id, at);

-- Down Migration
DROP TABLE send_slots;
DROP TABLE outbox;
DROP TABLE conversations;
DROP TABLE people;
DROP TABLE channel_links;
DROP TABLE audit_log;
DROP TABLE reference_counters;
DROP TABLE referrals;
