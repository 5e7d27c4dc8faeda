import { verifyMDSBlob } from '@simplewebauthn/server/helpers';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { TrustMetadataEntry } from '../../domain/webauthn/attestationTrust';
import type { CachedMetadataEntry } from '../../ports/metadataCache.port';

/** One authenticator model from the FIDO metadata: what trust and display names need. */
export interface MetadataEntry extends TrustMetadataEntry {
  description?: string;
  /** attestationRootCertificates of the statement, parsed (unparsable ones are left out). */
  roots: X509Certificate[];
}

// Only the members we read are checked; the rest of a statement passes through untouched.
const statusReport = z.looseObject({ status: z.string(), effectiveDate: z.string().optional() });
const statement = z.looseObject({
  aaguid: z.string().optional(),
  attestationCertificateKeyIdentifiers: z.array(z.string()).optional(),
  attestationRootCertificates: z.array(z.string()).default([]),
  description: z.string().optional(),
});
const entry = z.looseObject({
  aaguid: z.string().optional(),
  attestationCertificateKeyIdentifiers: z.array(z.string()).optional(),
  metadataStatement: statement.optional(),
  statusReports: z.array(statusReport).default([]),
});
type Statement = z.infer<typeof statement>;
type Entry = z.infer<typeof entry>;

function parseRoots(base64: string[]): X509Certificate[] {
  return base64.flatMap((b64) => {
    try {
      return [new X509Certificate(Buffer.from(b64, 'base64'))];
    } catch {
      return [];
    }
  });
}

function toEntry(s: Statement, e?: Entry): MetadataEntry {
  // MDS repeats the identifiers on the entry and in its statement.
  const keyIds = new Set(
    [...(e?.attestationCertificateKeyIdentifiers ?? []), ...(s.attestationCertificateKeyIdentifiers ?? [])].map((k) =>
      k.toLowerCase(),
    ),
  );
  return {
    aaguid: (e?.aaguid ?? s.aaguid)?.toLowerCase(),
    attestationCertificateKeyIdentifiers: [...keyIds],
    statusReports: e?.statusReports ?? [],
    description: s.description,
    roots: parseRoots(s.attestationRootCertificates),
  };
}

const metadataFile = z.union([
  z.array(statement).transform((statements) => statements.map((s) => toEntry(s))),
  z.looseObject({ statements: z.array(statement) }).transform((file) => file.statements.map((s) => toEntry(s))),
  z
    .looseObject({ entries: z.array(entry) })
    .transform((file) => file.entries.flatMap((e) => (e.metadataStatement ? [toEntry(e.metadataStatement, e)] : []))),
]);

/**
 * The entries of a verified MDS3 payload reduced to what trust and display names read (identifiers,
 * status reports, description, attestation roots), as the metadata cache keeps them. Entries without
 * a statement are left out, as {@link loadMetadata} leaves them out.
 */
export function reduceMetadataEntries(entries: readonly unknown[]): CachedMetadataEntry[] {
  return entries.flatMap((raw) => {
    const parsed = entry.safeParse(raw);
    if (!parsed.success || !parsed.data.metadataStatement) return [];
    const { aaguid, attestationCertificateKeyIdentifiers, statusReports, metadataStatement: s } = parsed.data;
    return [
      {
        ...(aaguid === undefined ? {} : { aaguid }),
        ...(attestationCertificateKeyIdentifiers === undefined ? {} : { attestationCertificateKeyIdentifiers }),
        statusReports: statusReports.map((r) => ({
          status: r.status,
          ...(r.effectiveDate === undefined ? {} : { effectiveDate: r.effectiveDate }),
        })),
        metadataStatement: {
          ...(s.aaguid === undefined ? {} : { aaguid: s.aaguid }),
          ...(s.attestationCertificateKeyIdentifiers === undefined
            ? {}
            : { attestationCertificateKeyIdentifiers: s.attestationCertificateKeyIdentifiers }),
          ...(s.description === undefined ? {} : { description: s.description }),
          attestationRootCertificates: s.attestationRootCertificates,
        },
      },
    ];
  });
}

/** The cached entries as the trust decision reads them (roots parsed; unparsable ones left out). */
export function toMetadataEntries(entries: readonly CachedMetadataEntry[]): MetadataEntry[] {
  return entries.map((e) => toEntry(statement.parse(e.metadataStatement), entry.parse(e)));
}

/**
 * Reads the FIDO metadata a deployment provides (FIDO_MDS_PATH): an MDS3 JWT blob (verified against
 * the FIDO Alliance root that SimpleWebAuthn ships), an MDS payload `{entries: [...]}` (status
 * reports included), a `{statements: [...]}` object or a plain array of metadata statements.
 * Nothing is fetched. Entries without a statement (no roots to trust) are left out.
 */
export async function loadMetadata(path: string | undefined): Promise<MetadataEntry[]> {
  if (!path) return [];
  const text = readFileSync(path, 'utf8').trim();
  const raw: unknown = /^[\w-]+\.[\w-]+\.[\w-]+$/.test(text) ? (await verifyMDSBlob(text)).payload : JSON.parse(text);
  const parsed = metadataFile.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `FIDO_MDS_PATH ${path}: expected an MDS3 JWT blob, {entries}, {statements} or an array of metadata statements (${parsed.error.issues[0]?.message ?? 'invalid'}).`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}
