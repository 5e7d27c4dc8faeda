import type { TokenCredential } from '@azure/core-auth';

/**
 * The package is named through a variable so that TypeScript does not resolve it at build time: the
 * keyless (identity) mode needs it at run time only, and the embedded runtime never loads it.
 */
const IDENTITY_PACKAGE: string = '@azure/identity';

type IdentityModule = { DefaultAzureCredential: new () => TokenCredential };

/**
 * `DefaultAzureCredential` of `@azure/identity`: on Azure the Function App's managed identity, on a
 * developer's machine `az login` and the like. Used for Cosmos DB and Service Bus when their settings
 * name an endpoint and no key (infra/main.bicep deploys that way).
 */
export async function defaultAzureCredential(
  load: (name: string) => Promise<unknown> = (name) => import(name),
): Promise<TokenCredential> {
  let identity: IdentityModule;
  try {
    identity = (await load(IDENTITY_PACKAGE)) as IdentityModule;
  } catch (cause) {
    throw new Error(
      `Connecting without a key (managed identity) needs the package ${IDENTITY_PACKAGE}: run \`npm install ${IDENTITY_PACKAGE}\`, or set a connection string or key instead.`,
      { cause },
    );
  }
  return new identity.DefaultAzureCredential();
}
