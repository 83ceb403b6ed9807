import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { OutboxWorker } from '../../bot/outbox-worker.js';
import type { Deliveries } from '../../bot/deliveries.js';
import { LowdbOutbox, type Outbox } from '../../data/outbox.store.js';

/** The outbox worker when the store is away for a moment (a database failover, a full disk). */
describe('OutboxWorker', () => {
  it('logs an unreachable store, does not crash, and delivers once the store is back', async () => {
    const outbox = await LowdbOutbox.open(undefined);
    await outbox.enqueue({ key: 'post:AM-2026-0001', kind: 'post', payload: { reference: 'AM-2026-0001' } }, new Date());
    let away = true;
    const flaky: Outbox = {
      ...outbox,
      enqueue: (job, at) => outbox.enqueue(job, at),
      claim: (at, leaseMs, max) => (away ? Promise.reject(new Error('Connection terminated unexpectedly')) : outbox.claim(at, leaseMs, max)),
      complete: (id) => outbox.complete(id),
      retry: (id, dueAt, error) => outbox.retry(id, dueAt, error),
      fail: (id, error) => outbox.fail(id, error),
      list: () => outbox.list(),
    };
    const run = vi.fn(async () => ({ ok: true as const }));
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const worker = new OutboxWorker(flaky, { run } as unknown as Deliveries, log);

    await expect(worker.kick()).resolves.toBeUndefined();
    expect(run).not.toHaveBeenCalled();
    expect(lines).toEqual([expect.objectContaining({ event: 'outbox.unavailable', err: expect.objectContaining({ message: 'Connection terminated unexpectedly' }) })]);

    away = false;
    await worker.kick();
    expect(run).toHaveBeenCalledTimes(1);
    expect((await outbox.list())[0]).toMatchObject({ status: 'done' });
  });
});
