import { DomainError } from '../errors';
import {
  assertMayRegister,
  assertMethodAvailable,
  assertPasskeyAllowed,
  PasskeyFacts,
  passkeyTypeOf,
  PolicySubject,
} from './evaluatePolicy';
import { defaultFido2Policy, Fido2Policy, PasskeyProfile } from './fido2Policy';

const PILOT = 'aaaaaaaa-0000-4000-8000-000000000001';
const CONTRACTORS = 'aaaaaaaa-0000-4000-8000-000000000002';
const YUBIKEY_5 = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
const OTHER_KEY = '5ca1ab1e-0000-4000-8000-00000000c0de';

const enabled = (changes: Partial<Fido2Policy> = {}): Fido2Policy => ({
  ...defaultFido2Policy(),
  state: 'enabled',
  ...changes,
});
const member = (groupIds: string[] = [], userType: 'Member' | 'Guest' = 'Member'): PolicySubject => ({
  user: { id: 'u1', userPrincipalName: 'alice@contoso.com', userType, accountEnabled: true },
  groupIds,
});
const profile = (changes: Partial<PasskeyProfile> = {}): PasskeyProfile => ({
  ...defaultFido2Policy().passkeyProfiles[0],
  ...changes,
});
const passkey = (changes: Partial<PasskeyFacts> = {}): PasskeyFacts => ({
  aaGuid: YUBIKEY_5,
  model: 'YubiKey 5',
  backupEligible: false,
  attested: true,
  ...changes,
});

/** The DomainError `run` throws, or a failure when it throws nothing. */
function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a refusal, got none');
}

describe('assertMethodAvailable: method enabled and user targeted (registration and every sign-in)', () => {
  it.each<[string, Fido2Policy, PolicySubject, string, RegExp]>([
    ['the method is disabled', defaultFido2Policy(), member(), 'fido2MethodDisabled', /state: 'disabled'/],
    [
      'the user is in an excluded group',
      enabled({ excludeTargets: [{ targetType: 'group', id: PILOT }] }),
      member([PILOT.toUpperCase()]),
      'fido2UserExcluded',
      new RegExp(`group '${PILOT}'.*excludeTargets`),
    ],
    [
      'exclusion wins over all_users',
      enabled({ excludeTargets: [{ targetType: 'group', id: CONTRACTORS }] }),
      member([CONTRACTORS]),
      'fido2UserExcluded',
      /excludeTargets/,
    ],
    [
      'the user is in no included group',
      enabled({
        includeTargets: [{ targetType: 'group', id: PILOT, isRegistrationRequired: false, allowedPasskeyProfiles: [] }],
      }),
      member([CONTRACTORS]),
      'fido2UserNotTargeted',
      new RegExp(`includeTargets are '${PILOT}'`),
    ],
    [
      'no include targets at all',
      enabled({ includeTargets: [] }),
      member(),
      'fido2UserNotTargeted',
      /includeTargets are empty/,
    ],
  ])('refuses when %s (403 %s)', (_title, policy, subject, code, message) => {
    const error = refusal(() => assertMethodAvailable(policy, subject));
    expect(error).toMatchObject({ kind: 'forbidden', code });
    expect(error.message).toMatch(message);
  });

  it('gives the profiles of every target that includes the user, by group id in any case', () => {
    const second = profile({ id: 'p2', name: 'Pilot' });
    const policy = enabled({
      passkeyProfiles: [profile(), second],
      includeTargets: [
        { targetType: 'group', id: PILOT.toUpperCase(), isRegistrationRequired: false, allowedPasskeyProfiles: ['p2'] },
      ],
    });
    expect(assertMethodAvailable(policy, member([PILOT])).map((p) => p.id)).toEqual(['p2']);
  });

  it('falls back to the default profile when the targets name no existing profile', () => {
    const policy = enabled({
      includeTargets: [
        { targetType: 'group', id: 'all_users', isRegistrationRequired: false, allowedPasskeyProfiles: ['gone'] },
      ],
    });
    expect(assertMethodAvailable(policy, member())).toEqual([policy.passkeyProfiles[0]]);
  });
});

describe('assertMayRegister: members only, self-service only when allowed', () => {
  it.each<[string, Fido2Policy, PolicySubject, 'selfService' | 'admin', string]>([
    ['a guest registers', enabled(), member([], 'Guest'), 'selfService', 'guestRegistrationNotAllowed'],
    ['an admin provisions a guest', enabled(), member([], 'Guest'), 'admin', 'guestRegistrationNotAllowed'],
    [
      'a user registers with self-service off',
      enabled({ isSelfServiceRegistrationAllowed: false }),
      member(),
      'selfService',
      'selfServiceRegistrationDisabled',
    ],
    ['a user registers with the method disabled', defaultFido2Policy(), member(), 'selfService', 'fido2MethodDisabled'],
  ])('refuses when %s (403 %s)', (_title, policy, subject, mode, code) => {
    expect(refusal(() => assertMayRegister(policy, subject, mode))).toMatchObject({ kind: 'forbidden', code });
  });

  it('lets an administrator provision with self-service off (unlike Entra today)', () => {
    expect(assertMayRegister(enabled({ isSelfServiceRegistrationAllowed: false }), member(), 'admin')).toHaveLength(1);
  });
});

