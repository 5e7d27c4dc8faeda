/**
 * Pure half of the `fido2-cred` authenticator: builds the arguments and input of libfido2's
 * `fido2-cred -M` and turns its output into Graph's `publicKeyCredential`. Formats from fido2-cred(1):
 *
 * input (one item a line): client data hash (base64), relying party id, user name, user id (base64).
 * output: client data hash (base64), relying party id, credential format, CBOR-encoded authenticator
 * data (base64 of a CBOR byte string), credential id (base64), attestation signature (base64),
 * then the attestation certificate (base64 DER) if present and the largeBlobKey if -b was given.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { decodePartialCBOR, encodeCBOR, type CBORType } from '@levischuck/tiny-cbor';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { encodeClientDataJSON } from '../authenticators/soft/clientData';
import type { GraphPublicKeyCredential } from './credential';

/** COSE algorithm → fido2-cred's credential `type` operand. */
export const FIDO2_CRED_TYPES: Readonly<Record<number, string>> = {
  [-7]: 'es256',
  [-35]: 'es384',
  [-8]: 'eddsa',
  [-257]: 'rs256',
};

/** WebAuthn credProtect policy names → libfido2's `-c` levels (FIDO_CRED_PROT_*). */
const CRED_PROTECT_LEVELS: Readonly<Record<string, number>> = {
  userVerificationOptional: 1,
  userVerificationOptionalWithCredentialIDList: 2,
  userVerificationRequired: 3,
};

/** The inputs of one `fido2-cred -M` run, derived from the creation options. */
export interface Fido2CredPlan {
  args: string[];
  /** The text for `-i input_file`. */
  input: string;
  clientDataJSON: Uint8Array;
  clientDataHash: Uint8Array;
  rpId: string;
}

/** What `fido2-cred -M` printed, decoded. `authData` is the raw authenticator data (CBOR wrapper removed). */
export interface Fido2CredOutput {
  clientDataHash: Uint8Array;
  rpId: string;
  fmt: string;
  authData: Uint8Array;
  credentialId: Uint8Array;
  signature: Uint8Array;
  x5c?: Uint8Array;
  largeBlobKey?: Uint8Array;
}

