import { AccessRules } from '../shared/domain/auth/accessRules';
import { actorOf } from '../shared/domain/auth/actor';
import { Fido2Policy } from '../shared/domain/policy/fido2Policy';
import { GraphError, GraphVersion } from '../shared/schemas/common.schema';
import { FIDO2_ODATA_TYPE, Fido2PolicyPatchBody, Fido2PolicyResource, Fido2PolicyResourceBody, Fido2PolicyRouteParams } from '../shared/schemas/fido2Policy.schema';
import { z } from '../shared/schemas/zod';
import { defineHttpFunction, HttpFunction } from './http/httpFunction';
import { json, noContent, odataContext } from './http/responses';

const VER = '{ver:regex(^(beta|v1\\.0)$)}';
const errors = { 400: { description: 'Invalid input', schema: GraphError }, 401: { description: 'No valid token', schema: GraphError }, 403: { description: 'Not allowed', schema: GraphError } };

/** The policy in Graph's JSON shape (passkeyTypes as Graph's comma-separated flags). */
export function fido2PolicyResource(policy: Fido2Policy, baseUrl: string, ver: string): Fido2PolicyResourceBody {
  return {
    '@odata.context': odataContext(baseUrl, ver, 'policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity'),
    '@odata.type': FIDO2_ODATA_TYPE,
    id: policy.id,
    state: policy.state,
    isSelfServiceRegistrationAllowed: policy.isSelfServiceRegistrationAllowed,
    isAttestationEnforced: policy.isAttestationEnforced,
    keyRestrictions: policy.keyRestrictions,
    includeTargets: policy.includeTargets,
    excludeTargets: policy.excludeTargets,
    passkeyProfiles: policy.passkeyProfiles.map((p) => ({ ...p, passkeyTypes: p.passkeyTypes.join(',') })),
    defaultPasskeyProfile: policy.defaultPasskeyProfile,
  };
}

function policyFunctions(name: string, route: string): HttpFunction[] {
  const get = defineHttpFunction({
    name: `${name}Get`,
    route,
    methods: ['GET'],
    access: AccessRules.policyRead,
    params: Fido2PolicyRouteParams,
    paramsNotFound: true,
    doc: { summary: 'Read the passkey (FIDO2) method policy', tags: ['Policy'], responses: { 200: { description: 'The policy (ETag header for If-Match)', schema: Fido2PolicyResource }, ...errors } },
    handler: async ({ app, params, baseUrl }) => {
      const { value, etag } = await app.policy.getFido2();
      return json(200, fido2PolicyResource(value, baseUrl, params.ver), { ETag: etag });
    },
  });
  const patch = defineHttpFunction({
    name: `${name}Patch`,
    route,
    methods: ['PATCH'],
    access: AccessRules.policyWrite,
    params: Fido2PolicyRouteParams,
    paramsNotFound: true,
    body: Fido2PolicyPatchBody,
    doc: { summary: 'Update the passkey (FIDO2) method policy (partial update; If-Match optional)', tags: ['Policy'], responses: { 204: { description: 'Updated; the new ETag is in the ETag header' }, 412: { description: 'If-Match did not match', schema: GraphError }, ...errors } },
    handler: async ({ app, body, request, principal }) => {
      const { '@odata.type': _t, '@odata.context': _c, 'includeTargets@odata.context': _i, id: _id, ...patch } = body;
      const saved = await app.policy.patchFido2(patch, { ifMatch: request.headers.get('if-match') ?? undefined, actor: actorOf(principal) });
      return noContent({ ETag: saved.etag });
    },
  });
  return [get, patch];
}

const methodsPolicy = defineHttpFunction({
  name: 'authenticationMethodsPolicyGet',
  route: `${VER}/policies/authenticationMethodsPolicy`,
  methods: ['GET'],
  access: AccessRules.policyRead,
  params: z.object({ ver: GraphVersion }),
  paramsNotFound: true,
  doc: { summary: 'Read the authentication methods policy with its method configurations', tags: ['Policy'], responses: { 200: { description: 'authenticationMethodsPolicy' }, ...errors } },
  handler: async ({ app, params, baseUrl }) => {
    const { value } = await app.policy.getFido2();
    const { '@odata.context': _ctx, ...fido2 } = fido2PolicyResource(value, baseUrl, params.ver);
    return json(200, {
      '@odata.context': odataContext(baseUrl, params.ver, 'policies/authenticationMethodsPolicy/$entity'),
      id: 'authenticationMethodsPolicy',
      displayName: 'Authentication Methods Policy',
      description: 'The tenant-wide policy that controls which authentication methods are allowed in the tenant, authentication method registration requirements, and self-service password reset settings',
      policyVersion: '1.5',
      policyMigrationState: 'migrationComplete',
      authenticationMethodConfigurations: [fido2],
    });
  },
});

/** Graph's path, and the seed's shorter beta path without `/policies`. */
export const policyHttpFunctions: HttpFunction[] = [
  methodsPolicy,
  ...policyFunctions('fido2Policy', `${VER}/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{configId}`),
  ...policyFunctions('fido2PolicyShortPath', `${VER}/authenticationMethodsPolicy/authenticationMethodConfigurations/{configId}`),
];
