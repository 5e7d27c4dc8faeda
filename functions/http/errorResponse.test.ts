import { InvocationContext } from '@azure/functions';
import { ConcurrencyConflictError, DomainError, StoreUnavailableError } from '../../shared/domain/errors';
import { ErrorCodes } from '../../shared/domain/errorCodes';
import { errorResponse, graphErrorBody } from './errorResponse';
import { HttpError, HttpErrorCodes } from './httpErrors';

/**
 * Every registry entry with the code and status clients see. Written out by hand on purpose: a
 * changed code or status (a wire-visible change) fails here, and so does an entry added to the
 * registry without its row.
 */
const WIRE: Record<keyof typeof ErrorCodes, [code: string, status: number]> = {
  badRequest: ['BadRequest', 400],
  invalidAuthenticationToken: ['InvalidAuthenticationToken', 401],
  authorizationRequestDenied: ['Authorization_RequestDenied', 403],
  privilegedTargetRequiresPrivilegedRole: ['privilegedTargetRequiresPrivilegedRole', 403],
  resourceNotFound: ['Request_ResourceNotFound', 404],
  objectConflict: ['Request_BadRequest', 409],
  invalidReference: ['Request_BadRequest', 400],
  directoryManagedByEntra: ['directoryManagedByEntra', 403],
  invalidTarget: ['invalidTarget', 400],
  preconditionFailed: ['Request_PreconditionFailed', 412],
  serviceUnavailable: ['serviceUnavailable', 503],
  fido2MethodDisabled: ['fido2MethodDisabled', 403],
  fido2UserExcluded: ['fido2UserExcluded', 403],
  fido2UserNotTargeted: ['fido2UserNotTargeted', 403],
  guestRegistrationNotAllowed: ['guestRegistrationNotAllowed', 403],
  selfServiceRegistrationDisabled: ['selfServiceRegistrationDisabled', 403],
  fido2PasskeyTypeNotAllowed: ['fido2PasskeyTypeNotAllowed', 403],
  fido2KeyRestrictionViolation: ['fido2KeyRestrictionViolation', 403],
  fido2AttestationRequired: ['fido2AttestationRequired', 403],
  invalidWebAuthnResponse: ['invalidWebAuthnResponse', 400],
  crossOriginCeremony: ['crossOriginCeremony', 400],
  invalidChallenge: ['invalidChallenge', 400],
  challengeExpired: ['challengeExpired', 400],
  challengeAlreadyUsed: ['challengeAlreadyUsed', 400],
  signInCrossOriginCeremony: ['crossOriginCeremony', 401],
  signInInvalidChallenge: ['invalidChallenge', 401],
  signInChallengeExpired: ['challengeExpired', 401],
  signInChallengeAlreadyUsed: ['challengeAlreadyUsed', 401],
  fido2SignInFailed: ['fido2SignInFailed', 401],
  fido2PossibleClonedAuthenticator: ['fido2PossibleClonedAuthenticator', 403],
  userAccountDisabled: ['userAccountDisabled', 403],
  invalidResource: ['invalidResource', 400],
  credentialAlreadyRegistered: ['credentialAlreadyRegistered', 409],
  itemNotFound: ['itemNotFound', 404],
  invalidTokenLifetime: ['invalidTokenLifetime', 400],
  unknownRole: ['unknownRole', 400],
  missingPrincipal: ['missingPrincipal', 400],
  webhookSubscriptionNotFound: ['webhookSubscriptionNotFound', 404],
  invalidWebhookUrl: ['invalidWebhookUrl', 400],
  invalidEventTypes: ['invalidEventTypes', 400],
  webhookSecretTooShort: ['webhookSecretTooShort', 400],
  tooManyWebhookSubscriptions: ['tooManyWebhookSubscriptions', 400],
  webhookDestinationRefused: ['webhookDestinationRefused', 400],
  builtInAuthenticationStrengthReadOnly: ['builtInAuthenticationStrengthReadOnly', 400],
  tooManyAuthenticationStrengths: ['tooManyAuthenticationStrengths', 400],
  invalidAllowedCombinations: ['invalidAllowedCombinations', 400],
  invalidCombinationConfiguration: ['invalidCombinationConfiguration', 400],
  authenticationStrengthInUse: ['authenticationStrengthInUse', 409],
  authenticationStrengthNotSatisfied: ['authenticationStrengthNotSatisfied', 403],
  reEnrolmentNotFound: ['reEnrolmentNotFound', 404],
  jobNotFound: ['jobNotFound', 404],
  jobUserNotFound: ['jobUserNotFound', 404],
  emptyJob: ['emptyJob', 400],
  unknownUsers: ['unknownUsers', 400],
  jobNotRunning: ['jobNotRunning', 409],
  userNotClaimed: ['userNotClaimed', 409],
  idempotencyKeyReused: ['idempotencyKeyReused', 409],
  idempotencyKeyInProgress: ['idempotencyKeyInProgress', 409],
};

