import { defaultFido2Policy, Fido2KeyRestrictions } from './fido2Policy';
import {
  MICROSOFT_AUTHENTICATOR_AAGUIDS as MS,
  withMicrosoftAuthenticatorAaguids,
} from './microsoftAuthenticatorAaguids';

const YUBIKEY = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
const policyWith = (keyRestrictions: Fido2KeyRestrictions) => ({ ...defaultFido2Policy(), keyRestrictions });

describe('withMicrosoftAuthenticatorAaguids: the addMicrosoftAuthenticatorAaguids flag', () => {
  it.each<[string, 'allow' | 'block', string[], boolean, string[]]>([
    ['true adds both to an allow list', 'allow', [YUBIKEY], true, [YUBIKEY, MS.iOS, MS.android]],
    [
      'true keeps one entry each when already listed',
      'allow',
      [MS.iOS.toUpperCase(), YUBIKEY],
      true,
      [YUBIKEY, MS.iOS, MS.android],
    ],
    ['false removes both from an allow list', 'allow', [MS.android, YUBIKEY, MS.iOS], false, [YUBIKEY]],
    ['true takes them off a block list', 'block', [MS.iOS, YUBIKEY], true, [YUBIKEY]],
    ['false adds them to a block list', 'block', [YUBIKEY], false, [YUBIKEY, MS.iOS, MS.android]],
  ])('%s', (_name, enforcementType, aaGuids, flag, expected) => {
    const next = withMicrosoftAuthenticatorAaguids(policyWith({ isEnforced: true, enforcementType, aaGuids }), flag);
    expect(next.keyRestrictions).toEqual({ isEnforced: true, enforcementType, aaGuids: expected });
    // The default passkey profile mirrors the legacy key restrictions, as for any keyRestrictions PATCH.
    expect(next.passkeyProfiles[0].keyRestrictions).toEqual(next.keyRestrictions);
  });
});
