/**
 * Every error the domain, the services and the stores raise, one entry per situation: the code the
 * client sees on the wire and the kind the HTTP edge turns into a status
 * (functions/http/errorResponse.ts). Throw sites name an entry (`new DomainError(ErrorCodes.x, ...)`),
 * never a free string; code that reacts to an error compares against an entry (`isErrorOf`).
 *
 * Codes follow the Graph service that owns the resource: the directory's `Request_*` codes for users,
 * groups and role assignments, the gateway's PascalCase codes for request shape and tokens, and the
 * authentication-methods service's camelCase codes for passkey rules. Two entries may share a code
 * when Graph answers the same code with two statuses (`Request_BadRequest`: 400 and 409).
 * HTTP-only errors (body too large, media type, method, rate limit) live at the edge:
 * functions/http/httpErrors.ts.
 *
 * A new error: add an entry here and its row (code, status) in functions/http/errorResponse.test.ts,
 * which fails until both agree. A code already on the wire never changes its spelling.
 */
export type DomainErrorKind =
  'badRequest' | 'unauthorized' | 'forbidden' | 'notFound' | 'conflict' | 'preconditionFailed' | 'serviceUnavailable';

/** One registry entry: the wire code and the kind that decides its status. */
export interface ErrorDefinition<K extends DomainErrorKind = DomainErrorKind> {
  readonly code: string;
  readonly kind: K;
}

const entry = <K extends DomainErrorKind, C extends string>(kind: K, code: C) => ({ kind, code }) as const;

