/**
 * Azurite's well-known development account (the one `UseDevelopmentStorage=true` names): a public,
 * documented name and key that only ever open a local emulator.
 * https://learn.microsoft.com/azure/storage/common/storage-use-azurite#well-known-storage-account-and-key
 */
export const DEVELOPMENT_ACCOUNT = {
  name: 'devstoreaccount1',
  key: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
} as const;

/**
 * The connection string of the development account on these ports. `UseDevelopmentStorage=true`
 * means the default ports (10000 Blob, 10001 Queue) only, so other ports are spelled out.
 */
export function developmentConnectionString(
  ports: { blobPort: number; queuePort: number },
  host = '127.0.0.1',
): string {
  const { name, key } = DEVELOPMENT_ACCOUNT;
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${name}`,
    `AccountKey=${key}`,
    `BlobEndpoint=http://${host}:${ports.blobPort}/${name}`,
    `QueueEndpoint=http://${host}:${ports.queuePort}/${name}`,
  ].join(';');
}
