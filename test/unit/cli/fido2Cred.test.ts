/**
 * The fido2-cred authenticator without a key: argument and input building, and output parsing with
 * the hand-made sample outputs of fido2CredSamples.ts (documented format, not captured from a device).
 * The attestation objects built from them are verified with the real @simplewebauthn/server.
 */
import 'reflect-metadata';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { decodeCBOR } from '@levischuck/tiny-cbor';
import {
  MetadataService,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
} from '@simplewebauthn/server';
import type { GraphPublicKeyCredential } from '../../../cli/provision/credential';
import {
  buildFido2CredArgs,
  buildFido2CredInput,
  chooseCredentialType,
  parseFido2CredOutput,
  planFido2Cred,
  toGraphCredentialFromFido2Cred,
  unwrapCborByteString,
} from '../../../cli/provision/fido2Cred';
import { Fido2CredMaker } from '../../../cli/provision/fido2CredMaker';
import {
  FIDO_U2F_OUTPUT,
  PACKED_SELF_OUTPUT,
  PACKED_X5C_OUTPUT,
  SAMPLE_CHALLENGE,
  SAMPLE_ORIGIN,
  SAMPLE_RP_ID,
} from './fido2CredSamples';
import type { TestJson } from '../../support/testJson';

const USER_ID = Buffer.from('user handle of alice').toString('base64url');

/** Creation options shaped like the service's (and Entra's) provisioning options. */
function creationOptions(
  overrides: Partial<PublicKeyCredentialCreationOptionsJSON> = {},
): PublicKeyCredentialCreationOptionsJSON {
  return {
    challenge: SAMPLE_CHALLENGE,
    rp: { id: SAMPLE_RP_ID, name: 'Contoso' },
    user: { id: USER_ID, name: 'alice@contoso.com', displayName: 'Alice Smith' },
    pubKeyCredParams: [
      { alg: -8, type: 'public-key' },
      { alg: -7, type: 'public-key' },
      { alg: -257, type: 'public-key' },
    ],
    timeout: 600000,
    attestation: 'direct',
    authenticatorSelection: {
      authenticatorAttachment: 'cross-platform',
      residentKey: 'required',
      userVerification: 'required',
    },
    ...overrides,
  };
}

beforeAll(() => MetadataService.initialize({ mdsServers: [], statements: [], verificationMode: 'permissive' }));

