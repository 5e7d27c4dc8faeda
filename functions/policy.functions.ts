import { AccessRules } from '../shared/domain/auth/accessRules';
import { actorOf } from '../shared/domain/auth/actor';
import { Fido2Policy } from '../shared/domain/policy/fido2Policy';
import { KeyRestrictionImpact } from '../shared/domain/policy/keyRestrictionImpact';
import {
  EvaluateKeyRestrictionsBody,
  FIDO2_ODATA_TYPE,
  Fido2PolicyPatchBody,
  Fido2PolicyPatchQuery,
  KeyRestrictionsImpactResource,
  Fido2PolicyResource,
  Fido2PolicyResourceBody,
  Fido2PolicyRouteParams,
} from '../shared/schemas/fido2Policy.schema';
import { z } from '../shared/schemas/zod';
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

const IMPACT_ODATA_TYPE = '#microsoft.graph.fido2KeyRestrictionsImpact';

/** The lock-out impact in its JSON shape (evaluateKeyRestrictions, PATCH ?dryRun=true, the proposal). */
export function impactResource(impact: KeyRestrictionImpact, evaluatedAt: Date) {
  return {
    '@odata.type': IMPACT_ODATA_TYPE,
    evaluatedDateTime: evaluatedAt.toISOString(),
    totals: impact.totals,
    usersLeftWithoutUsablePasskey: impact.users
      .filter((u) => u.leftWithoutUsablePasskey)
      .map((u) => ({ id: u.id, userPrincipalName: u.userPrincipalName, lockedOutByChange: u.lockedOutByChange })),
    users: impact.users,
  } as const;
}

/** Evaluation answer: the impact, and the policy the change would save (as GET would show it). */
function evaluationBody(
  evaluation: { policy: Fido2Policy; impact: KeyRestrictionImpact; evaluatedAt: Date },
  baseUrl: string,
  ver: string,
): z.infer<typeof KeyRestrictionsImpactResource> {
  const { '@odata.context': _c, ...proposedPolicy } = fido2PolicyResource(evaluation.policy, baseUrl, ver);
  return {
    '@odata.context': odataContext(baseUrl, ver, 'microsoft.graph.fido2KeyRestrictionsImpact'),
    ...impactResource(evaluation.impact, evaluation.evaluatedAt),
    proposedPolicy,
  };
}

/**
 * `Warning` of a PATCH that locks users out (it still saves, as Entra does): RFC 7234 code 199
 * (miscellaneous warning), agent `-`, the count of users this change leaves without a usable passkey.
 */
export function lockOutWarning(impact: KeyRestrictionImpact | undefined): Record<string, string> {
  const n = impact?.totals.usersLockedOutByChange ?? 0;
  if (n === 0) return {};
  return { Warning: `199 - "${n} ${n === 1 ? 'user' : 'users'} would be left without a usable passkey"` };
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
    query: Fido2PolicyPatchQuery,
    body: Fido2PolicyPatchBody,
    doc: {
      summary:
        'Update the passkey (FIDO2) method policy (partial update; If-Match optional; ?dryRun=true answers the lock-out impact and saves nothing)',
      tags: ['Policy'],
      responses: {
        200: { description: '?dryRun=true: the lock-out impact; nothing saved', schema: KeyRestrictionsImpactResource },
        204: {
          description:
            'Updated; the new ETag is in the ETag header, and a Warning header (199) counts the users the change leaves without a usable passkey',
        },
      },
      errors: { 412: true },
    },
    handler: async ({ app, body, query, request, principal, params, baseUrl }) => {
      const {
        '@odata.type': _t,
        '@odata.context': _c,
        'includeTargets@odata.context': _i,
        id: _id,
        addMicrosoftAuthenticatorAaguids,
        ...patch
      } = body;
      const ifMatch = request.headers.get('if-match') ?? undefined;
      if (query.dryRun === 'true') {
        const evaluation = await app.policy.evaluateFido2(patch, { ifMatch, addMicrosoftAuthenticatorAaguids });
        return json(200, evaluationBody(evaluation, baseUrl, params.ver), lockOutWarning(evaluation.impact));
      }
      const { saved, impact } = await app.policy.patchFido2WithImpact(patch, {
        ifMatch,
        actor: actorOf(principal),
        addMicrosoftAuthenticatorAaguids,
      });
      return noContent({ ETag: saved.etag, ...lockOutWarning(impact) });
    },
  });
  return [get, patch];
}

const evaluateKeyRestrictions = graphRoute(
  'POST',
  '{ver}/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{configId}/evaluateKeyRestrictions',
  {
    name: 'fido2PolicyEvaluateKeyRestrictions',
    // It changes nothing: reading the policy is enough.
    access: AccessRules.policyRead,
    params: ConfigParams,
    body: EvaluateKeyRestrictionsBody,
    doc: {
      summary:
        'Who a proposed policy change would lock out: per user, the passkeys blocked at sign-in and the ones kept (saves nothing)',
      tags: ['Policy'],
      responses: { 200: { description: 'The lock-out impact', schema: KeyRestrictionsImpactResource } },
    },
    handler: async ({ app, body, params, baseUrl }) => {
      const { '@odata.type': _t, addMicrosoftAuthenticatorAaguids, ...patch } = body;
      const evaluation = await app.policy.evaluateFido2(patch, { addMicrosoftAuthenticatorAaguids });
      return json(200, evaluationBody(evaluation, baseUrl, params.ver));
    },
  },
);

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
  evaluateKeyRestrictions,
  ...policyFunctions(
    'fido2Policy',
    '{ver}/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{configId}',
  ),
  ...policyFunctions(
    'fido2PolicyShortPath',
    '{ver}/authenticationMethodsPolicy/authenticationMethodConfigurations/{configId}',
  ),
];
