import { describe, expect, it } from 'vitest';
import { recordTenantRefused } from '../../bot/audit-events.js';
import { openStores } from '../../data/stores.js';

describe('recordTenantRefused', () => {
  it('writes who came from which tenant, with nothing of the request beyond its ids', async () => {
    const stores = await openStores({ dataDir: undefined });
    await recordTenantRefused(
      stores.audit,
      { tenantId: 'bbbbbbbb-0000-0000-0000-000000000001', userId: '29:vreemde <script>', userName: 'Mallory', source: 'a:conversation' },
      new Date('2026-03-02T10:00:00Z'),
    );
    expect(await stores.audit.entries()).toEqual([
      expect.objectContaining({
        event: 'tenant.geweigerd',
        actor: { id: '29:vreemdescript', name: 'Mallory' },
        source: 'a:conversation',
        detail: 'tenant bbbbbbbb-0000-0000-0000-000000000001 wordt niet bediend',
      }),
    ]);
    expect(await stores.audit.verify()).toEqual({ ok: true, count: 1 });
    await stores.close();
  });
});
