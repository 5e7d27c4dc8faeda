import { AccessRules } from '../shared/domain/auth/accessRules';
import { AuditRecord } from '../shared/domain/audit';
import { z } from '../shared/schemas/zod';
import { graphRoute } from './http/graphRoute';
import { HttpFunction } from './http/httpFunction';
import { collection, json, odataContext } from './http/responses';

/** A stored audit record in Graph's `directoryAudit` shape. */
const directoryAudit = (r: AuditRecord) => ({
  id: r.id,
  category: r.category,
  correlationId: r.id,
  result: r.result,
  resultReason: r.resultReason,
  activityDisplayName: r.activityDisplayName,
  activityDateTime: r.activityDateTime,
  loggedByService: r.loggedByService,
  operationType: r.operationType,
  initiatedBy: {
    user: r.initiatedBy.user
      ? {
          id: r.initiatedBy.user.id,
          displayName: null,
          userPrincipalName: r.initiatedBy.user.userPrincipalName,
          ipAddress: null,
        }
      : null,
    app: r.initiatedBy.app
      ? { appId: r.initiatedBy.app.appId, displayName: null, servicePrincipalId: null, servicePrincipalName: null }
      : null,
  },
  targetResources: r.targetResources.map((t) => ({
    ...t,
    userPrincipalName: t.type === 'User' ? t.displayName : null,
  })),
  additionalDetails: r.additionalDetails ?? [],
});

const directoryAudits = graphRoute('GET', '{ver}/auditLogs/directoryAudits', {
  name: 'directoryAuditsList',
  access: AccessRules.auditRead,
  query: z.object({
    $top: z.coerce.number().int().min(1).max(1000).default(100),
    $filter: z.string().max(500).optional(),
    $skiptoken: z.string().max(100).optional(),
  }),
  doc: {
    summary: 'The audit log, newest first ($filter on activityDateTime, $top)',
    tags: ['Audit'],
    responses: { 200: { description: 'directoryAudit collection' } },
    errors: { 400: 'Bad $filter' },
  },
  handler: async ({ app, params, query, baseUrl, publicUrl }) => {
    const page = await app.audit.list({ filter: query.$filter, top: query.$top, skipToken: query.$skiptoken });
    return json(
      200,
      collection(
        odataContext(baseUrl, params.ver, 'auditLogs/directoryAudits'),
        page.items.map(directoryAudit),
        page.next,
        publicUrl,
      ),
    );
  },
});

export const auditHttpFunctions: HttpFunction[] = [directoryAudits];
