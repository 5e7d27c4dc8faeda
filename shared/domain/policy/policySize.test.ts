import { DomainError } from '../errors';
import { defaultFido2Policy, Fido2Policy, PasskeyProfile } from './fido2Policy';
import { assertPolicyWithinLimits, MAX_POLICY_BYTES, policySizeInBytes } from './policySize';

const profile = (n: number, aaGuids: string[] = []): PasskeyProfile => ({
  ...defaultFido2Policy().passkeyProfiles[0],
  id: `bbbbbbbb-0000-4000-8000-00000000000${n}`,
  name: `Profile ${n}`,
  keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids },
});
const guids = (count: number) =>
  Array.from({ length: count }, (_, i) => `cccccccc-0000-4000-8000-${String(i).padStart(12, '0')}`);
const withProfiles = (passkeyProfiles: PasskeyProfile[]): Fido2Policy => ({ ...defaultFido2Policy(), passkeyProfiles });

describe('assertPolicyWithinLimits: at most 3 passkey profiles and 20 KB, as Entra', () => {
  it.each<[string, Fido2Policy, RegExp | null]>([
    ['the default policy', defaultFido2Policy(), null],
    ['three profiles', withProfiles([profile(1), profile(2), profile(3)]), null],
    [
      'four profiles',
      withProfiles([profile(1), profile(2), profile(3), profile(4)]),
      /has 4 profiles; expected at most 3/,
    ],
    ['about 12 KB of AAGUIDs', withProfiles([profile(1, guids(300))]), null],
    [
      'past 20 KB of AAGUIDs',
      withProfiles([profile(1, guids(300)), profile(2, guids(300))]),
      /bytes; expected at most 20480 bytes \(20 KB\)/,
    ],
  ])('%s', (_name, policy, refusal) => {
    if (refusal === null) {
      expect(() => assertPolicyWithinLimits(policy)).not.toThrow();
      expect(policySizeInBytes(policy)).toBeLessThanOrEqual(MAX_POLICY_BYTES);
    } else {
      expect(() => assertPolicyWithinLimits(policy)).toThrow(DomainError);
      expect(() => assertPolicyWithinLimits(policy)).toThrow(refusal);
    }
  });
});