const sha256 = (data: Uint8Array | string) => new Uint8Array(createHash('sha256').update(data).digest());
const b64 = (data: Uint8Array) => Buffer.from(data).toString('base64');
const b64url = (data: Uint8Array) => Buffer.from(data).toString('base64url');
const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** The first algorithm of `pubKeyCredParams` (the RP's order of preference) that fido2-cred can make. */
export function chooseCredentialType(params: PublicKeyCredentialCreationOptionsJSON['pubKeyCredParams']): {
  type: string;
  alg: number;
} {
  const match = params.find((p) => FIDO2_CRED_TYPES[p.alg] !== undefined);
  if (!match) {
    throw new Error(
      `None of the offered algorithms (${params.map((p) => p.alg).join(', ') || 'none'}) is supported by fido2-cred; expected one of -7 (es256), -35 (es384), -8 (eddsa), -257 (rs256).`,
    );
  }
  return { type: FIDO2_CRED_TYPES[match.alg], alg: match.alg };
}

function singleLine(value: string, what: string): string {
  if (/[\n\r\0]/.test(value))
    throw new Error(
      `The ${what} '${value}' contains a newline or NUL character, which fido2-cred's line-based input cannot carry.`,
    );
  return value;
}

/**
 * Options for `fido2-cred -M` from the creation options: `-r` for a resident (discoverable) key,
 * `-v` when user verification is required, `-h` when the RP asks for hmac-secret, `-c` for credProtect.
 * Options come before the operands (`device`, `type`), as getopt(3) requires.
 */
export function buildFido2CredArgs(
  publicKey: PublicKeyCredentialCreationOptionsJSON,
  device: string,
  inputPath: string,
): string[] {
  const selection = publicKey.authenticatorSelection;
  const residentKey = selection?.residentKey
    ? selection.residentKey !== 'discouraged'
    : selection?.requireResidentKey === true;
  const extensions = (publicKey.extensions ?? {}) as Record<string, unknown>;
  const args = ['-M'];
  if (residentKey) args.push('-r');
  if (selection?.userVerification === 'required') args.push('-v');
  if (extensions.hmacCreateSecret === true) args.push('-h');
  const protect =
    typeof extensions.credentialProtectionPolicy === 'string'
      ? CRED_PROTECT_LEVELS[extensions.credentialProtectionPolicy]
      : undefined;
  if (protect !== undefined) args.push('-c', String(protect));
  args.push('-i', inputPath, device, chooseCredentialType(publicKey.pubKeyCredParams).type);
  return args;
}

/** The four input lines of `fido2-cred -M`. */
export function buildFido2CredInput(input: {
  clientDataHash: Uint8Array;
  rpId: string;
  userName: string;
  userId: Uint8Array;
}): string {
  return (
    [
      b64(input.clientDataHash),
      singleLine(input.rpId, 'relying party id'),
      singleLine(input.userName, 'user name'),
      b64(input.userId),
    ].join('\n') + '\n'
  );
}

/** Client data as a browser would send it, its hash, and the arguments and input for fido2-cred. */
export function planFido2Cred(
  publicKey: PublicKeyCredentialCreationOptionsJSON,
  context: { origin: string; device: string; inputPath: string },
): Fido2CredPlan {
  const rpId = publicKey.rp.id ?? new URL(context.origin).hostname;
  const clientDataJSON = encodeClientDataJSON({
    type: 'webauthn.create',
    challenge: publicKey.challenge,
    origin: context.origin,
    crossOrigin: false,
  });
  const clientDataHash = sha256(clientDataJSON);
  const input = buildFido2CredInput({
    clientDataHash,
    rpId,
    userName: publicKey.user.name,
    userId: new Uint8Array(Buffer.from(publicKey.user.id, 'base64url')),
  });
  return {
    args: buildFido2CredArgs(publicKey, context.device, context.inputPath),
    input,
    clientDataJSON,
    clientDataHash,
    rpId,
  };
}

function decodeBase64(line: string, what: string): Uint8Array {
  const text = line.trim();
  if (text === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new Error(
      `fido2-cred output: the ${what} is not base64 (received '${text.slice(0, 40)}${text.length > 40 ? '...' : ''}').`,
    );
  }
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** Removes the CBOR byte-string header (major type 2) that fido2-cred keeps around the authenticator data. */
export function unwrapCborByteString(data: Uint8Array): Uint8Array {
  if (data.length === 0 || data[0] >> 5 !== 2) {
    throw new Error(
      `fido2-cred output: the authenticator data is not a CBOR byte string: first byte 0x${(data[0] ?? 0).toString(16).padStart(2, '0')}, expected major type 2.`,
    );
  }
  const info = data[0] & 0x1f;
  const view = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let length: number;
  let header: number;
  if (info < 24) [length, header] = [info, 1];
  else if (info === 24) [length, header] = [view.readUInt8(1), 2];
  else if (info === 25) [length, header] = [view.readUInt16BE(1), 3];
  else if (info === 26) [length, header] = [view.readUInt32BE(1), 5];
  else
    throw new Error(
      `fido2-cred output: the authenticator data is not a CBOR byte string: unsupported length encoding (additional info ${info}).`,
    );
  if (header + length !== data.length) {
    throw new Error(
      `fido2-cred output: the authenticator data is not a CBOR byte string: it declares ${length} bytes but carries ${data.length - header}.`,
    );
  }
  return data.slice(header);
}

/**
 * Parses the output of `fido2-cred -M`: six lines, then the attestation certificate when the
 * authenticator sent one (older libfido2 printed an empty line instead) and the largeBlobKey with -b.
 */
export function parseFido2CredOutput(stdout: string): Fido2CredOutput {
  const lines = stdout.replace(/\r\n/g, '\n').split('\n');
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length < 6 || lines.length > 8) {
    throw new Error(
      `fido2-cred output: expected 6 to 8 lines (client data hash, rp id, format, authenticator data, credential id, signature[, x5c][, largeBlobKey]), received ${lines.length}.`,
    );
  }
  const [cdh, rpId, fmt, authData, credentialId, signature, x5c, largeBlobKey] = lines;
  return {
    clientDataHash: decodeBase64(cdh, 'client data hash'),
    rpId: rpId.trim(),
    fmt: fmt.trim(),
    authData: unwrapCborByteString(decodeBase64(authData, 'authenticator data')),
    credentialId: decodeBase64(credentialId, 'credential id'),
    signature: decodeBase64(signature, 'attestation signature'),
    ...(x5c?.trim() ? { x5c: decodeBase64(x5c, 'attestation certificate') } : {}),
    ...(largeBlobKey?.trim() ? { largeBlobKey: decodeBase64(largeBlobKey, 'largeBlobKey') } : {}),
  };
}

/** The parts of authenticator data (WebAuthn §6.1) the station checks. */
export interface ParsedAuthenticatorData {
  rpIdHash: Uint8Array;
  flags: number;
  credentialId: Uint8Array;
  /** `alg` (label 3) of the credential's COSE public key. */
  credentialAlg: number;
}

/** Reads rpIdHash, flags and the attested credential data of registration authenticator data. */
export function parseAuthenticatorData(authData: Uint8Array): ParsedAuthenticatorData {
  const view = Buffer.from(authData.buffer, authData.byteOffset, authData.byteLength);
  if (view.length < 37 + 18)
    throw new Error(
      `Authenticator data is ${view.length} bytes; registration data with attested credential data is at least 55.`,
    );
  const flags = view.readUInt8(32);
  if ((flags & 0x40) === 0) throw new Error('Authenticator data has no attested credential data (AT flag not set).');
  const idLength = view.readUInt16BE(53);
  const credentialId = new Uint8Array(view.subarray(55, 55 + idLength));
  const [coseKey] = decodePartialCBOR(new Uint8Array(view.subarray(55 + idLength)), 0);
  const alg = coseKey instanceof Map ? coseKey.get(3) : undefined;
  if (typeof alg !== 'number')
    throw new Error('The credential public key in the authenticator data has no COSE alg (label 3).');
  return { rpIdHash: new Uint8Array(view.subarray(0, 32)), flags, credentialId, credentialAlg: alg };
}

/** COSE algorithm of an attestation certificate's key (the packed `attStmt.alg` when x5c is present). */
export function certificateAlg(der: Uint8Array): number {
  const key = new X509Certificate(Buffer.from(der)).publicKey;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType === 'ec' && curve === 'prime256v1') return -7;
  if (key.asymmetricKeyType === 'ec' && curve === 'secp384r1') return -35;
  if (key.asymmetricKeyType === 'ed25519') return -8;
  if (key.asymmetricKeyType === 'rsa') return -257;
  throw new Error(
    `Unsupported attestation certificate key ${key.asymmetricKeyType ?? 'unknown'}${curve ? ` (${curve})` : ''}; expected P-256, P-384, Ed25519 or RSA.`,
  );
}

