import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';

/** The `publicKeyCredential` member of Graph's fido2Methods POST and of the job's credential POST. */
export interface GraphPublicKeyCredential {
  /** Credential ID, base64url. */
  id: string;
  response: { clientDataJSON: string; attestationObject: string };
  clientExtensionResults: Record<string, unknown>;
}

/** Who the credential is for, and which origin the "browser" reports in clientDataJSON. */
export interface CredentialRequest {
  userPrincipalName: string;
  origin: string;
}

/** Creates one credential from creation options: a soft authenticator or a real key (fido2-cred). */
export interface CredentialMaker {
  readonly kind: 'soft' | 'fido2-cred';
  create(
    publicKey: PublicKeyCredentialCreationOptionsJSON,
    request: CredentialRequest,
  ): Promise<GraphPublicKeyCredential>;
}

/** Keeps what Graph's `publicKeyCredential` carries from a browser-shaped RegistrationResponseJSON. */
export function toGraphCredential(response: RegistrationResponseJSON): GraphPublicKeyCredential {
  return {
    id: response.id,
    response: {
      clientDataJSON: response.response.clientDataJSON,
      attestationObject: response.response.attestationObject,
    },
    clientExtensionResults: { ...response.clientExtensionResults },
  };
}
