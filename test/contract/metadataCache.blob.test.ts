import { BlobServiceClient } from '@azure/storage-blob';
import { BlobMetadataCache } from '../../shared/adapters/storage/metadataCache.blob';
import { METADATA_BLOB, METADATA_CONTAINER } from '../../shared/adapters/storage/metadataDocument';
import { startTestAzurite, type TestAzurite } from '../support/azurite';
import { describeMetadataCacheContract } from './metadataCacheContract';

let azurite: TestAzurite;
beforeAll(async () => {
  azurite = await startTestAzurite();
}, 30_000);
afterAll(() => azurite?.stop());

/** Each test on a fresh account state: the container removed (the adapter creates it on its first write). */
describeMetadataCacheContract('Blob Storage (Azurite)', async () => {
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
    METADATA_CONTAINER,
  );
  await container.deleteIfExists();
  return {
    cache: new BlobMetadataCache({ connectionString: azurite.connectionString }),
    putRaw: async (bytes) => {
      await container.createIfNotExists();
      await container.getBlockBlobClient(METADATA_BLOB).upload(bytes, bytes.length);
    },
  };
});