/** The registry. Keys name the situation; `code` is what clients see and must never change. */
export const ErrorCodes = {
  // Request shape (the Graph gateway's codes).
  badRequest: entry('badRequest', 'BadRequest'),

  // Tokens and access.
  invalidAuthenticationToken: entry('unauthorized', 'InvalidAuthenticationToken'),
  authorizationRequestDenied: entry('forbidden', 'Authorization_RequestDenied'),
  privilegedTargetRequiresPrivilegedRole: entry('forbidden', 'privilegedTargetRequiresPrivilegedRole'),

  // Directory objects (the directory's Request_* codes).
  /** Also the answer to route parameters that cannot name anything (a malformed id). */
  resourceNotFound: entry('notFound', 'Request_ResourceNotFound'),
  /** A unique property (id, userPrincipalName, a role assignment) is taken: Graph's code, answered 409. */
  objectConflict: entry('conflict', 'Request_BadRequest'),
  /** A reference that cannot be added (member already present, principal missing): Graph answers 400. */
  invalidReference: entry('badRequest', 'Request_BadRequest'),
  invalidTarget: entry('badRequest', 'invalidTarget'),
  /** DIRECTORY=entra: users and groups are Entra's; change them in the tenant, not here. */
  directoryManagedByEntra: entry('forbidden', 'directoryManagedByEntra'),

  // Optimistic concurrency and store availability.
  preconditionFailed: entry('preconditionFailed', 'Request_PreconditionFailed'),
  serviceUnavailable: entry('serviceUnavailable', 'serviceUnavailable'),

  // Passkey (FIDO2) policy.
  fido2MethodDisabled: entry('forbidden', 'fido2MethodDisabled'),
  fido2UserExcluded: entry('forbidden', 'fido2UserExcluded'),
  fido2UserNotTargeted: entry('forbidden', 'fido2UserNotTargeted'),
  guestRegistrationNotAllowed: entry('forbidden', 'guestRegistrationNotAllowed'),
  selfServiceRegistrationDisabled: entry('forbidden', 'selfServiceRegistrationDisabled'),
  fido2PasskeyTypeNotAllowed: entry('forbidden', 'fido2PasskeyTypeNotAllowed'),
  fido2KeyRestrictionViolation: entry('forbidden', 'fido2KeyRestrictionViolation'),
  fido2AttestationRequired: entry('forbidden', 'fido2AttestationRequired'),

  // WebAuthn ceremonies. Challenge refusals answer 400 at registration and 401 at sign-in.
  invalidWebAuthnResponse: entry('badRequest', 'invalidWebAuthnResponse'),
  crossOriginCeremony: entry('badRequest', 'crossOriginCeremony'),
  invalidChallenge: entry('badRequest', 'invalidChallenge'),
  challengeExpired: entry('badRequest', 'challengeExpired'),
  challengeAlreadyUsed: entry('badRequest', 'challengeAlreadyUsed'),
  signInCrossOriginCeremony: entry('unauthorized', 'crossOriginCeremony'),
  signInInvalidChallenge: entry('unauthorized', 'invalidChallenge'),
  signInChallengeExpired: entry('unauthorized', 'challengeExpired'),
  signInChallengeAlreadyUsed: entry('unauthorized', 'challengeAlreadyUsed'),
  fido2SignInFailed: entry('unauthorized', 'fido2SignInFailed'),
  fido2PossibleClonedAuthenticator: entry('forbidden', 'fido2PossibleClonedAuthenticator'),
  userAccountDisabled: entry('forbidden', 'userAccountDisabled'),
  invalidResource: entry('badRequest', 'invalidResource'),
  credentialAlreadyRegistered: entry('conflict', 'credentialAlreadyRegistered'),
  /** Graph's answer for a missing item of a collection: a passkey, a strength, a combination configuration, a protected resource. */
  itemNotFound: entry('notFound', 'itemNotFound'),

  // Dev tokens.
  invalidTokenLifetime: entry('badRequest', 'invalidTokenLifetime'),
  unknownRole: entry('badRequest', 'unknownRole'),
  missingPrincipal: entry('badRequest', 'missingPrincipal'),

  // Webhooks.
  webhookSubscriptionNotFound: entry('notFound', 'webhookSubscriptionNotFound'),
  invalidWebhookUrl: entry('badRequest', 'invalidWebhookUrl'),
  invalidEventTypes: entry('badRequest', 'invalidEventTypes'),
  webhookSecretTooShort: entry('badRequest', 'webhookSecretTooShort'),
  tooManyWebhookSubscriptions: entry('badRequest', 'tooManyWebhookSubscriptions'),
  webhookDestinationRefused: entry('badRequest', 'webhookDestinationRefused'),

  // Authentication strengths and protected resources.
  builtInAuthenticationStrengthReadOnly: entry('badRequest', 'builtInAuthenticationStrengthReadOnly'),
  tooManyAuthenticationStrengths: entry('badRequest', 'tooManyAuthenticationStrengths'),
  invalidAllowedCombinations: entry('badRequest', 'invalidAllowedCombinations'),
  invalidCombinationConfiguration: entry('badRequest', 'invalidCombinationConfiguration'),
  authenticationStrengthInUse: entry('conflict', 'authenticationStrengthInUse'),
  authenticationStrengthNotSatisfied: entry('forbidden', 'authenticationStrengthNotSatisfied'),

  // UPN re-enrolment.
  reEnrolmentNotFound: entry('notFound', 'reEnrolmentNotFound'),

  // Provisioning jobs.
  jobNotFound: entry('notFound', 'jobNotFound'),
  jobUserNotFound: entry('notFound', 'jobUserNotFound'),
  emptyJob: entry('badRequest', 'emptyJob'),
  unknownUsers: entry('badRequest', 'unknownUsers'),
  jobNotRunning: entry('conflict', 'jobNotRunning'),
  userNotClaimed: entry('conflict', 'userNotClaimed'),
  /** The idempotency key already started a job for a different request (IETF Idempotency-Key draft: a reused key). */
  idempotencyKeyReused: entry('conflict', 'idempotencyKeyReused'),
  /** Another request with the same idempotency key is still creating its job; retry shortly. */
  idempotencyKeyInProgress: entry('conflict', 'idempotencyKeyInProgress'),
} as const satisfies Record<string, ErrorDefinition>;

/** A registry entry. */
export type ErrorCodeEntry = (typeof ErrorCodes)[keyof typeof ErrorCodes];
/** A code a client may see in a domain error body. */
export type ErrorCode = ErrorCodeEntry['code'];
