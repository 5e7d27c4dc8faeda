import { SettingsService } from '@simplewebauthn/server';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { MetadataBlobVerifier, VerifiedMetadataBlob } from '../../ports/metadataCache.port';
import { verifyCertificateChain } from './certificateChain';
import { reduceMetadataEntries } from './metadataStatements';

/** JWS algorithms FIDO MDS3 signs with (§3.1.7: ES256 or RS256 today; the rest of the same families). */
const MDS_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

const payloadSchema = z.looseObject({
  no: z.number().int().nonnegative(),
  nextUpdate: z.string(),
  entries: z.array(z.unknown()),
});

/**
 * The roots an MDS3 blob's x5c chain must end in (FIDO_MDS_ROOT_CERT): a PEM file (or one DER
 * certificate file), inline PEM, or base64 DER; by default the FIDO Alliance roots SimpleWebAuthn
 * ships (GlobalSign Root CA - R3 and R46). A setting that holds no certificate stops the start.
 */
export function loadMdsRoots(setting: string | undefined): X509Certificate[] {
  const problem = (detail: string, cause?: unknown) =>
    new Error(`FIDO_MDS_ROOT_CERT: ${detail} (expected a PEM file path, inline PEM or base64 DER).`, { cause });
  if (!setting)
    return SettingsService.getRootCertificates({ identifier: 'mds' }).map((pem) => new X509Certificate(pem));
  const value = setting.trim();
  const fromFile = !value.startsWith('-----BEGIN') && existsSync(value);
  const bytes = fromFile ? readFileSync(value) : undefined;
  const text = bytes ? bytes.toString('latin1') : value;
  try {
    const blocks = text.match(PEM_BLOCK);
    if (blocks) return blocks.map((pem) => new X509Certificate(pem));
    if (bytes) return [new X509Certificate(bytes)];
    if (/^[A-Za-z0-9+/=\s]+$/.test(value)) return [new X509Certificate(Buffer.from(value, 'base64'))];
  } catch (e) {
    throw problem(`${fromFile ? value : 'the value'} holds something that is not an X.509 certificate`, e);
  }
  throw problem(fromFile ? `${value} holds no certificate` : 'neither an existing file nor a certificate');
}

/** The x5c header member: base64 DER certificates, leaf first. */
function headerCertificates(jwt: string): Buffer[] {
  let x5c: unknown;
  try {
    x5c = decodeProtectedHeader(jwt).x5c;
  } catch (e) {
    throw new Error('The MDS blob is not a JWS (expected header.payload.signature in compact form).', { cause: e });
  }
  if (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((c): c is string => typeof c === 'string'))
    throw new Error('The MDS blob header has no x5c certificate chain.');
  return x5c.map((c) => Buffer.from(c, 'base64'));
}

/**
 * Verifies an MDS3 blob as FIDO MDS3 §3.1.7 asks, offline: the x5c chain ends in a configured root
 * and every certificate on it is valid now (node:crypto, as attestation chains are checked), and the
 * JWS signature verifies with the leaf's key (jose, algorithms of MDS3 only). Revocation lists are
 * not fetched: nothing leaves the process but the one pinned download of the blob itself.
 */
export class MdsBlobVerifier implements MetadataBlobVerifier {
  constructor(private readonly roots: readonly X509Certificate[]) {}

  async verify(jwt: string, now: Date): Promise<VerifiedMetadataBlob> {
    const chain = headerCertificates(jwt);
    const verdict = verifyCertificateChain(chain, this.roots, now);
    if (verdict === 'untrusted')
      throw new Error('The MDS blob certificate chain (x5c) does not end in the configured root (FIDO_MDS_ROOT_CERT).');
    if (verdict === 'expired')
      throw new Error(
        `The MDS blob certificate chain (x5c) has a certificate outside its validity period at ${now.toISOString()}.`,
      );
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(jwt, new X509Certificate(chain[0]).publicKey, { algorithms: MDS_ALGORITHMS }));
    } catch (e) {
      throw new Error(
        `The MDS blob signature does not verify with its x5c leaf certificate (${e instanceof Error ? e.message : String(e)}).`,
        { cause: e },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(payload).toString('utf8'));
    } catch (e) {
      throw new Error('The MDS blob payload is not JSON.', { cause: e });
    }
    const parsed = payloadSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `The MDS blob payload is not an MDS3 payload: ${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'} (expected {no, nextUpdate, entries}).`,
        { cause: parsed.error },
      );
    }
    return {
      no: parsed.data.no,
      nextUpdate: parsed.data.nextUpdate,
      entries: reduceMetadataEntries(parsed.data.entries),
    };
  }
}