describe('assertPasskeyAllowed: passkey types and key restrictions at registration and sign-in, attestation at registration', () => {
  const allowYubiKey = { isEnforced: true, enforcementType: 'allow' as const, aaGuids: [YUBIKEY_5] };
  const blockYubiKey = { isEnforced: true, enforcementType: 'block' as const, aaGuids: [YUBIKEY_5] };

  it.each<[string, PasskeyProfile[], PasskeyFacts, 'registration' | 'signIn', string, RegExp]>([
    [
      'a synced passkey under a device-bound profile',
      [profile({ passkeyTypes: ['deviceBound'] })],
      passkey({ backupEligible: true }),
      'signIn',
      'fido2PasskeyTypeNotAllowed',
      /allows deviceBound passkeys, and this one is synced/,
    ],
    [
      'a device-bound passkey under a synced profile',
      [profile({ passkeyTypes: ['synced'] })],
      passkey(),
      'registration',
      'fido2PasskeyTypeNotAllowed',
      /this one is deviceBound/,
    ],
    [
      'an unlisted AAGUID under an allow list',
      [profile({ keyRestrictions: allowYubiKey })],
      passkey({ aaGuid: OTHER_KEY, model: null }),
      'signIn',
      'fido2KeyRestrictionViolation',
      new RegExp(`at sign-in: .*AAGUID ${OTHER_KEY} is not on the allow list`),
    ],
    [
      'a blocked AAGUID (in upper case)',
      [profile({ keyRestrictions: blockYubiKey })],
      passkey({ aaGuid: YUBIKEY_5.toUpperCase() }),
      'registration',
      'fido2KeyRestrictionViolation',
      /key restrictions block AAGUID .* \(YubiKey 5\)/,
    ],
    [
      'no attestation when enforced, at registration',
      [profile({ attestationEnforcement: 'registrationOnly' })],
      passkey({ attested: false }),
      'registration',
      'fido2AttestationRequired',
      /enforces attestation/,
    ],
    ['no profile applies', [], passkey(), 'signIn', 'fido2KeyRestrictionViolation', /no passkey profile applies/],
    [
      'every profile refuses: the first reason is given',
      [profile({ keyRestrictions: blockYubiKey }), profile({ passkeyTypes: ['synced'] })],
      passkey(),
      'signIn',
      'fido2KeyRestrictionViolation',
      /block/,
    ],
  ])('refuses %s (403 %s)', (_title, profiles, facts, moment, code, message) => {
    const error = refusal(() => assertPasskeyAllowed(profiles, facts, moment));
    expect(error).toMatchObject({ kind: 'forbidden', code });
    expect(error.message).toMatch(message);
  });

  it.each<[string, PasskeyProfile[], PasskeyFacts, 'registration' | 'signIn']>([
    [
      'a listed AAGUID under an allow list',
      [profile({ keyRestrictions: allowYubiKey })],
      passkey({ aaGuid: YUBIKEY_5.toUpperCase() }),
      'signIn',
    ],
    [
      'restrictions that are not enforced',
      [profile({ keyRestrictions: { ...blockYubiKey, isEnforced: false } })],
      passkey(),
      'registration',
    ],
    [
      'an unattested passkey at sign-in after attestation was switched on',
      [profile({ attestationEnforcement: 'registrationOnly' })],
      passkey({ attested: undefined }),
      'signIn',
    ],
    [
      'an attested passkey when attestation is enforced',
      [profile({ attestationEnforcement: 'registrationOnly' })],
      passkey({ attested: true }),
      'registration',
    ],
    [
      'one profile of several accepting it',
      [profile({ keyRestrictions: blockYubiKey }), profile({ id: 'p2' })],
      passkey(),
      'signIn',
    ],
  ])('accepts %s', (_title, profiles, facts, moment) => {
    expect(() => assertPasskeyAllowed(profiles, facts, moment)).not.toThrow();
  });

  it.each([
    [true, 'synced'],
    [false, 'deviceBound'],
  ] as const)('passkeyTypeOf(backupEligible %s) is %s', (backupEligible, type) => {
    expect(passkeyTypeOf(backupEligible)).toBe(type);
  });
});
