import type { AuditLog } from '../data/audit-log.js';

/**
 * A request from a tenant the bot does not serve (the tenant check at the door calls this): who it claimed to be,
 * which tenant, and where from. Only ids: what the request said is never kept.
 */
export function recordTenantRefused(
  audit: Pick<AuditLog, 'append'>,
  request: { tenantId: string | undefined; userId: string | undefined; userName?: string | undefined; source?: string | undefined },
  at: Date,
): Promise<unknown> {
  // The request's own words, so cut to a sane length and to the characters an id has.
  const clean = (value: string | undefined, max: number) => (value ?? '').replace(/[^\w.:@-]/g, '').slice(0, max);
  return audit.append(
    {
      event: 'tenant.geweigerd',
      actor: { id: clean(request.userId, 100) || 'onbekend', name: (request.userName ?? '').slice(0, 100) },
      ...(request.source ? { source: clean(request.source, 200) } : {}),
      detail: `tenant ${clean(request.tenantId, 64) || 'onbekend'} wordt niet bediend`,
    },
    at,
  );
}
