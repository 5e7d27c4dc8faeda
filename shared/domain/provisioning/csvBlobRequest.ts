import { createHash } from 'node:crypto';
import { parseUsersCsv, UsersCsvError } from './parseUsersCsv';

/** A users CSV of up to 100,000 rows (the job's limit) fits in this. */
export const MAX_CSV_BLOB_BYTES = 16 * 1024 * 1024;

/** The blob that triggered: where it is, its version, and its metadata (options of the job). */
export interface CsvBlob {
  container: string;
  name: string;
  /** The blob's ETag; with the name, the version a job is started for once. */
  etag: string;
  metadata: Record<string, string | undefined>;
  content: Uint8Array;
}

/**
 * The job request a CSV blob stands for, still to be validated with the job request schema: the
 * CSV's users, options from the blob's metadata (`displayName`, `challengeTimeoutInMinutes`,
 * `requestedBy`; names case-insensitive as Azure keeps them), and an idempotency key of the blob's
 * name and ETag, so one upload starts one job however often the trigger fires.
 */
export function csvBlobRequest(
  blob: CsvBlob,
): { ok: true; request: Record<string, unknown> } | { ok: false; reason: string } {
  const path = `${blob.container}/${blob.name}`;
  if (blob.content.byteLength > MAX_CSV_BLOB_BYTES)
    return {
      ok: false,
      reason: `${path} is ${blob.content.byteLength} bytes; a users CSV holds at most ${MAX_CSV_BLOB_BYTES}`,
    };
  let users;
  try {
    users = parseUsersCsv(Buffer.from(blob.content).toString('utf8'), path);
  } catch (e) {
    if (e instanceof UsersCsvError) return { ok: false, reason: e.message };
    throw e;
  }
  if (users.length === 0)
    return {
      ok: false,
      reason: `${path} lists no users: expected a row per user after the header 'userPrincipalName,displayName'`,
    };
  const meta = lowerCaseKeys(blob.metadata);
  const timeout = meta.challengetimeoutinminutes;
  return {
    ok: true,
    request: {
      users: users.map((u) => u.userPrincipalName),
      ...(meta.displayname !== undefined ? { displayName: meta.displayname } : {}),
      // Metadata is text: a whole number becomes one; anything else is left for the schema to name.
      ...(timeout !== undefined
        ? { challengeTimeoutInMinutes: /^\d{1,9}$/.test(timeout) ? Number(timeout) : timeout }
        : {}),
      ...(meta.requestedby !== undefined ? { requestedBy: meta.requestedby } : {}),
      idempotencyKey: blobIdempotencyKey(blob),
    },
  };
}

/** `blob:` and a digest of container, name and ETag: within the key's alphabet whatever the blob is named. */
export function blobIdempotencyKey(blob: Pick<CsvBlob, 'container' | 'name' | 'etag'>): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([blob.container, blob.name, blob.etag]))
    .digest('hex');
  return `blob:${digest}`;
}

function lowerCaseKeys(metadata: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), v]));
}
