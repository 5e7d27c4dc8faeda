import { DomainError, type DomainErrorKind } from '../errors';
import { stateAfterPreparationRefusal, stateAfterRegistrationError } from './jobUserOutcomes';

const error = (kind: DomainErrorKind, code: string) => new DomainError(kind, code, `${kind} ${code}`);

describe('job user outcomes', () => {
  it.each([
    { kind: 'forbidden', code: 'guestRegistrationNotAllowed', state: 'skippedGuest' },
    { kind: 'forbidden', code: 'selfServiceRegistrationDisabled', state: 'refusedByPolicy' },
    { kind: 'forbidden', code: 'userNotInRegistrationTarget', state: 'refusedByPolicy' },
  ] as const)('preparation refused with $code → $state', ({ kind, code, state }) => {
    expect(stateAfterPreparationRefusal(error(kind, code))).toBe(state);
  });

  it.each([
    { kind: 'forbidden', code: 'fido2KeyRestrictionViolation', state: 'refusedByPolicy' },
    { kind: 'forbidden', code: 'attestationRequired', state: 'refusedByPolicy' },
    { kind: 'badRequest', code: 'challengeExpired', state: 'timedOut' },
    { kind: 'badRequest', code: 'invalidRegistration', state: 'failed' },
    { kind: 'conflict', code: 'credentialAlreadyRegistered', state: 'failed' },
  ] as const)('registration refused with $kind $code → $state', ({ kind, code, state }) => {
    expect(stateAfterRegistrationError(error(kind, code))).toBe(state);
  });
});
