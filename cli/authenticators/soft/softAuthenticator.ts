import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  AuthenticatorAttachment,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { aaguidToBytes } from './aaguid';
import { encodeAttestationObject, type SoftAttestation } from './attestation';
import { encodeAuthenticatorData, type AuthenticatorFlags } from './authenticatorData';
import { encodeClientDataJSON, type CollectedClientData } from './clientData';
import {
  COSE_ALGORITHM,
  encodeCosePublicKey,
  generateCredentialKeyPair,
  signData,
  type SoftAlgorithm,
} from './credentialKey';
import {
  deserializeCredential,
  serializeCredential,
  type SerializedSoftCredential,
  type SoftCredential,
} from './softCredential';
import type { AttestationCertificate, TestAttestationCa } from './testCa';

/** Construction options of a {@link SoftAuthenticator}, i.e. the authenticator model. */
export interface SoftAuthenticatorOptions {
  /** AAGUID of the model, canonical form. U2F authenticators report the zero AAGUID (fido-u2f requires it). */
  aaguid: string;
  /** Attestation produced at registration, whatever the RP's conveyance preference. Default `none`. */
  attestation?: SoftAttestation;
  /** Credential key algorithm; must be offered in `pubKeyCredParams`. Default `ES256`. */
  algorithm?: SoftAlgorithm;
  /** Issuer of the attestation leaf for `packed-x5c` and `fido-u2f` (issued lazily, once per authenticator). */
  ca?: TestAttestationCa;
  /**
   * A pre-issued attestation leaf for `packed-x5c` / `fido-u2f` (takes precedence over `ca`), e.g. one
   * with a wrong AAGUID, a self-signed one ({@link createSelfSignedAttestationCertificate}) or an expired one.
   */
  attestationCertificate?: AttestationCertificate;
  /** Put the id-fido-gen-ce-aaguid extension into the leaf issued by `ca`. Default `true`, `false` for `fido-u2f`. */
  includeAaguidExtension?: boolean;
  /** AAGUID the leaf issued by `ca` carries in its extension instead of the model's (a mismatch attack). */
  certificateAaguid?: string;
  /** Flags for every ceremony. Default `{ up: true, uv: true, be: false, bs: false }`. */
  flags?: Partial<AuthenticatorFlags>;
  /** Counter value written at registration. Default 0. */
  initialSignCount?: number;
  /** Added to the counter on each assertion. Default 1; use 0 to model an authenticator without a counter. */
  signCountIncrement?: number;
  /** Reported `response.transports`. Default `['usb']`. */
  transports?: string[];
  /** Reported `authenticatorAttachment`. Default `cross-platform`. */
  authenticatorAttachment?: AuthenticatorAttachment;
}

/** Per-ceremony options shared by {@link SoftAuthenticator.createCredential} and {@link SoftAuthenticator.getAssertion}. */
export interface CeremonyOptions {
  /** Origin the "browser" reports in client data, e.g. `http://localhost:7071`. */
  origin: string;
  /** RP ID hashed into authenticator data; defaults to the options' RP ID, else the origin's host name. */
  rpId?: string;
  /** Flag overrides for this ceremony only. */
  flags?: Partial<AuthenticatorFlags>;
  /** Client data members to overwrite to craft bad data, e.g. `{ type: 'webauthn.get' }` or `{ challenge: 'x' }`. */
  clientData?: Partial<CollectedClientData>;
}

/** Options of {@link SoftAuthenticator.createCredential}. */
export interface CreateCredentialOptions extends CeremonyOptions {
  /** Register even when a held credential is listed in `excludeCredentials` (a browser would refuse). */
  ignoreExcludeCredentials?: boolean;
}

/** Options of {@link SoftAuthenticator.getAssertion}. */
export interface GetAssertionOptions extends CeremonyOptions {
  /** Use this held credential (base64url ID) even if `allowCredentials` does not list it. */
  credentialId?: string;
  /** Emit (and remember) exactly this counter value instead of incrementing, e.g. to simulate a clone. */
  signCount?: number;
}

const DEFAULT_FLAGS: AuthenticatorFlags = { up: true, uv: true, be: false, bs: false };

function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

