import { ErrorCodes, ErrorDefinition } from '../errorCodes';
import { isErrorOf } from '../errors';

/**
 * Graph's signIn `status.errorCode` is a number, 0 on success. Ours are stable numbers per refusal
 * (never renumbered; a new refusal takes a new number), in a 9xxxx range that does not pretend to
 * be an AADSTS code. The domain code goes to `failureReason`, so both can be filtered and read.
 */
export const SIGN_IN_SUCCESS = 0;
/** A refusal the table below does not name (a rule added later by another feature). */
export const SIGN_IN_OTHER_REFUSAL = 90099;

const TABLE: ReadonlyArray<readonly [ErrorDefinition, number]> = [
  [ErrorCodes.fido2SignInFailed, 90001],
  [ErrorCodes.signInInvalidChallenge, 90002],
  [ErrorCodes.signInChallengeExpired, 90003],
  [ErrorCodes.signInChallengeAlreadyUsed, 90004],
  [ErrorCodes.signInCrossOriginCeremony, 90005],
  [ErrorCodes.invalidWebAuthnResponse, 90006],
  [ErrorCodes.userAccountDisabled, 90010],
  [ErrorCodes.fido2MethodDisabled, 90020],
  [ErrorCodes.fido2UserNotTargeted, 90021],
  [ErrorCodes.fido2UserExcluded, 90022],
  [ErrorCodes.fido2KeyRestrictionViolation, 90023],
  [ErrorCodes.fido2PasskeyTypeNotAllowed, 90024],
  [ErrorCodes.fido2PossibleClonedAuthenticator, 90030],
  [ErrorCodes.invalidResource, 90040],
  [ErrorCodes.preconditionFailed, 90050],
  [ErrorCodes.serviceUnavailable, 90051],
];

/** The numeric errorCode of a refused sign-in, from the error the ceremony threw. */
export function signInErrorCode(error: unknown): number {
  for (const [definition, number] of TABLE) if (isErrorOf(error, definition)) return number;
  return SIGN_IN_OTHER_REFUSAL;
}

/** The numbers in use, for the README table and the guard test (no number taken twice). */
export const SIGN_IN_ERROR_CODES: ReadonlyArray<{ code: string; kind: string; errorCode: number }> = TABLE.map(
  ([d, n]) => ({ code: d.code, kind: d.kind, errorCode: n }),
);
