import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
// Import the class module, not the barrel: the barrel also loads the test CA (@peculiar/x509).
import { SoftAuthenticator } from '../authenticators/soft/softAuthenticator';
import {
  toGraphCredential,
  type CredentialMaker,
  type CredentialRequest,
  type GraphPublicKeyCredential,
} from './credential';
import type { SoftAttestationOption } from './options';

/**
 * The built-in software authenticator, for demos and tests. Every user gets a fresh authenticator
 * (a real station hands each user their own key), so no key material is shared between users.
 */
export class SoftCredentialMaker implements CredentialMaker {
  readonly kind = 'soft' as const;

  constructor(private readonly model: { aaguid: string; attestation: SoftAttestationOption }) {}

  async create(
    publicKey: PublicKeyCredentialCreationOptionsJSON,
    request: CredentialRequest,
  ): Promise<GraphPublicKeyCredential> {
    const authenticator = new SoftAuthenticator({ aaguid: this.model.aaguid, attestation: this.model.attestation });
    return toGraphCredential(await authenticator.createCredential(publicKey, { origin: request.origin }));
  }
}
