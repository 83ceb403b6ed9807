-- Up Migration

-- Checkpoints of the audit chain (sequence and hash of its tail at a moment), kept apart from audit_log: a cut
-- tail or an emptied log no longer matches the last checkpoint (data/audit-log.ts, verifyChain).
CREATE TABLE audit_checkpoints (
  seq bigint PRIMARY KEY,
  hash text NOT NULL,
  at timestamptz NOT NULL
);

-- Down Migration

DROP TABLE audit_checkpoints;