function b64url(data: Uint8Array): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * A software WebAuthn authenticator plus the client (browser) half of the ceremonies:
 * consumes the JSON options of @simplewebauthn/server and returns the JSON responses
 * @simplewebauthn/browser would send. Credentials live in memory (see {@link SoftAuthenticator.exportCredentials}).
 */
export class SoftAuthenticator {
  private readonly options: Required<
    Omit<SoftAuthenticatorOptions, 'ca' | 'attestationCertificate' | 'flags' | 'certificateAaguid'>
  > & { flags: AuthenticatorFlags };
  private readonly held = new Map<string, SoftCredential>();
  private attestationCertificate?: Promise<AttestationCertificate>;

  /**
   * @throws Error when `packed-x5c` or `fido-u2f` is requested without `ca` or `attestationCertificate`,
   *   `fido-u2f` with a non-ES256 algorithm, or the AAGUID is malformed.
   */
  constructor(private readonly model: SoftAuthenticatorOptions) {
    aaguidToBytes(model.aaguid);
    this.options = {
      aaguid: model.aaguid,
      attestation: model.attestation ?? 'none',
      algorithm: model.algorithm ?? 'ES256',
      includeAaguidExtension: model.includeAaguidExtension ?? model.attestation !== 'fido-u2f',
      flags: { ...DEFAULT_FLAGS, ...model.flags },
      initialSignCount: model.initialSignCount ?? 0,
      signCountIncrement: model.signCountIncrement ?? 1,
      transports: model.transports ?? ['usb'],
      authenticatorAttachment: model.authenticatorAttachment ?? 'cross-platform',
    };
    if (this.usesCertificate && !model.ca && !model.attestationCertificate) {
      throw new Error(`${this.options.attestation} attestation needs \`ca\` or \`attestationCertificate\``);
    }
    if (this.options.attestation === 'fido-u2f' && this.options.algorithm !== 'ES256') {
      throw new Error('fido-u2f attestation needs the ES256 algorithm (U2F keys are P-256)');
    }
    if (model.attestationCertificate) this.attestationCertificate = Promise.resolve(model.attestationCertificate);
  }

  /** Snapshot of the credentials held (copies; mutate through the ceremonies or {@link importCredential}). */
  get credentials(): readonly SoftCredential[] {
    return [...this.held.values()].map((credential) => ({ ...credential }));
  }

  /** JSON-safe copies of all held credentials. */
  exportCredentials(): SerializedSoftCredential[] {
    return [...this.held.values()].map(serializeCredential);
  }

  /** Adds (or replaces, by ID) a credential, e.g. one persisted with {@link exportCredentials}. */
  importCredential(credential: SerializedSoftCredential): void {
    this.held.set(credential.id, deserializeCredential(credential));
  }

