import { auditKeyring } from '../../data/audit-key.js';

/** The audit chain's key of the tests (AUDIT_KEY): a bot process and the test that reads its store share it. */
export const TEST_AUDIT_KEY = 'test-sleutel-voor-het-toegangslog-0123456789';
export const TEST_AUDIT_KEYS = auditKeyring(TEST_AUDIT_KEY, undefined);
