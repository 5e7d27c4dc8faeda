import { normalizeAllowedCombinations, requirementsSatisfiedBy } from './allowedCombinations';

describe('normalizeAllowedCombinations', () => {
  it.each([
    [['fido2'], ['fido2']],
    [['password, sms'], ['password,sms']],
    [
      [' fido2 ', 'password,voice'],
      ['fido2', 'password,voice'],
    ],
    [
      ['password,sms', 'sms, password', 'fido2'],
      ['password,sms', 'fido2'],
    ],
    [['x509CertificateSingleFactor, fido2'], ['x509CertificateSingleFactor,fido2']],
  ])('accepts %j as %j', (input, expected) => {
    expect(normalizeAllowedCombinations(input)).toEqual({ ok: true, combinations: expected });
  });

  it.each([
    [[], /empty/],
    [['passkey'], /unknown authentication method modes \('passkey'\)/],
    [['fido2', 'password,magic'], /'password,magic'.*'magic'/],
    [['fido2,fido2'], /names a mode twice/],
    [[''], /unknown/],
  ])('refuses %j', (input, message) => {
    const result = normalizeAllowedCombinations(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe('requirementsSatisfiedBy', () => {
  it.each([
    [['fido2'], 'mfa'],
    [['fido2', 'password,sms'], 'mfa'],
    [['fido2', 'password'], 'none'],
    [['sms'], 'none'],
    [[], 'none'],
  ] as const)('%j → %s', (combinations, expected) => {
    expect(requirementsSatisfiedBy(combinations)).toBe(expected);
  });
});