describe('arguments and input', () => {
  test('the credential type is the first offered algorithm fido2-cred supports', () => {
    expect(
      chooseCredentialType([
        { alg: -36, type: 'public-key' },
        { alg: -257, type: 'public-key' },
        { alg: -7, type: 'public-key' },
      ]),
    ).toEqual({ type: 'rs256', alg: -257 });
    expect(
      chooseCredentialType([
        { alg: -7, type: 'public-key' },
        { alg: -8, type: 'public-key' },
      ]),
    ).toEqual({ type: 'es256', alg: -7 });
    expect(() => chooseCredentialType([{ alg: -36, type: 'public-key' }])).toThrow(
      'None of the offered algorithms (-36) is supported by fido2-cred',
    );
  });

  test('resident key, required UV, hmac-secret and credProtect become -r -v -h -c; options precede device and type', () => {
    const options = creationOptions({
      extensions: {
        hmacCreateSecret: true,
        credentialProtectionPolicy: 'userVerificationOptionalWithCredentialIDList',
      } as never,
    });
    expect(buildFido2CredArgs(options, '/dev/hidraw5', '/tmp/in')).toEqual([
      '-M',
      '-r',
      '-v',
      '-h',
      '-c',
      '2',
      '-i',
      '/tmp/in',
      '/dev/hidraw5',
      'eddsa',
    ]);
  });

  test('a non-resident credential without required UV gets neither -r nor -v', () => {
    const options = creationOptions({
      authenticatorSelection: { residentKey: 'discouraged', userVerification: 'preferred' },
      pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
    });
    expect(buildFido2CredArgs(options, '/dev/hidraw0', 'in')).toEqual(['-M', '-i', 'in', '/dev/hidraw0', 'es256']);
    expect(buildFido2CredArgs({ ...options, authenticatorSelection: { requireResidentKey: true } }, 'd', 'in')).toEqual(
      ['-M', '-r', '-i', 'in', 'd', 'es256'],
    );
  });

  test('input lines: hash of our clientDataJSON (base64), RP ID, user name, user id (base64 of the raw handle)', () => {
    const plan = planFido2Cred(creationOptions(), {
      origin: SAMPLE_ORIGIN,
      device: '/dev/hidraw0',
      inputPath: '/tmp/x',
    });
    expect(JSON.parse(Buffer.from(plan.clientDataJSON).toString('utf8'))).toEqual({
      type: 'webauthn.create',
      challenge: SAMPLE_CHALLENGE,
      origin: SAMPLE_ORIGIN,
      crossOrigin: false,
    });
    expect(Object.keys(JSON.parse(Buffer.from(plan.clientDataJSON).toString('utf8')))).toEqual([
      'type',
      'challenge',
      'origin',
      'crossOrigin',
    ]);
    expect(plan.input).toBe(
      `${createHash('sha256').update(plan.clientDataJSON).digest('base64')}\nlocalhost\nalice@contoso.com\n${Buffer.from('user handle of alice').toString('base64')}\n`,
    );
    // The samples were made for exactly this client data.
    expect(plan.input.split('\n')[0]).toBe(PACKED_X5C_OUTPUT.split('\n')[0]);
  });

  test('the RP ID falls back to the origin host name; newlines cannot be smuggled into the input', () => {
    const noRpId = creationOptions({ rp: { name: 'Contoso' } });
    expect(planFido2Cred(noRpId, { origin: 'https://login.contoso.com', device: 'd', inputPath: 'i' }).rpId).toBe(
      'login.contoso.com',
    );
    expect(() =>
      buildFido2CredInput({
        clientDataHash: new Uint8Array(32),
        rpId: 'localhost',
        userName: 'alice\nevil',
        userId: new Uint8Array(4),
      }),
    ).toThrow("The user name 'alice\nevil' contains a newline or NUL character");
  });
});

describe('output parsing (hand-made samples)', () => {
  test('packed with x5c and largeBlobKey: eight lines, authenticator data unwrapped from its CBOR byte string', () => {
    const output = parseFido2CredOutput(PACKED_X5C_OUTPUT);
    const wrapped = Buffer.from(PACKED_X5C_OUTPUT.split('\n')[3], 'base64');
    expect(output).toMatchObject({ rpId: 'localhost', fmt: 'packed' });
    expect(wrapped[0]).toBe(0x58); // CBOR byte string, one-byte length
    expect(Buffer.from(output.authData)).toEqual(wrapped.subarray(2));
    expect(output.x5c?.length).toBeGreaterThan(300);
    expect(output.largeBlobKey?.length).toBe(32);
  });

  test('packed self attestation has six lines and no certificate; CRLF and trailing blank lines are tolerated', () => {
    const output = parseFido2CredOutput(PACKED_SELF_OUTPUT.replace(/\n/g, '\r\n') + '\n\n');
    expect(output.fmt).toBe('packed');
    expect(output.x5c).toBeUndefined();
    expect(output.largeBlobKey).toBeUndefined();
  });

  test('malformed output is refused with what was received', () => {
    const lines = PACKED_SELF_OUTPUT.trim().split('\n');
    expect(() => parseFido2CredOutput(lines.slice(0, 5).join('\n'))).toThrow(
      'expected 6 to 8 lines (client data hash, rp id, format, authenticator data, credential id, signature[, x5c][, largeBlobKey]), received 5',
    );
    expect(() => parseFido2CredOutput([...lines.slice(0, 4), 'not base64!', ...lines.slice(5)].join('\n'))).toThrow(
      "the credential id is not base64 (received 'not base64!')",
    );
    const rawAuthData = Buffer.from(lines[3], 'base64').subarray(2).toString('base64');
    // Raw authenticator data (no CBOR wrapper): sha256('localhost') starts with 0x49, which reads as a 9-byte string.
    expect(() => parseFido2CredOutput([...lines.slice(0, 3), rawAuthData, ...lines.slice(4)].join('\n'))).toThrow(
      'the authenticator data is not a CBOR byte string: it declares 9 bytes but carries 174',
    );
    const derAsAuthData = Buffer.from([0x30, 0x82, 0x02, 0x2e]).toString('base64');
    expect(() => parseFido2CredOutput([...lines.slice(0, 3), derAsAuthData, ...lines.slice(4)].join('\n'))).toThrow(
      'the authenticator data is not a CBOR byte string: first byte 0x30, expected major type 2',
    );
  });

  test('unwrapCborByteString reads every length form and checks the declared length', () => {
    expect(Array.from(unwrapCborByteString(new Uint8Array([0x43, 1, 2, 3])))).toEqual([1, 2, 3]);
    expect(unwrapCborByteString(new Uint8Array([0x59, 0x01, 0x00, ...new Uint8Array(256)])).length).toBe(256);
    expect(() => unwrapCborByteString(new Uint8Array([0x58, 5, 1, 2]))).toThrow('it declares 5 bytes but carries 2');
  });
});

