import { AccessRules } from '../shared/domain/auth/accessRules';
import { actorOf } from '../shared/domain/auth/actor';
import {
  AuthenticationOptionsBody,
  AuthenticationVerifyBody,
  Fido2MethodResource,
  RegistrationOptionsBody,
  RegistrationVerifyBody,
  SignInResponse,
} from '../shared/schemas/webauthn.schema';
import { graphRoute } from './http/graphRoute';
import { HttpFunction } from './http/httpFunction';
import { serviceLink } from './http/links';
import { signedInUserId } from './http/signedInUser';
import { json } from './http/responses';
import { requestClientAddress } from './http/forwarded';

const errors = {
  400: 'Invalid input or response',
  401: 'Not signed in / verification failed',
  403: 'Refused by policy',
};

const registrationOptions = graphRoute('POST', 'webauthn/registration/options', {
  name: 'webauthnRegistrationOptions',
  access: AccessRules.signedInUser,
  body: RegistrationOptionsBody,
  doc: {
    summary: 'Self-service: creation options for the signed-in user (PublicKeyCredentialCreationOptionsJSON)',
    tags: ['Ceremonies'],
    responses: { 200: { description: 'Options for @simplewebauthn/browser startRegistration()' } },
    errors,
  },
  handler: async ({ app, principal, body }) => {
    const { options } = await app.registration.options(signedInUserId(principal), 'selfService', body);
    return json(200, options);
  },
});

const registrationVerify = graphRoute('POST', 'webauthn/registration/verify', {
  name: 'webauthnRegistrationVerify',
  access: AccessRules.signedInUser,
  body: RegistrationVerifyBody,
  doc: {
    summary: "Self-service: verify and register the signed-in user's new passkey",
    tags: ['Ceremonies'],
    responses: { 201: { description: 'The fido2AuthenticationMethod', schema: Fido2MethodResource } },
    errors,
  },
  handler: async ({ app, principal, body }) => {
    const method = await app.registration.verify(
      signedInUserId(principal),
      'selfService',
      body.credential,
      body.displayName,
      actorOf(principal),
    );
    return json(201, method);
  },
});

const authenticationOptions = graphRoute('POST', 'webauthn/authentication/options', {
  name: 'webauthnAuthenticationOptions',
  access: 'anonymous',
  rateLimited: true,
  body: AuthenticationOptionsBody,
  doc: {
    summary: 'Sign-in: request options (UPN-first or usernameless); reveals nothing about unknown UPNs',
    tags: ['Ceremonies'],
    responses: { 200: { description: 'Options for @simplewebauthn/browser startAuthentication()' } },
    errors: { 400: errors[400] },
  },
  handler: async ({ app, body }) => json(200, await app.signIn.options(body.userPrincipalName, body.resource)),
});

const authenticationVerify = graphRoute('POST', 'webauthn/authentication/verify', {
  name: 'webauthnAuthenticationVerify',
  access: 'anonymous',
  rateLimited: true,
  body: AuthenticationVerifyBody,
  doc: {
    summary: 'Sign-in: verify the assertion and issue a signed token',
    tags: ['Ceremonies'],
    responses: { 200: { description: 'A signed token (JWT, ES256)', schema: SignInResponse } },
    errors,
  },
  // Every attempt, refused or not, is recorded in the sign-in log with the client's address and user agent.
  handler: async ({ app, body, request }) =>
    json(
      200,
      await app.recordedSignIn.verify(body.credential, body.resource, {
        ipAddress: requestClientAddress(request.headers) ?? null,
        userAgent: request.headers.get('user-agent'),
      }),
      { 'Cache-Control': 'no-store' },
    ),
});

const openIdConfiguration = graphRoute('GET', '.well-known/openid-configuration', {
  name: 'openIdConfiguration',
  access: 'anonymous',
  doc: {
    summary: 'Issuer and JWKS location of the sign-in tokens',
    tags: ['Meta'],
    responses: { 200: { description: 'OpenID provider metadata (subset)' } },
  },
  // The issuer is the configured `iss` of the tokens (TOKEN_ISSUER); the key location follows the
  // origin the client used, so it is right behind a TLS proxy too.
  handler: async ({ app, baseUrl }) =>
    json(200, {
      issuer: app.config.issuer,
      jwks_uri: serviceLink(baseUrl, '.well-known/jwks.json'),
      id_token_signing_alg_values_supported: ['ES256'],
      token_endpoint_auth_methods_supported: ['none'],
      claims_supported: ['sub', 'oid', 'upn', 'name', 'amr', 'aaguid', 'auth_time', 'iss', 'aud', 'exp', 'iat'],
    }),
});

export const webauthnHttpFunctions: HttpFunction[] = [
  registrationOptions,
  registrationVerify,
  authenticationOptions,
  authenticationVerify,
  openIdConfiguration,
];
