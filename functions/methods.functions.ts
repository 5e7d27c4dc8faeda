import { AccessRules } from '../shared/domain/auth/accessRules';
import { Principal } from '../shared/domain/auth/principal';
import { GraphError, GraphVersion } from '../shared/schemas/common.schema';
import { UserKeyParams } from '../shared/schemas/directory.schema';
import { Fido2MethodResource, MethodIdParam } from '../shared/schemas/webauthn.schema';
import { z } from '../shared/schemas/zod';
import { defineHttpFunction, HttpFunction } from './http/httpFunction';
import { signedInUserId } from './http/signedInUser';
import { json, noContent, odataContext } from './http/responses';

const VER = '{ver:regex(^(beta|v1\\.0)$)}';
const Ver = z.object({ ver: GraphVersion });
const errors = { 401: { description: 'No valid token', schema: GraphError }, 403: { description: 'Not allowed', schema: GraphError }, 404: { description: 'No such user or passkey', schema: GraphError } };

/** users/{id}/... for administrators, me/... for the signed-in user: same handlers, other subject. */
function methodFunctions(scope: 'users' | 'me'): HttpFunction[] {
  const base = scope === 'users' ? `${VER}/users/{userId}/authentication/fido2Methods` : `${VER}/me/authentication/fido2Methods`;
  const Params = scope === 'users' ? Ver.extend(UserKeyParams.shape) : Ver;
  const subject = (params: { userId?: string }, principal: Principal) => (scope === 'users' ? params.userId! : signedInUserId(principal));
  const prefix = scope === 'users' ? 'userFido2Methods' : 'meFido2Methods';
  const tags = ['Passkeys'];
  return [
    defineHttpFunction({
      name: `${prefix}List`,
      route: base,
      methods: ['GET'],
      access: scope === 'users' ? AccessRules.methodsRead : AccessRules.signedInUser,
      params: Params,
      paramsNotFound: true,
      doc: { summary: scope === 'users' ? "List a user's passkeys" : "List the signed-in user's passkeys", tags, responses: { 200: { description: 'fido2AuthenticationMethod collection' }, ...errors } },
      handler: async ({ app, params, principal, baseUrl }) => {
        const value = await app.methods.list(subject(params as { userId?: string }, principal));
        // For the frontend: every passkey predates a UPN change, so the user should register a new one.
        const hint = scope === 'me' ? { reEnrolmentRequired: value.length > 0 && value.every((m) => m.reEnrolmentRequired) } : {};
        return json(200, { '@odata.context': odataContext(baseUrl, params.ver, `${scope}/authentication/fido2Methods`), ...hint, value });
      },
    }),
    defineHttpFunction({
      name: `${prefix}Get`,
      route: `${base}/{methodId}`,
      methods: ['GET'],
      access: scope === 'users' ? AccessRules.methodsRead : AccessRules.signedInUser,
      params: Params.extend(MethodIdParam.shape),
      paramsNotFound: true,
      doc: { summary: 'Read a passkey (AAGUID, model, attestation)', tags, responses: { 200: { description: 'fido2AuthenticationMethod', schema: Fido2MethodResource }, ...errors } },
      handler: async ({ app, params, principal, baseUrl }) => {
        const method = await app.methods.get(subject(params as { userId?: string }, principal), params.methodId);
        return json(200, { '@odata.context': odataContext(baseUrl, params.ver, `${scope}/authentication/fido2Methods/$entity`), ...method });
      },
    }),
    defineHttpFunction({
      name: `${prefix}Delete`,
      route: `${base}/{methodId}`,
      methods: ['DELETE'],
      access: scope === 'users' ? AccessRules.methodsWrite : AccessRules.signedInUser,
      params: Params.extend(MethodIdParam.shape),
      paramsNotFound: true,
      doc: { summary: 'Delete a passkey; it can no longer sign in', tags, responses: { 204: { description: 'Deleted' }, ...errors } },
      handler: async ({ app, params, principal }) => {
        await app.methods.deleteForCaller(subject(params as { userId?: string }, principal), params.methodId, principal, scope === 'users' ? 'user' : 'self');
        return noContent();
      },
    }),
  ];
}

export const methodsHttpFunctions: HttpFunction[] = [...methodFunctions('users'), ...methodFunctions('me')];
