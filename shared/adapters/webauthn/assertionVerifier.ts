import { AuthenticationResponseJSON } from '@simplewebauthn/server';
import {
  cose,
  decodeClientDataJSON,
  decodeCredentialPublicKey,
  isoBase64URL,
  parseAuthenticatorData,
} from '@simplewebauthn/server/helpers';
import { createHash, createPublicKey, KeyObject, verify } from 'node:crypto';
import { assertCredentialIdAndType, RpIdHashes } from './ceremonyChecks';

/** A credential public key imported once: the node:crypto key and how its signatures are checked. */
interface ImportedKey {
  key: KeyObject;
  /** `verify`'s digest: sha256 for ES256 and RS256, null for EdDSA (Ed25519 hashes internally). */
  digest: 'sha256' | null;
}

/** What the checks below need of the ceremony: the same inputs as SimpleWebAuthn's. */
export interface ExpectedAssertion {
  challenge: string;
  origins: string[];
  rpId: string;
  /** The stored COSE public key, base64url. */
  publicKey: string;
}

export interface CheckedAssertion {
  newSignCount: number;
  backedUp: boolean;
}

/** How many imported keys are kept; beyond that the oldest is forgotten (re-imported when used). */
const MAX_KEYS = 50_000;

/**
 * Imports a COSE public key into a node:crypto KeyObject, for the algorithms we register (ES256 on
 * P-256, EdDSA on Ed25519, RS256); undefined for anything else, which is then left to SimpleWebAuthn.
 */
function importCoseKey(publicKey: string): ImportedKey | undefined {
  const bytes = new Uint8Array(Buffer.from(publicKey, 'base64url'));
  const coseKey = decodeCredentialPublicKey(bytes);
  const alg = coseKey.get(cose.COSEKEYS.alg);
  const b64 = (v: Uint8Array | undefined) =>
    v instanceof Uint8Array ? Buffer.from(v).toString('base64url') : undefined;
  if (cose.isCOSEPublicKeyEC2(coseKey) && alg === cose.COSEALG.ES256) {
    const x = b64(coseKey.get(cose.COSEKEYS.x));
    const y = b64(coseKey.get(cose.COSEKEYS.y));
    if (coseKey.get(cose.COSEKEYS.crv) !== cose.COSECRV.P256 || !x || !y) return undefined;
    return { key: createPublicKey({ key: { kty: 'EC', crv: 'P-256', x, y }, format: 'jwk' }), digest: 'sha256' };
  }
  if (cose.isCOSEPublicKeyOKP(coseKey) && alg === cose.COSEALG.EdDSA) {
    const x = b64(coseKey.get(cose.COSEKEYS.x));
    if (coseKey.get(cose.COSEKEYS.crv) !== cose.COSECRV.ED25519 || !x) return undefined;
    return { key: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }), digest: null };
  }
  if (cose.isCOSEPublicKeyRSA(coseKey) && alg === cose.COSEALG.RS256) {
    const n = b64(coseKey.get(cose.COSEKEYS.n));
    const e = b64(coseKey.get(cose.COSEKEYS.e));
    if (!n || !e) return undefined;
    return { key: createPublicKey({ key: { kty: 'RSA', n, e }, format: 'jwk' }), digest: 'sha256' };
  }
  return undefined;
}

/**
 * Verifies an assertion as SimpleWebAuthn's `verifyAuthenticationResponse` does (credential id and
 * type, clientData type, challenge, cross-origin and top origin, origin, base64url fields, token
 * binding, rpIdHash, UP and UV required, backup flags), in the same order and with the same
 * messages, but checks the signature with node:crypto on a KeyObject imported once per public key:
 * SimpleWebAuthn imports the COSE key into WebCrypto on every call and waits on the thread pool,
 * which is most of a sign-in's cost (issue 10's profile). The sign counter is judged by the service.
 */
