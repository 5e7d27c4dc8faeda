/**
 * FIDO metadata kept fresh (issue 13 item 4): the verified MDS3 statements are cached where every
 * instance can read them at start, so no instance downloads the blob on its request path.
 */

/**
 * One metadata entry as cached: the MDS3 entry reduced to the members trust and display names read
 * (identifiers, status reports, the statement's description and attestation roots). Icons and the
 * rest of a statement are left out so an instance reads a small document at start.
 */
export interface CachedMetadataEntry {
  aaguid?: string;
  attestationCertificateKeyIdentifiers?: string[];
  statusReports: Array<{ status: string; effectiveDate?: string }>;
  metadataStatement: {
    aaguid?: string;
    attestationCertificateKeyIdentifiers?: string[];
    description?: string;
    /** Base64 DER, as MDS3 lists them. */
    attestationRootCertificates: string[];
  };
}

/** The verified statements of one MDS3 blob, as the refresh wrote them. */
export interface CachedMetadata {
  /** The blob's serial number (`no`): a refresh never replaces a copy with a lower one. */
  no: number;
  /** The blob's `nextUpdate` (YYYY-MM-DD): a new blob is due then. */
  nextUpdate: string;
  /** When this instance of the service downloaded and verified it (ISO 8601). */
  fetchedDateTime: string;
  /** Where it came from (FIDO_MDS_URL). */
  sourceUrl: string;
  entries: CachedMetadataEntry[];
}

/**
 * A cached copy and the version it was read at (the condition of the next write). A document that
 * is not a cached copy (damaged, another program's) is reported with `metadata: null` and why, so a
 * refresh can still replace it at that version.
 */
export type VersionedMetadata = { etag: string } & ({ metadata: CachedMetadata } | { metadata: null; problem: string });

/** Why a conditional write did not happen. */
export type MetadataWriteResult = { written: true; etag: string } | { written: false; reason: 'conflict' };

/**
 * Where the verified statements are kept: a blob in Azure Storage (`fido-metadata/mds3-verified.json`),
 * or a file under DATA_DIR when no storage is configured. Writes are conditional, so two instances
 * refreshing at once cannot overwrite each other's newer copy.
 */
export interface MetadataCache {
  /** Where the copy lives, for log lines (no secrets). */
  readonly location: string;
  /** The cached copy, or null when there is none yet. */
  read(): Promise<VersionedMetadata | null>;
  /** The version of the cached copy without reading it (cheap: a HEAD), or null when there is none. */
  etag(): Promise<string | null>;
  /**
   * Writes the copy if the cache is still at `ifMatch` (the version read before), or, with
   * `ifMatch: null`, only if there is no copy yet.
   */
  write(metadata: CachedMetadata, ifMatch: string | null): Promise<MetadataWriteResult>;
}

/** The payload of an MDS3 blob whose signature and certificate chain verified. */
export interface VerifiedMetadataBlob {
  no: number;
  nextUpdate: string;
  entries: CachedMetadataEntry[];
}

/** Checks an MDS3 blob (a JWS): its x5c chain ends in the configured root and its signature verifies. */
export interface MetadataBlobVerifier {
  /** Rejects with an Error saying what did not verify. */
  verify(jwt: string, now: Date): Promise<VerifiedMetadataBlob>;
}

/** What the attestation trust decision reads: the statements in use are replaced after a refresh. */
export interface MetadataStatementsTarget {
  replace(metadata: CachedMetadata): void;
}
