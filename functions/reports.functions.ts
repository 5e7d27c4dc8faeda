import { AccessRules } from '../shared/domain/auth/accessRules';
import { z } from '../shared/schemas/zod';
import { graphRoute } from './http/graphRoute';
import { HttpFunction } from './http/httpFunction';
import { json, odataContext } from './http/responses';

const InventoryRow = z
  .object({
    aaGuid: z.string(),
    model: z.string().nullable(),
    passkeys: z.number().int(),
    users: z.number().int(),
    attested: z.number().int(),
    notAttested: z.number().int(),
    deviceBound: z.number().int(),
    synced: z.number().int(),
    firstRegisteredDateTime: z.string().nullable(),
    lastUsedDateTime: z.string().nullable(),
    successfulSignIns: z.number().int(),
    refusedSignIns: z.number().int(),
    isAllowedByPolicy: z.boolean(),
  })
  .openapi('fido2AaguidInventoryRow');

const aaguidInventory = graphRoute('GET', '{ver}/reports/fido2/aaguids', {
  name: 'fido2AaguidInventory',
  access: AccessRules.aaguidInventoryRead,
  query: z.object({ format: z.enum(['json', 'csv']).default('json') }),
  doc: {
    summary:
      'AAGUID inventory: per passkey model, passkeys, users, attestation, passkey types, first registration, last use, sign-ins in the retention window and whether the policy allows it (?format=csv: text/csv)',
    tags: ['Reports'],
    responses: {
      200: {
        description: 'One row per AAGUID (JSON collection, or CSV)',
        schema: z.object({ value: z.array(InventoryRow) }),
      },
    },
  },
  handler: async ({ app, params, query, baseUrl }) => {
    if (query.format === 'csv') {
      return {
        status: 200,
        body: await app.aaguidInventory.csv(),
        headers: {
          'Content-Type': 'text/csv; charset=utf-8; header=present',
          'Content-Disposition': 'attachment; filename="fido2-aaguids.csv"',
          'Cache-Control': 'no-store',
        },
      };
    }
    const rows = await app.aaguidInventory.rows();
    return json(200, { '@odata.context': odataContext(baseUrl, params.ver, 'reports/fido2/aaguids'), value: rows });
  },
});

export const reportsHttpFunctions: HttpFunction[] = [aaguidInventory];
