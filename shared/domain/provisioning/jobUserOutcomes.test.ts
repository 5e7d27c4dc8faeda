import { DomainError } from '../errors';
import { ErrorCodes } from '../errorCodes';
import { stateAfterPreparationRefusal, stateAfterRegistrationError } from './jobUserOutcomes';

const error = (name: keyof typeof ErrorCodes) => new DomainError(ErrorCodes[name], name);

describe('job user outcomes', () => {
  it.each([
    { code: 'guestRegistrationNotAllowed', state: 'skippedGuest' },
    { code: 'selfServiceRegistrationDisabled', state: 'refusedByPolicy' },
    { code: 'fido2UserNotTargeted', state: 'refusedByPolicy' },
  ] as const)('preparation refused with $code → $state', ({ code, state }) => {
    expect(stateAfterPreparationRefusal(error(code))).toBe(state);
  });

  it.each([
    { code: 'fido2KeyRestrictionViolation', state: 'refusedByPolicy' },
    { code: 'fido2AttestationRequired', state: 'refusedByPolicy' },
    { code: 'challengeExpired', state: 'timedOut' },
    { code: 'invalidWebAuthnResponse', state: 'failed' },
    { code: 'credentialAlreadyRegistered', state: 'failed' },
  ] as const)('registration refused with $code → $state', ({ code, state }) => {
    expect(stateAfterRegistrationError(error(code))).toBe(state);
  });
});
