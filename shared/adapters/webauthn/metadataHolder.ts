import type { CachedMetadata, MetadataStatementsTarget } from '../../ports/metadataCache.port';
import { MetadataEntry, toMetadataEntries } from './metadataStatements';

/** Where the attestation trust decision reads the statements in use. */
export interface MetadataSource {
  /** The statements in use once the start-up read of the cache is done (it never downloads). */
  current(): Promise<readonly MetadataEntry[]>;
}

/**
 * The statements in use: FIDO_MDS_PATH's (the seed) until the cached MDS copy is read, then that
 * copy, replaced in memory after each refresh.
 */
export class MetadataHolder implements MetadataSource, MetadataStatementsTarget {
  private entries: readonly MetadataEntry[];
  private load: () => Promise<unknown> = async () => undefined;
  private loaded: Promise<unknown> | undefined;
  private onRead: () => void = () => undefined;

  constructor(seed: readonly MetadataEntry[]) {
    this.entries = seed;
  }

  /**
   * `load` (the read of the cached copy) runs on the first use, which waits for it whatever its
   * outcome — not at start: the storage SDK and the read stay off the cold start, and sign-in never
   * reads metadata. Every later use calls `onRead` (the cheap recheck of the cache).
   */
  follow(load: () => Promise<unknown>, onRead: () => void): void {
    this.load = load;
    this.onRead = onRead;
  }

  async current(): Promise<readonly MetadataEntry[]> {
    if (this.loaded) this.onRead();
    else this.loaded = this.load().catch(() => undefined);
    await this.loaded;
    return this.entries;
  }

  replace(metadata: CachedMetadata): void {
    this.entries = toMetadataEntries(metadata.entries);
  }
}
