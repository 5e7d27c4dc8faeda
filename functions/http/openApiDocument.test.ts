import { httpFunctions } from '../registry';
import { buildOpenApiDocument, openApiPath } from './openApiDocument';

/** Every method + path the API served when the route helper came in: a route lost or added by accident fails here. */
const EXPECTED = [
  'DELETE /webhooks/subscriptions/{id}',
  'DELETE /{ver}/groups/{groupId}/members/{userId}/$ref',
  'DELETE /{ver}/me/authentication/fido2Methods/{methodId}',
  'DELETE /{ver}/roleManagement/directory/roleAssignments/{assignmentId}',
  'DELETE /{ver}/users/{userId}',
  'DELETE /{ver}/users/{userId}/authentication/fido2Methods/{methodId}',
  'GET /.well-known/jwks.json',
  // issue 12 §5: related origins of this RP ID
  'GET /.well-known/webauthn',
  'GET /.well-known/openid-configuration',
  'GET /health',
  'GET /openapi.json',
  'GET /provisioning/jobs',
  'GET /provisioning/jobs/{jobId}',
  'GET /webhooks/subscriptions',
  'GET /webhooks/subscriptions/{id}',
  'GET /webhooks/subscriptions/{id}/deliveries',
  'GET /{ver}/auditLogs/directoryAudits',
  // issue 11 §3: the sign-in log
  'GET /{ver}/auditLogs/signIns',
  'GET /{ver}/authenticationMethodsPolicy/authenticationMethodConfigurations/{configId}',
  'GET /{ver}/groups',
  'GET /{ver}/groups/{groupId}',
  'GET /{ver}/groups/{groupId}/members',
  'GET /{ver}/me/authentication/fido2Methods',
  'GET /{ver}/me/authentication/fido2Methods/{methodId}',
  'GET /{ver}/policies/authenticationMethodsPolicy',
  'GET /{ver}/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{configId}',
  // issue 11 §4: the AAGUID inventory
  'GET /{ver}/reports/fido2/aaguids',
  // issue 11 §6: the allow-list proposal
  'GET /{ver}/reports/fido2/aaguids/proposedKeyRestrictions',
  'GET /{ver}/roleManagement/directory/roleAssignments',
  'GET /{ver}/roleManagement/directory/roleAssignments/{assignmentId}',
  'GET /{ver}/users',
  'GET /{ver}/users/{userId}',
  'GET /{ver}/users/{userId}/authentication/fido2Methods',
  'GET /{ver}/users/{userId}/authentication/fido2Methods/{methodId}',
  'GET /{ver}/users/{userId}/authentication/fido2Methods/{operation}',
  'GET /{ver}/users/{userId}/authentication/reEnrolment',
  'PATCH /{ver}/authenticationMethodsPolicy/authenticationMethodConfigurations/{configId}',
  'PATCH /{ver}/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{configId}',
  'PATCH /{ver}/users/{userId}',
  'POST /notifications/graph',
  'POST /provisioning/jobs',
  'POST /provisioning/jobs/{jobId}/cancel',
  'POST /provisioning/jobs/{jobId}/next',
  'POST /provisioning/jobs/{jobId}/users/{userId}/credential',
  'POST /webauthn/authentication/options',
  'POST /webauthn/authentication/verify',
  'POST /webauthn/registration/options',
  'POST /webauthn/registration/verify',
  'POST /webhooks/subscriptions',
  'POST /{ver}/groups',
  // issue 11 §5: the lock-out impact of a proposed policy
  'POST /{ver}/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{configId}/evaluateKeyRestrictions',
  'POST /{ver}/groups/{groupId}/members/$ref',
  'POST /{ver}/roleManagement/directory/roleAssignments',
  'POST /{ver}/users',
  'POST /{ver}/users/{userId}/authentication/fido2Methods',
  // issue 11 items 1-2: authentication strengths and protected resources
  'DELETE /protectedResources/{resourceName}',
  'DELETE /{ver}/policies/authenticationStrengthPolicies/{strengthId}',
  'DELETE /{ver}/policies/authenticationStrengthPolicies/{strengthId}/combinationConfigurations/{configurationId}',
  'GET /protectedResources',
  'GET /protectedResources/{resourceName}',
  'GET /{ver}/policies/authenticationStrengthPolicies',
  'GET /{ver}/policies/authenticationStrengthPolicies/{strengthId}',
  'GET /{ver}/policies/authenticationStrengthPolicies/{strengthId}/combinationConfigurations',
  'GET /{ver}/policies/authenticationStrengthPolicies/{strengthId}/combinationConfigurations/{configurationId}',
  'PATCH /{ver}/policies/authenticationStrengthPolicies/{strengthId}',
  'PATCH /{ver}/policies/authenticationStrengthPolicies/{strengthId}/combinationConfigurations/{configurationId}',
  'POST /{ver}/policies/authenticationStrengthPolicies',
  'POST /{ver}/policies/authenticationStrengthPolicies/{strengthId}/combinationConfigurations',
  'POST /{ver}/policies/authenticationStrengthPolicies/{strengthId}/updateAllowedCombinations',
  'PUT /protectedResources/{resourceName}',
];

type Doc = { paths: Record<string, Record<string, unknown>> };
const documented = (doc: Doc) =>
  Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
const registered = () =>
  httpFunctions()
    .filter((fn) => !fn.doc.hidden)
    .flatMap((fn) => fn.methods.map((m) => `${m} ${openApiPath(fn.route)}`))
    .sort();

describe('/openapi.json', () => {
  const doc = buildOpenApiDocument(httpFunctions(), '0.0.0') as Doc;

  it('describes exactly the registered methods and paths', () => {
    expect(documented(doc)).toEqual(registered());
  });

  it('describes the same methods and paths as before the route helper', () => {
    expect(documented(doc)).toEqual([...EXPECTED].sort());
  });

  it('declares no route twice (same method and path)', () => {
    const all = registered();
    expect(new Set(all).size).toBe(all.length);
  });

  it('gives every operation a unique operationId', () => {
    const ids = Object.values(doc.paths).flatMap((ops) =>
      Object.values(ops).map((op) => (op as { operationId: string }).operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });
});
