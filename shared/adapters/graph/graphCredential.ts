import type { TokenCredential } from '@azure/core-auth';

/** How the connector signs in to the tenant (settings GRAPH_*). */
export interface GraphSignIn {
  tenantId: string;
  clientId?: string;
  /** GRAPH_CLIENT_SECRET (e.g. a Key Vault reference); never logged. */
  clientSecret?: string;
  /** GRAPH_CLIENT_CERTIFICATE_PATH: a PEM with the private key and certificate. */
  clientCertificatePath?: string;
}

/**
 * The app's Graph credential through @azure/identity: a client secret or certificate when one is
 * set, else DefaultAzureCredential (on Azure the Function App's managed identity: no secret at all).
 * Loaded lazily: the embedded directory never loads @azure/identity.
 */
export async function graphCredential(signIn: GraphSignIn): Promise<TokenCredential> {
  const identity = await import('@azure/identity');
  const { tenantId, clientId, clientSecret, clientCertificatePath } = signIn;
  if (clientId && clientSecret) return new identity.ClientSecretCredential(tenantId, clientId, clientSecret);
  if (clientId && clientCertificatePath)
    return new identity.ClientCertificateCredential(tenantId, clientId, { certificatePath: clientCertificatePath });
  return new identity.DefaultAzureCredential({ tenantId, managedIdentityClientId: clientId });
}
