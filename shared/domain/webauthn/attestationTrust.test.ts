import {
  AttestationEvidence,
  AttestationTrustReason,
  decideAttestationTrust,
  latestStatus,
  matchMetadataEntry,
  TrustMetadataEntry,
} from './attestationTrust';

const AAGUID = '5ca1ab1e-0000-4000-8000-00000000c0de';
const OTHER = '0ddba11a-0000-4000-8000-0000000000ff';

const base: AttestationEvidence = {
  statementVerified: true,
  certificateCount: 1,
  authDataAaguid: AAGUID,
  certificateAaguid: { kind: 'present', aaguid: AAGUID },
};

describe('decideAttestationTrust', () => {
  const cases: Array<[string, Partial<AttestationEvidence>, boolean, AttestationTrustReason]> = [
    ['chain to the matched statement root', { metadata: { chain: 'verified' } }, true, 'metadataRoot'],
    ['chain to a configured root', { configuredChain: 'verified' }, true, 'configuredRoot'],
    [
      'matched statement root, extension absent',
      { certificateAaguid: { kind: 'absent' }, metadata: { chain: 'verified' } },
      true,
      'metadataRoot',
    ],
    [
      'statement root misses, configured root verifies',
      { metadata: { chain: 'untrusted' }, configuredChain: 'verified' },
      true,
      'configuredRoot',
    ],
    [
      'status FIDO_CERTIFIED_L1 keeps trust',
      { metadata: { chain: 'verified', latestStatus: 'FIDO_CERTIFIED_L1' } },
      true,
      'metadataRoot',
    ],
    [
      'attack: none / self attestation (no x5c)',
      { certificateCount: 0, metadata: { chain: 'verified' } },
      false,
      'noCertificateChain',
    ],
    [
      'attack: statement signature or structure did not verify',
      { statementVerified: false, metadata: { chain: 'verified' } },
      false,
      'statementNotVerified',
    ],
    ['attack: no metadata and no configured roots (self-signed, vacuous chain)', {}, false, 'untrustedRoot'],
    [
      'attack: unknown root',
      { metadata: { chain: 'untrusted' }, configuredChain: 'untrusted' },
      false,
      'untrustedRoot',
    ],
    [
      'attack: certificate AAGUID differs from authenticator data',
      { certificateAaguid: { kind: 'present', aaguid: OTHER }, metadata: { chain: 'verified' } },
      false,
      'aaguidMismatch',
    ],
    [
      'attack: malformed AAGUID extension',
      { certificateAaguid: { kind: 'malformed' }, configuredChain: 'verified' },
      false,
      'aaguidMismatch',
    ],
    ...[
      'REVOKED',
      'ATTESTATION_KEY_COMPROMISE',
      'USER_VERIFICATION_BYPASS',
      'USER_KEY_REMOTE_COMPROMISE',
      'USER_KEY_PHYSICAL_COMPROMISE',
    ].map((status): [string, Partial<AttestationEvidence>, boolean, AttestationTrustReason] => [
      `attack: latest status ${status}`,
      { metadata: { chain: 'verified', latestStatus: status }, configuredChain: 'verified' },
      false,
      'compromisedStatus',
    ]),
    ['attack: expired chain to the statement root', { metadata: { chain: 'expired' } }, false, 'expiredCertificate'],
    ['attack: expired chain to a configured root', { configuredChain: 'expired' }, false, 'expiredCertificate'],
  ];

  it.each(cases)('%s', (_name, evidence, attested, reason) => {
    expect(decideAttestationTrust({ ...base, ...evidence })).toEqual({ attested, reason });
  });

  it('compares AAGUIDs case-insensitively', () => {
    expect(
      decideAttestationTrust({ ...base, authDataAaguid: AAGUID.toUpperCase(), metadata: { chain: 'verified' } })
        .attested,
    ).toBe(true);
  });
});

describe('latestStatus', () => {
  it.each([
    ['no reports', [], undefined],
    [
      'the latest effectiveDate wins, whatever the order',
      [
        { status: 'REVOKED', effectiveDate: '2024-05-01' },
        { status: 'FIDO_CERTIFIED', effectiveDate: '2020-01-01' },
      ],
      'REVOKED',
    ],
    [
      'a later recertification lifts an old compromise',
      [
        { status: 'USER_VERIFICATION_BYPASS', effectiveDate: '2021-01-01' },
        { status: 'UPDATE_AVAILABLE', effectiveDate: '2022-01-01' },
      ],
      'UPDATE_AVAILABLE',
    ],
    [
      'without dates the last report wins',
      [{ status: 'FIDO_CERTIFIED' }, { status: 'ATTESTATION_KEY_COMPROMISE' }],
      'ATTESTATION_KEY_COMPROMISE',
    ],
    [
      'same date: the later one in the list wins',
      [
        { status: 'FIDO_CERTIFIED', effectiveDate: '2023-01-01' },
        { status: 'REVOKED', effectiveDate: '2023-01-01' },
      ],
      'REVOKED',
    ],
  ])('%s', (_name, reports, expected) => {
    expect(latestStatus(reports)).toBe(expected);
  });
});

describe('matchMetadataEntry', () => {
  const fido2: TrustMetadataEntry = { aaguid: AAGUID, statusReports: [] };
  const u2f: TrustMetadataEntry = { attestationCertificateKeyIdentifiers: ['ab12cd'], statusReports: [] };
  const entries = [fido2, u2f];

  it.each([
    ['packed by AAGUID', { format: 'packed', aaguid: AAGUID }, fido2],
    ['packed by AAGUID, any case', { format: 'packed', aaguid: AAGUID.toUpperCase() }, fido2],
    ['attack: packed with an AAGUID no statement describes', { format: 'packed', aaguid: OTHER }, undefined],
    [
      'attack: packed never matches by key identifier',
      { format: 'packed', aaguid: OTHER, keyIdentifier: 'ab12cd' },
      undefined,
    ],
    [
      'fido-u2f by key identifier, any case',
      { format: 'fido-u2f', aaguid: '00000000-0000-0000-0000-000000000000', keyIdentifier: 'AB12CD' },
      u2f,
    ],
    ['attack: fido-u2f never matches by AAGUID', { format: 'fido-u2f', aaguid: AAGUID }, undefined],
    [
      'attack: fido-u2f with an unknown key identifier',
      { format: 'fido-u2f', aaguid: AAGUID, keyIdentifier: 'ffff' },
      undefined,
    ],
  ])('%s', (_name, authenticator, expected) => {
    expect(matchMetadataEntry(entries, authenticator)).toBe(expected);
  });
});
