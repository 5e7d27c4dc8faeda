import {
  CachedMetadata,
  MetadataCache,
  MetadataWriteResult,
  VersionedMetadata,
} from '../../shared/ports/metadataCache.port';
import { contentEtag, parseMetadata, serializeMetadata } from '../../shared/adapters/storage/metadataDocument';

/** The metadata cache in memory: tests of the refresh rules only (nothing survives the process). */
export class MemoryMetadataCache implements MetadataCache {
  readonly location = 'memory';
  private stored: Buffer | undefined;

  async read(): Promise<VersionedMetadata | null> {
    return this.stored ? { etag: contentEtag(this.stored), ...parseMetadata(this.stored) } : null;
  }

  async etag(): Promise<string | null> {
    return this.stored ? contentEtag(this.stored) : null;
  }

  async write(metadata: CachedMetadata, ifMatch: string | null): Promise<MetadataWriteResult> {
    const current = this.stored ? contentEtag(this.stored) : null;
    if (current !== ifMatch) return { written: false, reason: 'conflict' };
    this.stored = serializeMetadata(metadata);
    return { written: true, etag: contentEtag(this.stored) };
  }

  /** Puts bytes in place as they are (a damaged copy, in tests). */
  putRaw(bytes: Buffer): void {
    this.stored = bytes;
  }
}
