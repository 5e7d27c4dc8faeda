import { AccessRules } from '../shared/domain/auth/accessRules';
import { SignInRecordSchema } from '../shared/domain/signIns/signInRecord';
import { z } from '../shared/schemas/zod';
import { graphRoute } from './http/graphRoute';
import { HttpFunction } from './http/httpFunction';
import { collection, json, odataContext } from './http/responses';

const signIns = graphRoute('GET', '{ver}/auditLogs/signIns', {
  name: 'signInsList',
  access: AccessRules.signInLogRead,
  query: z.object({
    $top: z.coerce.number().int().min(1).max(1000).default(100),
    $filter: z.string().max(500).optional(),
    $skiptoken: z.string().max(200).optional(),
  }),
  doc: {
    summary:
      "The sign-in log, newest first ($filter on createdDateTime ge/gt/le/lt, userPrincipalName eq, status/errorCode eq, joined by 'and'; $top)",
    tags: ['Audit'],
    responses: { 200: { description: 'signIn collection', schema: z.object({ value: z.array(SignInRecordSchema) }) } },
    errors: { 400: 'Bad $filter' },
  },
  handler: async ({ app, params, query, baseUrl, publicUrl }) => {
    const page = await app.signInLog.list({ filter: query.$filter, top: query.$top, skipToken: query.$skiptoken });
    return json(
      200,
      collection(odataContext(baseUrl, params.ver, 'auditLogs/signIns'), page.items, page.next, publicUrl),
    );
  },
});

export const signInLogHttpFunctions: HttpFunction[] = [signIns];