  /**
   * Performs `navigator.credentials.create()`: makes a new credential for `options.user` and returns
   * the RegistrationResponseJSON. The configured attestation is always emitted (conveyance is ignored).
   *
   * @throws Error `NotSupportedError` when the model's algorithm is not in `pubKeyCredParams`,
   *   `InvalidStateError` when a held credential for the RP is in `excludeCredentials`.
   */
  async createCredential(
    options: PublicKeyCredentialCreationOptionsJSON,
    ceremony: CreateCredentialOptions,
  ): Promise<RegistrationResponseJSON> {
    const { algorithm, attestation } = this.options;
    const rpId = ceremony.rpId ?? options.rp.id ?? new URL(ceremony.origin).hostname;
    if (!options.pubKeyCredParams.some((param) => param.alg === COSE_ALGORITHM[algorithm])) {
      throw new Error(`NotSupportedError: ${algorithm} (${COSE_ALGORITHM[algorithm]}) not in pubKeyCredParams`);
    }
    const excluded = (options.excludeCredentials ?? []).find((d) => this.held.get(d.id)?.rpId === rpId);
    if (excluded && !ceremony.ignoreExcludeCredentials) {
      throw new Error(`InvalidStateError: credential ${excluded.id} is excluded`);
    }

    const { privateKey, publicKey } = generateCredentialKeyPair(algorithm);
    const credentialId = new Uint8Array(randomBytes(32));
    const cosePublicKey = encodeCosePublicKey(publicKey);
    const clientDataJSON = encodeClientDataJSON(
      { type: 'webauthn.create', challenge: options.challenge, origin: ceremony.origin },
      ceremony.clientData,
    );
    const authData = encodeAuthenticatorData({
      rpId,
      flags: { ...this.options.flags, ...ceremony.flags },
      signCount: this.options.initialSignCount,
      attestedCredentialData: { aaguid: aaguidToBytes(this.options.aaguid), credentialId, cosePublicKey },
    });
    const attestationObject = encodeAttestationObject({
      attestation,
      authData,
      clientDataHash: sha256(clientDataJSON),
      credentialPrivateKey: privateKey,
      attestationCertificate: this.usesCertificate ? await this.getAttestationCertificate() : undefined,
    });

    const selection = options.authenticatorSelection;
    const id = b64url(credentialId);
    this.held.set(id, {
      id,
      rpId,
      userHandle: options.user.id,
      userName: options.user.name,
      discoverable: selection?.residentKey
        ? selection.residentKey !== 'discouraged'
        : selection?.requireResidentKey === true,
      algorithm,
      signCount: this.options.initialSignCount,
      privateKey,
      publicKey: cosePublicKey,
    });

    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        authenticatorData: b64url(authData),
        transports: [...this.options.transports],
        publicKeyAlgorithm: COSE_ALGORITHM[algorithm],
        publicKey: b64url(createPublicKey(privateKey).export({ format: 'der', type: 'spki' })),
      },
      clientExtensionResults: {},
      authenticatorAttachment: this.options.authenticatorAttachment,
    };
  }

  /**
   * Performs `navigator.credentials.get()`: picks `ceremony.credentialId`, else the first held credential
   * for the RP ID listed in `allowCredentials`, else (empty list) the first discoverable one for the RP ID;
   * bumps its counter and returns the signed AuthenticationResponseJSON. `userHandle` is set for
   * discoverable credentials only.
   *
   * @throws Error `NotAllowedError` when no suitable credential is held.
   */
  async getAssertion(
    options: PublicKeyCredentialRequestOptionsJSON,
    ceremony: GetAssertionOptions,
  ): Promise<AuthenticationResponseJSON> {
    const rpId = ceremony.rpId ?? options.rpId ?? new URL(ceremony.origin).hostname;
    const credential = this.selectCredential(options, rpId, ceremony.credentialId);
    credential.signCount = ceremony.signCount ?? credential.signCount + this.options.signCountIncrement;

    const clientDataJSON = encodeClientDataJSON(
      { type: 'webauthn.get', challenge: options.challenge, origin: ceremony.origin },
      ceremony.clientData,
    );
    const authData = encodeAuthenticatorData({
      rpId,
      flags: { ...this.options.flags, ...ceremony.flags },
      signCount: credential.signCount,
    });
    const signature = signData(credential.privateKey, Buffer.concat([authData, sha256(clientDataJSON)]));

    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(credential.discoverable ? { userHandle: credential.userHandle } : {}),
      },
      clientExtensionResults: {},
      authenticatorAttachment: this.options.authenticatorAttachment,
    };
  }

  private selectCredential(
    options: PublicKeyCredentialRequestOptionsJSON,
    rpId: string,
    credentialId?: string,
  ): SoftCredential {
    if (credentialId !== undefined) {
      const forced = this.held.get(credentialId);
      if (!forced) throw new Error(`NotAllowedError: credential ${credentialId} is not held`);
      return forced;
    }
    const allowed = new Set((options.allowCredentials ?? []).map((d) => d.id));
    const match = [...this.held.values()].find(
      (c) => c.rpId === rpId && (allowed.size > 0 ? allowed.has(c.id) : c.discoverable),
    );
    if (!match) throw new Error(`NotAllowedError: no matching credential for RP ID "${rpId}"`);
    return match;
  }

  /** Whether the configured attestation signs with an attestation certificate (x5c). */
  private get usesCertificate(): boolean {
    return this.options.attestation === 'packed-x5c' || this.options.attestation === 'fido-u2f';
  }

  private getAttestationCertificate(): Promise<AttestationCertificate> {
    const { ca } = this.model;
    if (!this.attestationCertificate && ca) {
      const aaguid = this.options.includeAaguidExtension
        ? (this.model.certificateAaguid ?? this.options.aaguid)
        : undefined;
      this.attestationCertificate = ca.issueAttestationCertificate({ aaguid });
    }
    return this.attestationCertificate ?? Promise.reject(new Error('no attestation certificate'));
  }
}
