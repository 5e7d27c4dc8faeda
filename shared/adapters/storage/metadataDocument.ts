import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CachedMetadata } from '../../ports/metadataCache.port';

/** Where the verified statements are kept in Blob Storage (infra/main.bicep declares the container). */
export const METADATA_CONTAINER = 'fido-metadata';
export const METADATA_BLOB = 'mds3-verified.json';

const entry = z.object({
  aaguid: z.string().optional(),
  attestationCertificateKeyIdentifiers: z.array(z.string()).optional(),
  statusReports: z.array(z.object({ status: z.string(), effectiveDate: z.string().optional() })),
  metadataStatement: z.object({
    aaguid: z.string().optional(),
    attestationCertificateKeyIdentifiers: z.array(z.string()).optional(),
    description: z.string().optional(),
    attestationRootCertificates: z.array(z.string()),
  }),
});

const document = z.object({
  no: z.number().int().nonnegative(),
  nextUpdate: z.string(),
  fetchedDateTime: z.string(),
  sourceUrl: z.string(),
  entries: z.array(entry),
});

/** The cached document as stored (JSON, UTF-8). */
export const serializeMetadata = (metadata: CachedMetadata): Buffer => Buffer.from(JSON.stringify(metadata), 'utf8');

/** Reads a stored document; a damaged one is reported with what is wrong, never taken for statements. */
export function parseMetadata(bytes: Buffer): { metadata: CachedMetadata } | { metadata: null; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { metadata: null, problem: 'the cached copy is not JSON' };
  }
  const parsed = document.safeParse(json);
  if (parsed.success) return { metadata: parsed.data };
  const issue = parsed.error.issues[0];
  return {
    metadata: null,
    problem: `the cached copy is not a verified-metadata document (${issue?.path.join('.') || 'document'}: ${issue?.message ?? 'invalid'})`,
  };
}

/** A content hash as the version of a copy kept without a server that issues ETags (file, memory). */
export const contentEtag = (bytes: Buffer) => `"${createHash('sha256').update(bytes).digest('base64url')}"`;
