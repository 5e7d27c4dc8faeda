import { AccessRules } from '../shared/domain/auth/accessRules';
import { actorOf } from '../shared/domain/auth/actor';
import { GraphError, GraphVersion } from '../shared/schemas/common.schema';
import { UserKeyParams } from '../shared/schemas/directory.schema';
import { CreateFido2MethodBody, CreationOptionsSegment, Fido2MethodResource } from '../shared/schemas/webauthn.schema';
import { z } from '../shared/schemas/zod';
import { defineHttpFunction, HttpFunction } from './http/httpFunction';
import { json, odataContext } from './http/responses';

const VER = '{ver:regex(^(beta|v1\\.0)$)}';
const base = `${VER}/users/{userId}/authentication/fido2Methods`;
const Params = z.object({ ver: GraphVersion }).extend(UserKeyParams.shape);
const errors = { 400: { description: 'Invalid input or credential', schema: GraphError }, 401: { description: 'No valid token', schema: GraphError }, 403: { description: 'Not allowed, or refused by policy', schema: GraphError }, 404: { description: 'No such user', schema: GraphError } };

/** Graph: creationOptions for a user, to create a credential on a security key on their behalf. */
const creationOptions = defineHttpFunction({
  name: 'userFido2MethodsCreationOptions',
  // A constrained segment: more specific than `{methodId}`, so it wins as in ASP.NET routing.
  route: `${base}/{operation:regex(^creationOptions(\\(.*\\))?$)}`,
  methods: ['GET'],
  access: AccessRules.methodsWrite,
  params: Params.extend({ operation: CreationOptionsSegment }),
  doc: { summary: 'Creation options to provision a passkey for a user (challengeTimeoutInMinutes 5..43200, default 5)', tags: ['Provisioning'], responses: { 200: { description: 'webauthnCredentialCreationOptions' }, ...errors } },
  handler: async ({ app, params, baseUrl, principal }) => {
    // Privileged users' passkeys take a PAA or GA (Entra); checked here, before any challenge is issued.
    await app.directory.assertMayActOnUserNamed(principal, 'authenticationMethods', params.userId);
    const { options, expiresAt } = await app.registration.options(params.userId, 'admin', {
      timeoutMs: params.operation * 60_000,
      authenticatorAttachment: 'cross-platform',
      residentKey: 'required',
    });
    return json(200, {
      '@odata.context': odataContext(baseUrl, params.ver, 'microsoft.graph.webauthnCredentialCreationOptions'),
      '@odata.type': '#microsoft.graph.webauthnCredentialCreationOptions',
      challengeTimeoutDateTime: expiresAt.toISOString(),
      publicKey: options,
    });
  },
});

/** Graph: register a credential created on the user's behalf. Self-service off does not block this. */
const createMethod = defineHttpFunction({
  name: 'userFido2MethodsCreate',
  route: base,
  methods: ['POST'],
  access: AccessRules.methodsWrite,
  params: Params,
  paramsNotFound: true,
  body: CreateFido2MethodBody,
  doc: { summary: 'Register a passkey created on behalf of a user (Graph provisioning API)', tags: ['Provisioning'], responses: { 201: { description: 'The fido2AuthenticationMethod', schema: Fido2MethodResource }, ...errors } },
  handler: async ({ app, params, body, principal, baseUrl }) => {
    await app.directory.assertMayActOnUserNamed(principal, 'authenticationMethods', params.userId);
    const method = await app.registration.verify(params.userId, 'admin', body.publicKeyCredential, body.displayName, actorOf(principal));
    return json(201, { '@odata.context': odataContext(baseUrl, params.ver, 'users/authentication/fido2Methods/$entity'), ...method });
  },
});

export const provisioningHttpFunctions: HttpFunction[] = [creationOptions, createMethod];
