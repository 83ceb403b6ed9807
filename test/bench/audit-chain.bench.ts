/**
 * What keying the access log costs: appending (parse, JSON, hash) and verifying per entry, the unkeyed SHA-256 chain
 * of the earlier version against HMAC-SHA256, in memory (no disk), 5 rounds of 50,000 entries:
 *
 *   npx tsx test/bench/audit-chain.bench.ts
 */
import { createHash } from 'node:crypto';
import { AuditEventSchema, chained, GENESIS, verifyChain, type AuditEntry } from '../../data/audit-log.js';
import { auditKeyring } from '../../data/audit-key.js';
const keys = auditKeyring('x'.repeat(48), undefined);
const ev = { event: 'aanmelding.opgepakt' as const, reference: 'AM-2026-0001', actor: { id: '00000000-0000-0000-0000-000000000021', name: 'Megan Bowen' }, source: '19:channel', detail: 'opgepakt door Adele Vance' };
const N = 50_000;
const at = new Date();
// The chain as it was before: the same parse and JSON, plain SHA-256.
function legacy(last: { seq: number; hash: string }) {
  const body = { ...AuditEventSchema.parse(ev), seq: last.seq + 1, at: at.toISOString(), prevHash: last.hash };
  return { ...body, hash: createHash('sha256').update(JSON.stringify(body)).digest('hex') };
}
const rows: string[] = [];
for (let round = 0; round < 5; round++) {
  let last = { seq: 0, hash: GENESIS };
  let t = performance.now();
  const old = [];
  for (let i = 0; i < N; i++) { const e = legacy(last); old.push(e); last = e; }
  const sha = ((performance.now() - t) / N) * 1000;
  t = performance.now(); verifyChain(old, keys); const vsha = ((performance.now() - t) / N) * 1000;
  last = { seq: 0, hash: GENESIS };
  const entries: AuditEntry[] = [];
  t = performance.now();
  for (let i = 0; i < N; i++) { const e = chained(ev, at, last, keys); entries.push(e); last = e; }
  const hmac = ((performance.now() - t) / N) * 1000;
  t = performance.now(); verifyChain(entries, keys); const vhmac = ((performance.now() - t) / N) * 1000;
  rows.push(`round ${round}: append sha256 ${sha.toFixed(1)} µs, hmac ${hmac.toFixed(1)} µs; verify sha256 ${vsha.toFixed(1)} µs, hmac ${vhmac.toFixed(1)} µs per entry`);
}
console.log(rows.join('\n'));