/**
 * The attestation object `{fmt, attStmt, authData}` (WebAuthn §6.5) a browser would return.
 * `packed` gets `alg` from the certificate (basic attestation) or the credential key (self attestation).
 */
export function encodeFido2CredAttestationObject(output: Fido2CredOutput): Uint8Array {
  const attStmt = new Map<string, CBORType>();
  if (output.fmt === 'packed') {
    const alg = output.x5c ? certificateAlg(output.x5c) : parseAuthenticatorData(output.authData).credentialAlg;
    attStmt.set('alg', alg).set('sig', output.signature);
    if (output.x5c) attStmt.set('x5c', [output.x5c]);
  } else if (output.fmt === 'fido-u2f') {
    if (!output.x5c)
      throw new Error(
        'fido2-cred output: a fido-u2f attestation needs the attestation certificate, but none was printed.',
      );
    attStmt.set('sig', output.signature).set('x5c', [output.x5c]);
  } else if (output.fmt !== 'none') {
    throw new Error(
      `fido2-cred output: attestation format '${output.fmt}' cannot be rebuilt from fido2-cred's output; expected packed, fido-u2f or none.`,
    );
  }
  return encodeCBOR(
    new Map<string, CBORType>([
      ['fmt', output.fmt],
      ['attStmt', attStmt],
      ['authData', output.authData],
    ]),
  );
}

/**
 * Checks that fido2-cred answered for our client data and RP, then builds Graph's `publicKeyCredential`.
 *
 * @throws Error when the echoed hash or RP ID, the RP ID hash or the credential ID do not match.
 */
export function toGraphCredentialFromFido2Cred(
  plan: Pick<Fido2CredPlan, 'clientDataJSON' | 'clientDataHash' | 'rpId'>,
  output: Fido2CredOutput,
): GraphPublicKeyCredential {
  if (!sameBytes(output.clientDataHash, plan.clientDataHash))
    throw new Error('fido2-cred output: the client data hash differs from the one sent.');
  if (output.rpId !== plan.rpId)
    throw new Error(`fido2-cred output: relying party id '${output.rpId}', expected '${plan.rpId}'.`);
  const authData = parseAuthenticatorData(output.authData);
  if (!sameBytes(authData.rpIdHash, sha256(plan.rpId)))
    throw new Error(`fido2-cred output: the authenticator data is not for RP ID '${plan.rpId}' (rpIdHash differs).`);
  if (!sameBytes(authData.credentialId, output.credentialId))
    throw new Error('fido2-cred output: the credential id differs from the one in the authenticator data.');
  return {
    id: b64url(output.credentialId),
    response: {
      clientDataJSON: b64url(plan.clientDataJSON),
      attestationObject: b64url(encodeFido2CredAttestationObject(output)),
    },
    clientExtensionResults: {},
  };
}
