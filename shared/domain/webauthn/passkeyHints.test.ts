import type { PasskeyType } from '../policy/fido2Policy';
import { PasskeyHint, passkeyHintsFor } from './passkeyHints';

const profile = (...passkeyTypes: PasskeyType[]) => ({ passkeyTypes });

describe('passkeyHintsFor: creation hints follow the passkey types the policy allows', () => {
  it.each<[string, Array<{ passkeyTypes: PasskeyType[] }>, PasskeyHint[]]>([
    ['one profile, device-bound only', [profile('deviceBound')], ['security-key']],
    ['two profiles, both device-bound only', [profile('deviceBound'), profile('deviceBound')], ['security-key']],
    ['one profile, device-bound and synced', [profile('deviceBound', 'synced')], ['client-device', 'hybrid']],
    ['one profile, synced only', [profile('synced')], ['client-device', 'hybrid']],
    [
      'any profile that allows synced (one accepting profile is enough at verify)',
      [profile('deviceBound'), profile('synced')],
      ['client-device', 'hybrid'],
    ],
    ['no profile applies (nothing to steer by)', [], ['client-device', 'hybrid']],
    ['a profile with no types (malformed: do not steer)', [profile()], ['client-device', 'hybrid']],
  ])('%s', (_title, profiles, hints) => {
    expect(passkeyHintsFor(profiles)).toEqual(hints);
  });
});
