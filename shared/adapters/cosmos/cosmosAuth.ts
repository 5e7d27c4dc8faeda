import type { TokenCredential } from '@azure/core-auth';

/** How the Cosmos client signs in, as CosmosClient's options spell it. */
export type CosmosClientAuth = { key: string } | { aadCredentials: TokenCredential };

/**
 * The account key when one is given, else the Entra credential (managed identity): an account with
 * local auth off, as infra/main.bicep deploys it, accepts only the latter.
 */
export function cosmosAuth(options: { key?: string; credential?: TokenCredential }): CosmosClientAuth {
  if (options.key) return { key: options.key };
  if (options.credential) return { aadCredentials: options.credential };
  throw new Error('Cosmos DB needs COSMOS_KEY or an Entra credential (DefaultAzureCredential); neither was given.');
}
