import type { TokenCredential } from '@azure/core-auth';
import { BlobServiceClient, BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import { CachedMetadata, MetadataCache, MetadataWriteResult, VersionedMetadata } from '../../ports/metadataCache.port';
import { METADATA_BLOB, METADATA_CONTAINER, parseMetadata, serializeMetadata } from './metadataDocument';
import { storageCodeOf as codeOf, storageStatusOf as statusOf } from './storageErrors';

/** How the cache reaches Blob Storage: a connection string (Azurite, keys), or an account URL and an identity. */
export type BlobMetadataCacheOptions =
  { connectionString: string } | { accountUrl: string; credential: TokenCredential };

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  if (stream) for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

/**
 * The metadata cache in Azure Storage: the blob `fido-metadata/mds3-verified.json` of the app's
 * storage account (AzureWebJobsStorage; Azurite locally). Writes carry the ETag read before
 * (If-Match), or If-None-Match: * for the first copy, so concurrent refreshes never overwrite a newer copy.
 */
export class BlobMetadataCache implements MetadataCache {
  readonly location: string;
  private readonly container: ContainerClient;
  private readonly blob: BlockBlobClient;

  constructor(options: BlobMetadataCacheOptions) {
    const service =
      'connectionString' in options
        ? BlobServiceClient.fromConnectionString(options.connectionString)
        : new BlobServiceClient(options.accountUrl, options.credential);
    this.container = service.getContainerClient(METADATA_CONTAINER);
    this.blob = this.container.getBlockBlobClient(METADATA_BLOB);
    // The URL names the account and the blob, never a key.
    this.location = this.blob.url;
  }

  async read(): Promise<VersionedMetadata | null> {
    try {
      const response = await this.blob.download(0);
      const bytes = await readAll(response.readableStreamBody);
      return { etag: response.etag ?? '', ...parseMetadata(bytes) };
    } catch (e) {
      if (statusOf(e) === 404) return null;
      throw e;
    }
  }

  async etag(): Promise<string | null> {
    try {
      return (await this.blob.getProperties()).etag ?? null;
    } catch (e) {
      if (statusOf(e) === 404) return null;
      throw e;
    }
  }

  async write(metadata: CachedMetadata, ifMatch: string | null): Promise<MetadataWriteResult> {
    const bytes = serializeMetadata(metadata);
    const upload = () =>
      this.blob.upload(bytes, bytes.length, {
        conditions: ifMatch === null ? { ifNoneMatch: '*' } : { ifMatch },
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
    try {
      return { written: true, etag: (await upload()).etag ?? '' };
    } catch (e) {
      if (statusOf(e) === 412 || (statusOf(e) === 409 && codeOf(e) === 'BlobAlreadyExists'))
        return { written: false, reason: 'conflict' };
      // The template declares the container; a fresh Azurite has none yet.
      if (codeOf(e) !== 'ContainerNotFound') throw e;
    }
    await this.container.createIfNotExists();
    try {
      return { written: true, etag: (await upload()).etag ?? '' };
    } catch (e) {
      if (statusOf(e) === 412 || statusOf(e) === 409) return { written: false, reason: 'conflict' };
      throw e;
    }
  }
}