export class AssertionVerifier {
  private readonly keys = new Map<string, ImportedKey | null>();
  private readonly rpIdHashes = new RpIdHashes();

  /** The imported key for a stored public key, or null when it is not one we verify ourselves. */
  importedKey(publicKey: string): ImportedKey | null {
    let imported = this.keys.get(publicKey);
    if (imported === undefined) {
      imported = importCoseKey(publicKey) ?? null;
      if (this.keys.size >= MAX_KEYS) this.keys.delete(this.keys.keys().next().value as string);
      this.keys.set(publicKey, imported);
    }
    return imported;
  }

  /** Throws an Error (with SimpleWebAuthn's wording) at the first check that fails. */
  verify(response: AuthenticationResponseJSON, expected: ExpectedAssertion, imported: ImportedKey): CheckedAssertion {
    const { id, rawId, type: credentialType, response: assertion } = response;
    assertCredentialIdAndType(id, rawId, credentialType);
    if (typeof assertion?.clientDataJSON !== 'string')
      throw new Error('Credential response clientDataJSON was not a string');
    const clientData = decodeClientDataJSON(assertion.clientDataJSON);
    const { type, origin, challenge, tokenBinding, crossOrigin, topOrigin } = clientData;
    if (type !== 'webauthn.get') throw new Error(`Unexpected authentication response type: ${type}`);
    if (challenge !== expected.challenge)
      throw new Error(`Unexpected authentication response challenge "${challenge}", expected "${expected.challenge}"`);
    // As SimpleWebAuthn without expectedTopOrigin: a cross-origin response naming its top origin is refused.
    if (crossOrigin && topOrigin)
      throw new Error(
        `Detected cross-origin authentication response from top origin of "${topOrigin}", but a value for \`expectedTopOrigin\` was not specified`,
      );
    if (!crossOrigin && topOrigin)
      throw new Error(`Unexpected top origin of "${topOrigin}" within a non-cross-origin authentication response`);
    if (!expected.origins.includes(origin))
      throw new Error(
        `Unexpected authentication response origin "${origin}", expected one of: ${expected.origins.join(', ')}`,
      );
    if (!isoBase64URL.isBase64URL(assertion.authenticatorData))
      throw new Error('Credential response authenticatorData was not a base64url string');
    if (!isoBase64URL.isBase64URL(assertion.signature))
      throw new Error('Credential response signature was not a base64url string');
    if (assertion.userHandle && typeof assertion.userHandle !== 'string')
      throw new Error('Credential response userHandle was not a string');
    if (tokenBinding) {
      if (typeof tokenBinding !== 'object') throw new Error('ClientDataJSON tokenBinding was not an object');
      if (!['present', 'supported', 'notSupported'].includes(tokenBinding.status))
        throw new Error(`Unexpected tokenBinding status ${String(tokenBinding.status)}`);
    }
    const authData = new Uint8Array(Buffer.from(assertion.authenticatorData, 'base64url'));
    const { rpIdHash, flags, counter } = parseAuthenticatorData(authData);
    if (!rpIdHash || !this.rpIdHashes.of(expected.rpId).equals(Buffer.from(rpIdHash)))
      throw new Error('Unexpected RP ID hash');
    if (!flags.up) throw new Error('User not present during authentication');
    if (!flags.uv) throw new Error('User verification required, but user could not be verified');
    if (flags.bs && !flags.be)
      throw new Error('Single-device credential indicated that it was backed up, which should be impossible.');
    const clientDataHash = createHash('sha256').update(Buffer.from(assertion.clientDataJSON, 'base64url')).digest();
    const signed = Buffer.concat([authData, clientDataHash]);
    const signature = Buffer.from(assertion.signature, 'base64url');
    let valid: boolean;
    try {
      valid = verify(imported.digest, signed, imported.key, signature);
    } catch {
      valid = false; // a malformed DER signature
    }
    if (!valid) throw new Error('verification returned false');
    return { newSignCount: counter, backedUp: flags.bs };
  }
}
