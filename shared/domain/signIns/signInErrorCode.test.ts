import { DomainError } from '../errors';
import { ErrorCodes } from '../errorCodes';
import { SIGN_IN_ERROR_CODES, SIGN_IN_OTHER_REFUSAL, signInErrorCode } from './signInErrorCode';

describe('signInErrorCode: a stable number per refusal', () => {
  it.each([
    ['unknown credential / bad signature', ErrorCodes.fido2SignInFailed, 90001],
    ['an unknown challenge', ErrorCodes.signInInvalidChallenge, 90002],
    ['an expired challenge', ErrorCodes.signInChallengeExpired, 90003],
    ['a replayed challenge', ErrorCodes.signInChallengeAlreadyUsed, 90004],
    ['another origin', ErrorCodes.signInCrossOriginCeremony, 90005],
    ['a disabled account', ErrorCodes.userAccountDisabled, 90010],
    ['the method disabled', ErrorCodes.fido2MethodDisabled, 90020],
    ['a user not targeted', ErrorCodes.fido2UserNotTargeted, 90021],
    ['an excluded user', ErrorCodes.fido2UserExcluded, 90022],
    ['key restrictions', ErrorCodes.fido2KeyRestrictionViolation, 90023],
    ['a passkey type', ErrorCodes.fido2PasskeyTypeNotAllowed, 90024],
    ['a cloned authenticator', ErrorCodes.fido2PossibleClonedAuthenticator, 90030],
    ['a resource not allowed', ErrorCodes.invalidResource, 90040],
  ])('%s', (_title, definition, expected) => {
    expect(signInErrorCode(new DomainError(definition, 'x'))).toBe(expected);
  });

  it('tells the registration challenge codes (400) from the sign-in ones (401) by kind, not by text', () => {
    expect(signInErrorCode(new DomainError(ErrorCodes.invalidChallenge, 'x'))).toBe(SIGN_IN_OTHER_REFUSAL);
  });

  it.each([
    ['an error of no registry entry here', new DomainError(ErrorCodes.badRequest, 'x')],
    ['a plain Error', new Error('boom')],
    ['a thrown string', 'boom'],
  ])('%s is "other refusal"', (_title, error) => {
    expect(signInErrorCode(error)).toBe(SIGN_IN_OTHER_REFUSAL);
  });

  it('never gives two refusals the same number, nor 0', () => {
    const numbers = SIGN_IN_ERROR_CODES.map((c) => c.errorCode);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers).not.toContain(0);
    expect(numbers).not.toContain(SIGN_IN_OTHER_REFUSAL);
  });
});
