import { AccessRules } from '../shared/domain/auth/accessRules';
import { actorOf } from '../shared/domain/auth/actor';
import { Fido2Policy } from '../shared/domain/policy/fido2Policy';
import {
  FIDO2_ODATA_TYPE,
  Fido2PolicyPatchBody,
  Fido2PolicyResource,
  Fido2PolicyResourceBody,
  Fido2PolicyRouteParams,
} from '../shared/schemas/fido2Policy.schema';
import { graphRoute } from './http/graphRoute';
import { HttpFunction } from './http/httpFunction';
import { json, noContent, odataContext, odataEntity } from './http/responses';

/** `{configId}`: the one method configuration we serve (fido2). */
const ConfigParams = { configId: Fido2PolicyRouteParams.shape.configId };
type ConfigPath = `{ver}/${string}/authenticationMethodConfigurations/{configId}`;

/** The policy in Graph's JSON shape (passkeyTypes as Graph's comma-separated flags). */
export function fido2PolicyResource(policy: Fido2Policy, baseUrl: string, ver: string): Fido2PolicyResourceBody {
  return {
    '@odata.context': odataContext(
      baseUrl,
      ver,
      'policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity',
    ),
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

function policyFunctions(name: string, path: ConfigPath): HttpFunction[] {
  const get = graphRoute('GET', path, {
    name: `${name}Get`,
    access: AccessRules.policyRead,
    params: ConfigParams,
    doc: {
      summary: 'Read the passkey (FIDO2) method policy',
      tags: ['Policy'],
      responses: { 200: { description: 'The policy (ETag header for If-Match)', schema: Fido2PolicyResource } },
    },
    handler: async ({ app, params, baseUrl }) => {
      const { value, etag } = await app.policy.getFido2();
      return json(200, fido2PolicyResource(value, baseUrl, params.ver), { ETag: etag });
    },
  });
  const patch = graphRoute('PATCH', path, {
    name: `${name}Patch`,
    access: AccessRules.policyWrite,
    params: ConfigParams,
    body: Fido2PolicyPatchBody,
    doc: {
      summary: 'Update the passkey (FIDO2) method policy (partial update; If-Match optional)',
      tags: ['Policy'],
      responses: { 204: { description: 'Updated; the new ETag is in the ETag header' } },
      errors: { 412: true },
    },
    handler: async ({ app, body, request, principal }) => {
      const { '@odata.type': _t, '@odata.context': _c, 'includeTargets@odata.context': _i, id: _id, ...patch } = body;
      const saved = await app.policy.patchFido2(patch, {
        ifMatch: request.headers.get('if-match') ?? undefined,
        actor: actorOf(principal),
      });
      return noContent({ ETag: saved.etag });
    },
  });
  return [get, patch];
}

const methodsPolicy = graphRoute('GET', '{ver}/policies/authenticationMethodsPolicy', {
  name: 'authenticationMethodsPolicyGet',
  access: AccessRules.policyRead,
  doc: {
    summary: 'Read the authentication methods policy with its method configurations',
    tags: ['Policy'],
    responses: { 200: { description: 'authenticationMethodsPolicy' } },
  },
  handler: async ({ app, params, baseUrl }) => {
    const { value } = await app.policy.getFido2();
    const { '@odata.context': _ctx, ...fido2 } = fido2PolicyResource(value, baseUrl, params.ver);
    return json(
      200,
      odataEntity(baseUrl, params.ver, 'policies/authenticationMethodsPolicy/$entity', {
        id: 'authenticationMethodsPolicy',
        displayName: 'Authentication Methods Policy',
        description:
          'The tenant-wide policy that controls which authentication methods are allowed in the tenant, authentication method registration requirements, and self-service password reset settings',
        policyVersion: '1.5',
        policyMigrationState: 'migrationComplete',
        authenticationMethodConfigurations: [fido2],
      }),
    );
  },
});

/** Graph's path, and the seed's shorter beta path without `/policies`. */
export const policyHttpFunctions: HttpFunction[] = [
  methodsPolicy,
  ...policyFunctions(
    'fido2Policy',
    '{ver}/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{configId}',
  ),
  ...policyFunctions(
    'fido2PolicyShortPath',
    '{ver}/authenticationMethodsPolicy/authenticationMethodConfigurations/{configId}',
  ),
];