const HTTP_WIRE: Record<keyof typeof HttpErrorCodes, [code: string, status: number]> = {
  malformedRequest: ['BadRequest', 400],
  routeNotFound: ['NotFound', 404],
  systemKeyRequired: ['Unauthorized', 401],
  localClientsOnly: ['localClientsOnly', 403],
  methodNotAllowed: ['MethodNotAllowed', 405],
  requestTimeout: ['RequestTimeout', 408],
  payloadTooLarge: ['RequestBodyTooLarge', 413],
  unsupportedMediaType: ['UnsupportedMediaType', 415],
  tooManyRequests: ['TooManyRequests', 429],
  requestHeaderFieldsTooLarge: ['RequestHeaderFieldsTooLarge', 431],
  generalException: ['generalException', 500],
};

const REQUEST_ID = '00000000-0000-4000-8000-000000000001';
const context = () => new InvocationContext({ functionName: 'test', logHandler: () => undefined });
const bodyOf = (response: { jsonBody?: unknown }) => response.jsonBody as ReturnType<typeof graphErrorBody>;

describe('error registry → wire', () => {
  it('has a row for every registry entry (and no row for an entry that is gone)', () => {
    expect(Object.keys(WIRE).sort()).toEqual(Object.keys(ErrorCodes).sort());
    expect(Object.keys(HTTP_WIRE).sort()).toEqual(Object.keys(HttpErrorCodes).sort());
  });

  it.each(Object.entries(WIRE) as [keyof typeof ErrorCodes, [string, number]][])(
    '%s answers %j',
    (name, [code, status]) => {
      const response = errorResponse(new DomainError(ErrorCodes[name], `the ${name} message`), REQUEST_ID, context());
      expect(response.status).toBe(status);
      expect(bodyOf(response)).toEqual({
        error: {
          code,
          message: `the ${name} message`,
          innerError: { date: expect.any(String), 'request-id': REQUEST_ID, 'client-request-id': REQUEST_ID },
        },
      });
    },
  );

  it.each(Object.entries(HTTP_WIRE) as [keyof typeof HttpErrorCodes, [string, number]][])(
    'HTTP edge %s answers %j',
    (name, [code, status]) => {
      expect(HttpErrorCodes[name]).toEqual({ code, status });
      const response = errorResponse(new HttpError(HttpErrorCodes[name], 'edge'), REQUEST_ID, context());
      expect(response.status).toBe(status);
      expect(bodyOf(response).error).toMatchObject({ code, message: 'edge' });
    },
  );

  it('asks for a bearer token on 401 and a retry delay on 503', () => {
    expect(
      errorResponse(new DomainError(ErrorCodes.fido2SignInFailed, 'no'), REQUEST_ID, context()).headers,
    ).toMatchObject({ 'WWW-Authenticate': 'Bearer' });
    expect(errorResponse(new StoreUnavailableError('sqlite', 7, 'busy'), REQUEST_ID, context()).headers).toMatchObject({
      'Retry-After': '7',
    });
    expect(errorResponse(new ConcurrencyConflictError('policy', '"1"'), REQUEST_ID, context()).status).toBe(412);
  });

  it('says nothing of an unknown error but the request id, and never its cause or stack', () => {
    const secret = Object.assign(new Error('SERVER_SECRET=abc'), { code: 'BadRequest' });
    const response = errorResponse(secret, REQUEST_ID, context());
    expect(response.status).toBe(500);
    expect(bodyOf(response).error.code).toBe('generalException');
    expect(JSON.stringify(response.jsonBody)).not.toContain('SERVER_SECRET');
  });

  it('renders only date and request ids in innerError, not the cause of a domain error', () => {
    const wrapped = new DomainError(ErrorCodes.fido2SignInFailed, 'The assertion did not verify.', {
      cause: new Error('stack detail SECRET'),
    });
    const response = errorResponse(wrapped, REQUEST_ID, context());
    expect(Object.keys(bodyOf(response).error.innerError).sort()).toEqual(['client-request-id', 'date', 'request-id']);
    expect(JSON.stringify(response.jsonBody)).not.toContain('SECRET');
  });
});
