import { AccessRules } from '../shared/domain/auth/accessRules';
import { UserKeyParams } from '../shared/schemas/directory.schema';
import { CreateFido2MethodBody, CreationOptionsSegment, Fido2MethodResource } from '../shared/schemas/webauthn.schema';
import { graphRoute } from './http/graphRoute';
import { HttpFunction } from './http/httpFunction';
import { json, odataEntity } from './http/responses';

const base = '{ver}/users/{userId}/authentication/fido2Methods';
const errors = { 400: 'Invalid input or credential', 403: 'Not allowed, or refused by policy', 404: 'No such user' };

/** Graph: creationOptions for a user, to create a credential on a security key on their behalf. */
// A constrained segment: more specific than `{methodId}`, so it wins as in ASP.NET routing.
const creationOptions = graphRoute('GET', `${base}/{operation:regex(^creationOptions(\\(.*\\))?$)}`, {
  name: 'userFido2MethodsCreationOptions',
  access: AccessRules.methodsWrite,
  params: { ...UserKeyParams.shape, operation: CreationOptionsSegment },
  // The segment carries the function's argument: a bad one is a bad request, as on Graph.
  paramsNotFound: false,
  doc: {
    summary: 'Creation options to provision a passkey for a user (challengeTimeoutInMinutes 5..43200, default 5)',
    tags: ['Provisioning'],
    responses: { 200: { description: 'webauthnCredentialCreationOptions' } },
    errors,
  },
  handler: async ({ app, params, baseUrl, principal }) => {
    const { options, expiresAt } = await app.registration.creationOptionsFor(
      principal,
      params.userId,
      params.operation,
    );
    return json(
      200,
      odataEntity(baseUrl, params.ver, 'microsoft.graph.webauthnCredentialCreationOptions', {
        '@odata.type': '#microsoft.graph.webauthnCredentialCreationOptions',
        challengeTimeoutDateTime: expiresAt.toISOString(),
        publicKey: options,
      }),
    );
  },
});

/** Graph: register a credential created on the user's behalf. Self-service off does not block this. */
const createMethod = graphRoute('POST', base, {
  name: 'userFido2MethodsCreate',
  access: AccessRules.methodsWrite,
  params: UserKeyParams.shape,
  body: CreateFido2MethodBody,
  doc: {
    summary: 'Register a passkey created on behalf of a user (Graph provisioning API)',
    tags: ['Provisioning'],
    responses: { 201: { description: 'The fido2AuthenticationMethod', schema: Fido2MethodResource } },
    errors,
  },
  handler: async ({ app, params, body, principal, baseUrl }) => {
    const method = await app.registration.provisionFor(
      principal,
      params.userId,
      body.publicKeyCredential,
      body.displayName,
    );
    return json(201, odataEntity(baseUrl, params.ver, 'users/authentication/fido2Methods/$entity', method));
  },
});

export const provisioningHttpFunctions: HttpFunction[] = [creationOptions, createMethod];
