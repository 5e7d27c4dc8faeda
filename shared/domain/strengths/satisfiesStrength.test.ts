import { AuthenticationStrength, builtInStrength } from './authenticationStrength';
import { satisfiesStrength } from './satisfiesStrength';

const YUBIKEY = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
const OTHER = '2fc0579f-8113-47ea-b116-bb5a8db9202a';

const custom = (overrides: Partial<AuthenticationStrength>): AuthenticationStrength => ({
  id: '7d718ef4-5493-4313-a52c-7401b7df3a9c',
  displayName: 'YubiKeys only',
  description: '',
  policyType: 'custom',
  requirementsSatisfied: 'mfa',
  allowedCombinations: ['fido2'],
  combinationConfigurations: [],
  createdDateTime: '2030-01-01T00:00:00.000Z',
  modifiedDateTime: '2030-01-01T00:00:00.000Z',
  ...overrides,
});

const onlyYubiKey = [{ id: 'c1', appliesToCombinations: ['fido2'] as ['fido2'], allowedAAGUIDs: [YUBIKEY] }];

describe('satisfiesStrength', () => {
  it.each([
    ['a built-in strength, any model', builtInStrength('00000000-0000-0000-0000-000000000004')!, OTHER],
    ['fido2 without a configuration, any model', custom({}), OTHER],
    ['an allowed AAGUID', custom({ combinationConfigurations: onlyYubiKey }), YUBIKEY],
    ['an allowed AAGUID in another case', custom({ combinationConfigurations: onlyYubiKey }), YUBIKEY.toUpperCase()],
    [
      'fido2 among other combinations',
      custom({ allowedCombinations: ['password,sms', 'fido2'], combinationConfigurations: onlyYubiKey }),
      YUBIKEY,
    ],
  ])('allows %s', (_title, strength, aaGuid) => {
    expect(satisfiesStrength(strength, { aaGuid })).toEqual({ satisfied: true });
  });

  it.each([
    ['another model', custom({ combinationConfigurations: onlyYubiKey }), OTHER, 'aaguidNotAllowed'],
    ['a strength without fido2', custom({ allowedCombinations: ['password,sms'] }), YUBIKEY, 'fido2NotAllowed'],
    [
      'fido2 only together with another factor',
      custom({ allowedCombinations: ['x509CertificateSingleFactor,fido2'] }),
      YUBIKEY,
      'fido2NotAllowed',
    ],
  ])('refuses %s', (_title, strength, aaGuid, reason) => {
    const verdict = satisfiesStrength(strength, { aaGuid });
    expect(verdict).toMatchObject({ satisfied: false, reason });
    if (!verdict.satisfied) expect(verdict.message).toContain(`'YubiKeys only'`);
  });
});
