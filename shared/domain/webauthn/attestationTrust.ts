/**
 * "Attested" is a positive trust decision (DESIGN §7, issue 8 §1): the attestation's certificate
 * chain ends in a root listed by the FIDO metadata statement that belongs to this authenticator
 * (matched by AAGUID; for fido-u2f by attestation certificate key identifier), or in a root the
 * deployment configured on purpose. A chain that merely verifies (a homemade certificate, an
 * unknown root, a format for which no roots are known) is not attested. This module holds the rule;
 * the adapter gathers the facts (signatures, chains, certificate extensions) it judges.
 */

/** Outcome of checking an x5c chain against one set of trust anchors. */
export type ChainVerdict = 'verified' | 'expired' | 'untrusted';

/** The AAGUID certificate extension (id-fido-gen-ce-aaguid, 1.3.6.1.4.1.45724.1.1.4) of the leaf. */
export type CertificateAaguid = { kind: 'absent' } | { kind: 'present'; aaguid: string } | { kind: 'malformed' };

/** MDS3 status report (only the members the rule reads). */
export interface StatusReport {
  status: string;
  effectiveDate?: string;
}

/** The part of a FIDO metadata entry that trust depends on. */
export interface TrustMetadataEntry {
  aaguid?: string;
  /** Lower-case hex SHA-1 of the attestation leaf's subjectPublicKey (how MDS identifies U2F models). */
  attestationCertificateKeyIdentifiers?: string[];
  statusReports: StatusReport[];
}

/** What the adapter established about one attestation statement. */
export interface AttestationEvidence {
  /** The statement's signature and structure verified (SimpleWebAuthn's format checks passed). */
  statementVerified: boolean;
  /** Certificates in x5c; 0 for none and self attestation. */
  certificateCount: number;
  /** AAGUID from authenticator data (self-reported), canonical lower case. */
  authDataAaguid: string;
  certificateAaguid: CertificateAaguid;
  /** The metadata entry matched for this authenticator, with the chain verdict against its roots. */
  metadata?: { latestStatus?: string; chain: ChainVerdict };
  /** Chain verdict against the deployment's configured roots; absent when none are configured. */
  configuredChain?: ChainVerdict;
}

/** Why an attestation was, or was not, trusted. */
export type AttestationTrustReason =
  | 'metadataRoot'
  | 'configuredRoot'
  | 'noCertificateChain'
  | 'statementNotVerified'
  | 'aaguidMismatch'
  | 'compromisedStatus'
  | 'expiredCertificate'
  | 'untrustedRoot';

export interface AttestationTrust {
  attested: boolean;
  reason: AttestationTrustReason;
}

/**
 * Latest MDS status values that withdraw trust from a model's attestation (FIDO MDS3 §3.1.4):
 * the attestation key is revoked or leaked, or user verification / user keys can be bypassed.
 */
export const COMPROMISED_STATUSES: ReadonlySet<string> = new Set([
  'REVOKED',
  'ATTESTATION_KEY_COMPROMISE',
  'USER_VERIFICATION_BYPASS',
  'USER_KEY_REMOTE_COMPROMISE',
  'USER_KEY_PHYSICAL_COMPROMISE',
]);

/**
 * The current status of a model: MDS3 says the latest report reflects it. Reports are ordered by
 * effectiveDate (ISO dates compare as text); without dates, or on a tie, the later one in the list wins.
 */
export function latestStatus(reports: readonly StatusReport[]): string | undefined {
  let latest: StatusReport | undefined;
  for (const report of reports) {
    if (!latest || (report.effectiveDate ?? '') >= (latest.effectiveDate ?? '')) latest = report;
  }
  return latest?.status;
}

/**
 * Finds the metadata entry for an authenticator: by key identifier for fido-u2f (U2F has no AAGUID),
 * by AAGUID for every other format. Never by root alone: a root a statement lists vouches only for
 * the model that statement describes.
 */
export function matchMetadataEntry<E extends TrustMetadataEntry>(
  entries: readonly E[],
  authenticator: { format: string; aaguid: string; keyIdentifier?: string },
): E | undefined {
  if (authenticator.format === 'fido-u2f') {
    const id = authenticator.keyIdentifier?.toLowerCase();
    return id
      ? entries.find((e) => (e.attestationCertificateKeyIdentifiers ?? []).some((k) => k.toLowerCase() === id))
      : undefined;
  }
  const aaguid = authenticator.aaguid.toLowerCase();
  return entries.find((e) => e.aaguid?.toLowerCase() === aaguid);
}

/** Decides whether a registration's attestation is trusted: see the module comment. */
export function decideAttestationTrust(evidence: AttestationEvidence): AttestationTrust {
  const no = (reason: AttestationTrustReason): AttestationTrust => ({ attested: false, reason });
  if (evidence.certificateCount === 0) return no('noCertificateChain');
  if (!evidence.statementVerified) return no('statementNotVerified');
  const { certificateAaguid: cert } = evidence;
  // The certificate vouches for one model; authenticator data claiming another is a lie by one of them.
  if (
    cert.kind === 'malformed' ||
    (cert.kind === 'present' && cert.aaguid.toLowerCase() !== evidence.authDataAaguid.toLowerCase())
  ) {
    return no('aaguidMismatch');
  }
  const { metadata, configuredChain } = evidence;
  // A model the metadata reports as compromised is refused even under a configured root.
  if (metadata?.latestStatus && COMPROMISED_STATUSES.has(metadata.latestStatus)) return no('compromisedStatus');
  if (metadata?.chain === 'verified') return { attested: true, reason: 'metadataRoot' };
  if (configuredChain === 'verified') return { attested: true, reason: 'configuredRoot' };
  if (metadata?.chain === 'expired' || configuredChain === 'expired') return no('expiredCertificate');
  return no('untrustedRoot');
}
