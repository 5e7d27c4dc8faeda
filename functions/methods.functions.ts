import { AccessRules } from '../shared/domain/auth/accessRules';
import { UserKeyParams } from '../shared/schemas/directory.schema';
import { Fido2MethodResource, MethodIdParam } from '../shared/schemas/webauthn.schema';
import { graphRoute } from './http/graphRoute';
import { HttpFunction } from './http/httpFunction';
import { signedInUserId } from './http/signedInUser';
import { json, noContent, odataEntity } from './http/responses';

/** users/{id}/... for administrators, me/... for the signed-in user: same services, other subject. */
const USERS = '{ver}/users/{userId}/authentication/fido2Methods';
const ME = '{ver}/me/authentication/fido2Methods';
const tags = ['Passkeys'];
const errors = { 404: 'No such user or passkey' };
const UserParams = UserKeyParams.shape;
const MethodParams = MethodIdParam.shape;
const listed = { 200: { description: 'fido2AuthenticationMethod collection' } };
const read = {
  summary: 'Read a passkey (AAGUID, model, attestation)',
  tags,
  responses: { 200: { description: 'fido2AuthenticationMethod', schema: Fido2MethodResource } },
  errors,
};
const deleted = {
  summary: 'Delete a passkey; it can no longer sign in',
  tags,
  responses: { 204: { description: 'Deleted' } },
  errors,
};

const page = (baseUrl: string, ver: string, scope: 'users' | 'me', body: object) =>
  json(200, odataEntity(baseUrl, ver, `${scope}/authentication/fido2Methods`, body));
const entity = (baseUrl: string, ver: string, scope: 'users' | 'me', method: object) =>
  json(200, odataEntity(baseUrl, ver, `${scope}/authentication/fido2Methods/$entity`, method));

export const methodsHttpFunctions: HttpFunction[] = [
  graphRoute('GET', USERS, {
    name: 'userFido2MethodsList',
    access: AccessRules.methodsRead,
    params: UserParams,
    doc: { summary: "List a user's passkeys", tags, responses: listed, errors },
    handler: async ({ app, params, baseUrl }) =>
      page(baseUrl, params.ver, 'users', { value: await app.methods.list(params.userId) }),
  }),
  graphRoute('GET', `${USERS}/{methodId}`, {
    name: 'userFido2MethodsGet',
    access: AccessRules.methodsRead,
    params: { ...UserParams, ...MethodParams },
    doc: read,
    handler: async ({ app, params, baseUrl }) =>
      entity(baseUrl, params.ver, 'users', await app.methods.get(params.userId, params.methodId)),
  }),
  graphRoute('DELETE', `${USERS}/{methodId}`, {
    name: 'userFido2MethodsDelete',
    access: AccessRules.methodsWrite,
    params: { ...UserParams, ...MethodParams },
    doc: deleted,
    handler: async ({ app, params, principal }) => {
      await app.methods.deleteForCaller(params.userId, params.methodId, principal, 'user');
      return noContent();
    },
  }),
  graphRoute('GET', ME, {
    name: 'meFido2MethodsList',
    access: AccessRules.signedInUser,
    doc: { summary: "List the signed-in user's passkeys", tags, responses: listed, errors },
    // With `reEnrolmentRequired`, the frontend's hint to register a new passkey after a UPN change.
    handler: async ({ app, params, principal, baseUrl }) =>
      page(baseUrl, params.ver, 'me', await app.methods.listOwn(signedInUserId(principal))),
  }),
  graphRoute('GET', `${ME}/{methodId}`, {
    name: 'meFido2MethodsGet',
    access: AccessRules.signedInUser,
    params: MethodParams,
    doc: read,
    handler: async ({ app, params, principal, baseUrl }) =>
      entity(baseUrl, params.ver, 'me', await app.methods.get(signedInUserId(principal), params.methodId)),
  }),
  graphRoute('DELETE', `${ME}/{methodId}`, {
    name: 'meFido2MethodsDelete',
    access: AccessRules.signedInUser,
    params: MethodParams,
    doc: deleted,
    handler: async ({ app, params, principal }) => {
      await app.methods.deleteForCaller(signedInUserId(principal), params.methodId, principal, 'self');
      return noContent();
    },
  }),
];
