import { MetadataStatement } from '@simplewebauthn/server';
import { verifyMDSBlob } from '@simplewebauthn/server/helpers';
import { readFileSync } from 'node:fs';

/**
 * Reads the FIDO metadata a deployment provides (FIDO_MDS_PATH): an MDS3 JWT blob (verified against
 * the FIDO Alliance root that SimpleWebAuthn ships), an MDS payload `{entries: [...]}`, a
 * `{statements: [...]}` object or a plain array of metadata statements. Nothing is fetched.
 */
export async function loadMetadataStatements(path: string | undefined): Promise<MetadataStatement[]> {
  if (!path) return [];
  const text = readFileSync(path, 'utf8').trim();
  if (/^[\w-]+\.[\w-]+\.[\w-]+$/.test(text)) {
    return (await verifyMDSBlob(text)).statements;
  }
  const parsed = JSON.parse(text) as unknown;
  if (Array.isArray(parsed)) return parsed as MetadataStatement[];
  const obj = parsed as { entries?: Array<{ metadataStatement?: MetadataStatement }>; statements?: MetadataStatement[] };
  if (obj.statements) return obj.statements;
  if (obj.entries) return obj.entries.flatMap((e) => (e.metadataStatement ? [e.metadataStatement] : []));
  throw new Error(`FIDO_MDS_PATH ${path}: expected an MDS3 JWT blob, {entries}, {statements} or an array of metadata statements.`);
}
