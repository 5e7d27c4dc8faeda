/**
 * Which FIDO MDS3 blob may replace the cached one (FIDO Metadata Service 3.0, §3.1.7 "Metadata
 * BLOB object processing rules"): a blob whose `nextUpdate` has passed is stale and is ignored, and
 * its serial number `no` must be greater than the one already processed, so an older blob replayed
 * (a rollback to statements before a revocation) is refused.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** The members of a blob the rule reads. */
export interface MetadataBlobVersion {
  no: number;
  /** YYYY-MM-DD */
  nextUpdate: string;
}

export type MetadataBlobVerdict =
  | { accept: true }
  | { accept: false; reason: 'invalidNextUpdate' | 'expired' | 'rollback' | 'unchanged'; message: string };

/** The start (UTC) of a `nextUpdate` day, or undefined when the text is not a YYYY-MM-DD date. */
export function nextUpdateTime(nextUpdate: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(nextUpdate)) return undefined;
  const time = Date.parse(`${nextUpdate}T00:00:00Z`);
  // Date.parse rolls 2026-02-31 over into March: only a date that prints back the same is real.
  return Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== nextUpdate ? undefined : time;
}

/**
 * Whether a verified blob may replace the cached copy. It is stale once its `nextUpdate` day has
 * ended (UTC) — a new blob was due by then; `unchanged` (the same `no`) is no failure, there is
 * simply nothing to write.
 */
export function judgeMetadataBlob(input: {
  candidate: MetadataBlobVersion;
  cached?: { no: number };
  now: Date;
}): MetadataBlobVerdict {
  const { candidate, cached, now } = input;
  const due = nextUpdateTime(candidate.nextUpdate);
  if (due === undefined)
    return {
      accept: false,
      reason: 'invalidNextUpdate',
      message: `nextUpdate '${candidate.nextUpdate}' is not a date (expected YYYY-MM-DD)`,
    };
  if (now.getTime() >= due + DAY_MS)
    return {
      accept: false,
      reason: 'expired',
      message: `nextUpdate ${candidate.nextUpdate} has passed (now ${now.toISOString()}): the blob is stale`,
    };
  if (cached && candidate.no < cached.no)
    return {
      accept: false,
      reason: 'rollback',
      message: `serial number no=${candidate.no} is lower than the cached no=${cached.no}: an older blob is not taken back`,
    };
  if (cached && candidate.no === cached.no)
    return { accept: false, reason: 'unchanged', message: `serial number no=${candidate.no} is the cached one` };
  return { accept: true };
}

/** A refresh is due at start when there is no cached copy, or its `nextUpdate` day has come. */
export function isMetadataRefreshDue(cached: MetadataBlobVersion | undefined, now: Date): boolean {
  if (!cached) return true;
  const due = nextUpdateTime(cached.nextUpdate);
  return due === undefined || now.getTime() >= due;
}