describe('attestation object and publicKeyCredential', () => {
  const plan = () =>
    planFido2Cred(creationOptions(), { origin: SAMPLE_ORIGIN, device: '/dev/hidraw0', inputPath: 'in' });

  async function verify(credential: GraphPublicKeyCredential, requireUserVerification = true) {
    return verifyRegistrationResponse({
      response: {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key',
        response: credential.response,
        clientExtensionResults: credential.clientExtensionResults,
      },
      expectedChallenge: SAMPLE_CHALLENGE,
      expectedOrigin: SAMPLE_ORIGIN,
      expectedRPID: SAMPLE_RP_ID,
      requireUserVerification,
    });
  }

  const attestationOf = (credential: GraphPublicKeyCredential) =>
    decodeCBOR(new Uint8Array(Buffer.from(credential.response.attestationObject, 'base64url'))) as Map<
      string,
      TestJson
    >;

  test('packed + x5c: alg from the certificate key, the leaf in x5c; @simplewebauthn/server verifies it', async () => {
    const credential = toGraphCredentialFromFido2Cred(plan(), parseFido2CredOutput(PACKED_X5C_OUTPUT));
    const attestation = attestationOf(credential);
    expect(attestation.get('fmt')).toBe('packed');
    expect(attestation.get('attStmt').get('alg')).toBe(-7);
    expect(attestation.get('attStmt').get('x5c')).toHaveLength(1);
    expect(credential.id).toBe(Buffer.from(PACKED_X5C_OUTPUT.split('\n')[4], 'base64').toString('base64url'));
    expect(credential.clientExtensionResults).toEqual({});

    const { verified, registrationInfo } = await verify(credential);
    expect(verified).toBe(true);
    expect(registrationInfo).toMatchObject({
      fmt: 'packed',
      aaguid: '5ca1ab1e-0000-4000-8000-0000000f1d02',
      userVerified: true,
      origin: SAMPLE_ORIGIN,
      rpID: SAMPLE_RP_ID,
    });
  });

  test('packed self attestation: alg from the credential key (EdDSA), extensions in authData kept', async () => {
    const credential = toGraphCredentialFromFido2Cred(plan(), parseFido2CredOutput(PACKED_SELF_OUTPUT));
    const attStmt = attestationOf(credential).get('attStmt');
    expect(attStmt.get('alg')).toBe(-8);
    expect(attStmt.has('x5c')).toBe(false);
    const { verified, registrationInfo } = await verify(credential);
    expect(verified).toBe(true);
    expect(registrationInfo?.authenticatorExtensionResults).toEqual({ 'hmac-secret': true });
  });

  test('fido-u2f: sig and x5c only', async () => {
    const credential = toGraphCredentialFromFido2Cred(plan(), parseFido2CredOutput(FIDO_U2F_OUTPUT));
    expect([...attestationOf(credential).get('attStmt').keys()]).toEqual(['sig', 'x5c']);
    const { verified, registrationInfo } = await verify(credential, false);
    expect(verified).toBe(true);
    expect(registrationInfo?.fmt).toBe('fido-u2f');
  });

  test('an answer for other client data, another RP or with an unknown format is refused', () => {
    const output = parseFido2CredOutput(PACKED_X5C_OUTPUT);
    const otherChallenge = planFido2Cred(creationOptions({ challenge: 'b3RoZXI' }), {
      origin: SAMPLE_ORIGIN,
      device: 'd',
      inputPath: 'i',
    });
    expect(() => toGraphCredentialFromFido2Cred(otherChallenge, output)).toThrow(
      'the client data hash differs from the one sent',
    );
    expect(() => toGraphCredentialFromFido2Cred({ ...plan(), rpId: 'contoso.com' }, output)).toThrow(
      "relying party id 'localhost', expected 'contoso.com'",
    );
    expect(() => toGraphCredentialFromFido2Cred(plan(), { ...output, fmt: 'tpm' })).toThrow(
      "attestation format 'tpm' cannot be rebuilt",
    );
    expect(() => toGraphCredentialFromFido2Cred(plan(), { ...output, credentialId: new Uint8Array(16) })).toThrow(
      'the credential id differs',
    );
  });
});

