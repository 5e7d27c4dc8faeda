import { ErrorCodes } from '../../shared/domain/errorCodes';
import { DomainError } from '../../shared/domain/errors';
import type {
  AuthenticationResponseJSON,
  ExpectedCeremony,
  ExpectedRegistration,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationOptionsInput,
  RegistrationResponseJSON,
  VerifiedAuthentication,
  VerifiedRegistration,
  WebAuthnPort,
} from '../../shared/ports/webauthn.port';
import type { RelyingParty } from '../../shared/services/webauthn/registrationService';

/**
 * A WebAuthn port for service tests: the test sets its verdicts, and builds the responses a
 * browser would post (their attestation and signature mean nothing here).
 */

export const YUBIKEY_5 = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
export const UNLISTED_AAGUID = '5ca1ab1e-0000-4000-8000-00000000c0de';
export const RP: RelyingParty = { id: 'localhost', name: 'Contoso', origins: ['http://localhost:7071'] };

/** The challenge a response's clientDataJSON carries. */
export function challengeOf(clientDataJSON: string): string {
  return (JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge: string }).challenge;
}

const clientData = (type: string, challenge: string, extra: Record<string, unknown> = {}) =>
  Buffer.from(JSON.stringify({ type, challenge, origin: RP.origins[0], ...extra })).toString('base64url');

/** A registration response for `challenge`; its attestation means nothing to the fake port. */
export function registrationResponse(
  challenge: string,
  id: string,
  clientDataExtra: Record<string, unknown> = {},
): RegistrationResponseJSON {
  return {
    id,
    rawId: id,
    type: 'public-key',
    response: {
      clientDataJSON: clientData('webauthn.create', challenge, clientDataExtra),
      attestationObject: 'fake',
      transports: ['usb'],
    },
    clientExtensionResults: {},
  };
}

/** An assertion by credential `id` for `challenge`. */
export function authenticationResponse(
  challenge: string,
  id: string,
  clientDataExtra: Record<string, unknown> = {},
): AuthenticationResponseJSON {
  return {
    id,
    rawId: id,
    type: 'public-key',
    response: {
      clientDataJSON: clientData('webauthn.get', challenge, clientDataExtra),
      authenticatorData: 'fake',
      signature: 'fake',
    },
    clientExtensionResults: {},
  };
}

/**
 * The WebAuthn port with verdicts the test sets: `registration` facts for the next verified
 * registration, `authentication` for the next assertion, `signatureInvalid` to refuse assertions.
 * It still checks that the response answers the expected challenge, as the real adapter does.
 */
export class FakeWebAuthn implements WebAuthnPort {
  registration: Partial<VerifiedRegistration> = {};
  authentication: Partial<VerifiedAuthentication> = {};
  signatureInvalid = false;
  /** False: the next registrations carry UP=0 (as a conditional create may). */
  userPresent = true;
  /** What the last verifyRegistration was asked to expect. */
  lastExpectedRegistration: ExpectedRegistration | undefined;
  models: Record<string, string> = { [YUBIKEY_5]: 'YubiKey 5 Series' };
  readonly calls: string[] = [];

  async registrationOptions(input: RegistrationOptionsInput): Promise<PublicKeyCredentialCreationOptionsJSON> {
    this.calls.push('registrationOptions');
    return {
      rp: { id: input.rpId, name: input.rpName },
      user: { id: input.userHandle, name: input.userName, displayName: input.userDisplayName },
      challenge: input.challenge,
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
      timeout: input.timeoutMs,
      excludeCredentials: input.excludeCredentials.map((c) => ({ id: c.id, type: 'public-key' })),
    };
  }

  async verifyRegistration(
    response: RegistrationResponseJSON,
    expected: ExpectedRegistration,
  ): Promise<VerifiedRegistration> {
    this.calls.push('verifyRegistration');
    this.lastExpectedRegistration = expected;
    if (!this.userPresent && expected.requireUserPresence !== false)
      throw new DomainError(
        ErrorCodes.invalidWebAuthnResponse,
        'The registration response did not verify: User presence was required, but user was not present.',
      );
    if (challengeOf(response.response.clientDataJSON) !== expected.challenge)
      throw new DomainError(ErrorCodes.invalidWebAuthnResponse, 'challenge mismatch');
    return {
      credentialId: response.id,
      publicKey: `public-key-of-${response.id}`,
      signCount: 0,
      transports: ['usb'],
      aaGuid: YUBIKEY_5,
      attestationFormat: 'none',
      attested: false,
      attestationCertificates: [],
      backupEligible: false,
      backedUp: false,
      ...this.registration,
    };
  }

  async authenticationOptions(input: {
    rpId: string;
    challenge: string;
    timeoutMs: number;
    allowCredentials: Array<{ id: string; transports?: string[] }>;
  }): Promise<PublicKeyCredentialRequestOptionsJSON> {
    this.calls.push('authenticationOptions');
    return {
      rpId: input.rpId,
      challenge: input.challenge,
      timeout: input.timeoutMs,
      allowCredentials: input.allowCredentials.map((c) => ({ id: c.id, type: 'public-key' })),
      userVerification: 'required',
    };
  }

  async verifyAuthentication(
    response: AuthenticationResponseJSON,
    expected: ExpectedCeremony & { credential: { id: string } },
  ): Promise<VerifiedAuthentication> {
    this.calls.push('verifyAuthentication');
    if (this.signatureInvalid || expected.credential.id !== response.id)
      throw new DomainError(
        ErrorCodes.invalidWebAuthnResponse,
        'The assertion signature does not verify with the stored public key.',
      );
    if (challengeOf(response.response.clientDataJSON) !== expected.challenge)
      throw new DomainError(ErrorCodes.invalidWebAuthnResponse, 'challenge mismatch');
    return { newSignCount: 0, backedUp: false, ...this.authentication };
  }

  async modelOf(aaGuid: string): Promise<string | null> {
    return this.models[aaGuid] ?? null;
  }
}
