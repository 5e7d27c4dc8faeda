import { CompactSign } from 'jose';
import type { AttestationCertificate, TestAttestationCa } from '../../cli/authenticators/soft';

/** Who signs a test MDS3 blob: a leaf certificate (and its key) under the tests' own root. */
export type MdsSigner = AttestationCertificate;

/** An MDS3 payload: `entries` as the FIDO Alliance lists them (createMetadataEntry makes one). */
export interface MdsPayload {
  legalHeader?: string;
  no: number;
  nextUpdate: string;
  entries: unknown[];
}

/** A signing certificate for MDS3 blobs issued by `ca` (the tests' own root). */
export function createMdsSigner(ca: TestAttestationCa, options: { notAfter?: Date } = {}): Promise<MdsSigner> {
  return ca.issueAttestationCertificate({
    subject: { CN: 'Contoso Test Metadata Signer', OU: 'Metadata' },
    notAfter: options.notAfter,
  });
}

/** An MDS3 blob: a compact JWS (ES256) with the signer's chain in `x5c`, as mds3.fidoalliance.org serves it. */
export async function signMdsBlob(signer: MdsSigner, payload: MdsPayload): Promise<string> {
  const x5c = [signer.certificate, ...(signer.intermediates ?? [])].map((der) => Buffer.from(der).toString('base64'));
  return new CompactSign(Buffer.from(JSON.stringify({ legalHeader: 'Test-only MDS3 blob.', ...payload })))
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', x5c })
    .sign(signer.privateKey);
}

/** The blob with its payload replaced and the signature kept: what an attacker on the path would serve. */
export function tamperMdsBlob(jwt: string, payload: MdsPayload): string {
  const [header, , signature] = jwt.split('.');
  return [header, Buffer.from(JSON.stringify(payload)).toString('base64url'), signature].join('.');
}
