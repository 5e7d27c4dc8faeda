import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CachedMetadata, MetadataCache, MetadataWriteResult, VersionedMetadata } from '../../ports/metadataCache.port';
import { contentEtag, METADATA_BLOB, METADATA_CONTAINER, parseMetadata, serializeMetadata } from './metadataDocument';

function readIfPresent(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * The metadata cache as a file under DATA_DIR (`fido-metadata/mds3-verified.json`), when no Blob
 * Storage is configured: one machine's instances share it. The version is the content's hash; the
 * new copy is written beside and renamed into place, so a reader never sees half a document.
 */
export class FileMetadataCache implements MetadataCache {
  readonly location: string;

  constructor(dataDir: string) {
    this.location = join(dataDir, METADATA_CONTAINER, METADATA_BLOB);
  }

  async read(): Promise<VersionedMetadata | null> {
    const bytes = readIfPresent(this.location);
    return bytes ? { etag: contentEtag(bytes), ...parseMetadata(bytes) } : null;
  }

  async etag(): Promise<string | null> {
    const bytes = readIfPresent(this.location);
    return bytes ? contentEtag(bytes) : null;
  }

  async write(metadata: CachedMetadata, ifMatch: string | null): Promise<MetadataWriteResult> {
    const current = readIfPresent(this.location);
    if ((current ? contentEtag(current) : null) !== ifMatch) return { written: false, reason: 'conflict' };
    const bytes = serializeMetadata(metadata);
    mkdirSync(dirname(this.location), { recursive: true });
    const temporary = `${this.location}.${process.pid}.tmp`;
    writeFileSync(temporary, bytes);
    renameSync(temporary, this.location);
    return { written: true, etag: contentEtag(bytes) };
  }
}
