import { BUILT_IN_STRENGTHS, builtInStrength, MAX_CUSTOM_STRENGTHS } from './authenticationStrength';

describe('built-in authentication strengths (Graph ids, names, fido2 allowed)', () => {
  it.each([
    ['00000000-0000-0000-0000-000000000002', 'Multifactor authentication', 17],
    ['00000000-0000-0000-0000-000000000003', 'Passwordless MFA', 4],
    ['00000000-0000-0000-0000-000000000004', 'Phishing resistant MFA', 3],
  ])('%s is %s with %i combinations including fido2, builtIn and mfa', (id, displayName, count) => {
    const strength = builtInStrength(id);
    expect(strength).toMatchObject({ id, displayName, policyType: 'builtIn', requirementsSatisfied: 'mfa' });
    expect(strength?.allowedCombinations).toHaveLength(count);
    expect(strength?.allowedCombinations).toContain('fido2');
    expect(strength?.combinationConfigurations).toEqual([]);
  });

  it.each([
    ['00000000-0000-0000-0000-000000000001', undefined],
    ['00000000-0000-0000-0000-000000000005', undefined],
    ['7d718ef4-5493-4313-a52c-7401b7df3a9c', undefined],
  ])('%s is not built in', (id, expected) => {
    expect(builtInStrength(id)).toBe(expected);
  });

  it('finds a built-in whatever the case of its id, and caps custom strengths at 15 as Entra', () => {
    expect(builtInStrength('00000000-0000-0000-0000-000000000004'.toUpperCase())?.id).toBe(
      '00000000-0000-0000-0000-000000000004',
    );
    expect(BUILT_IN_STRENGTHS).toHaveLength(3);
    expect(MAX_CUSTOM_STRENGTHS).toBe(15);
  });
});
