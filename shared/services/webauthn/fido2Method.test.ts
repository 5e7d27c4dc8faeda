import { StoredCredential } from '../../ports/credentials.port';
import { toFido2Method } from './fido2Method';

const stored: StoredCredential = {
  id: 'cred-1',
  userId: 'u1',
  displayName: 'YubiKey',
  publicKey: 'secret-ish public key bytes',
  signCount: 7,
  transports: ['usb'],
  aaGuid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8',
  model: 'YubiKey 5 Series',
  attestationLevel: 'attested',
  attestationCertificates: ['MIIB...'],
  attestationFormat: 'packed',
  backupEligible: false,
  backedUp: false,
  createdDateTime: '2026-12-02T10:00:00.000Z',
  lastUsedDateTime: '2026-12-02T11:00:00.000Z',
  cloneWarningDateTime: null,
  reEnrolmentRequired: true,
};

describe("toFido2Method: a stored credential in Graph's fido2AuthenticationMethod shape", () => {
  it('shows the Graph properties, the passkey type and the re-enrolment flag', () => {
    expect(toFido2Method(stored)).toEqual({
      '@odata.type': '#microsoft.graph.fido2AuthenticationMethod',
      id: 'cred-1',
      displayName: 'YubiKey',
      createdDateTime: '2026-12-02T10:00:00.000Z',
      aaGuid: stored.aaGuid,
      model: 'YubiKey 5 Series',
      attestationCertificates: ['MIIB...'],
      attestationLevel: 'attested',
      passkeyType: 'deviceBound',
      lastUsedDateTime: '2026-12-02T11:00:00.000Z',
      reEnrolmentRequired: true,
    });
  });

  it('never shows the public key, sign count, owner or clone warning', () => {
    const shown = Object.keys(toFido2Method({ ...stored, backupEligible: true }));
    for (const hidden of [
      'publicKey',
      'signCount',
      'userId',
      'cloneWarningDateTime',
      'transports',
      'attestationFormat',
    ])
      expect(shown).not.toContain(hidden);
    expect(toFido2Method({ ...stored, backupEligible: true }).passkeyType).toBe('synced');
  });
});