describe('Fido2CredMaker (the process replaced by a recorded answer)', () => {
  test('writes the input file, passes -i and the device, and returns the credential; the temp file is removed', async () => {
    const seen: { args: string[]; input: string; inputPath: string }[] = [];
    const messages: string[] = [];
    const maker = new Fido2CredMaker('/dev/hidraw7', {
      keyPrompt: false,
      stderr: { write: (t: string) => messages.push(t) },
      run: async (binary, args) => {
        expect(binary).toBe('fido2-cred');
        const inputPath = args[args.indexOf('-i') + 1];
        seen.push({ args, input: await readFile(inputPath, 'utf8'), inputPath });
        return PACKED_X5C_OUTPUT;
      },
    });

    const es256 = creationOptions({ pubKeyCredParams: [{ alg: -7, type: 'public-key' }] });
    const credential = await maker.create(es256, { userPrincipalName: 'alice@contoso.com', origin: SAMPLE_ORIGIN });

    expect(seen[0].args).toEqual(['-M', '-r', '-v', '-i', seen[0].inputPath, '/dev/hidraw7', 'es256']);
    expect(seen[0].input.split('\n')).toHaveLength(5);
    await expect(readFile(seen[0].inputPath)).rejects.toThrow('ENOENT');
    expect((await verify(credential)).verified).toBe(true);
    expect(messages.join('')).toContain('Touch the key for alice@contoso.com');
  });

  test('a failing fido2-cred run surfaces as an error of that user', async () => {
    const maker = new Fido2CredMaker('/dev/hidraw7', {
      keyPrompt: false,
      stderr: { write: () => true },
      run: async () => Promise.reject(new Error('fido2-cred failed (exit code 1); its message is above.')),
    });
    await expect(
      maker.create(creationOptions(), { userPrincipalName: 'a@b.c', origin: SAMPLE_ORIGIN }),
    ).rejects.toThrow('fido2-cred failed (exit code 1)');
  });

  test('preflight: a missing binary is fatal before any user is claimed', () => {
    expect(() => Fido2CredMaker.preflight('fido2-cred-surely-not-installed')).toThrow(
      "'fido2-cred-surely-not-installed' is not on PATH: install libfido2's tools (Debian/Ubuntu: apt install fido2-tools)",
    );
  });

  async function verify(credential: GraphPublicKeyCredential) {
    return verifyRegistrationResponse({
      response: {
        id: credential.id,
        rawId: credential.id,
        type: 'public-key',
        response: credential.response,
        clientExtensionResults: {},
      },
      expectedChallenge: SAMPLE_CHALLENGE,
      expectedOrigin: SAMPLE_ORIGIN,
      expectedRPID: SAMPLE_RP_ID,
    });
  }
});
