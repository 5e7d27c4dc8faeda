/**
 * WebAuthn §8.2 (packed) and §8.2.1 (attestation certificate requirements), played against the
 * node:crypto registration verifier and, for every row, against SimpleWebAuthn's
 * verifyRegistrationResponse (the path it replaces): same outcome, same message.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { convertAAGUIDToString, isoCBOR } from '@simplewebauthn/server/helpers';
import { createHash, generateKeyPairSync, KeyObject, sign, webcrypto, X509Certificate } from 'node:crypto';
import {
  SoftAuthenticator,
  TestAttestationCa,
  type AttestationCertificate,
  type CreateCredentialOptions,
  type SoftAuthenticatorOptions,
} from '../../../cli/authenticators/soft';
import type { RegistrationResponseJSON } from '../../ports/webauthn.port';
import { AssertionVerifier } from './assertionVerifier';
import { decodeAttestation } from './registrationFacts';
import { aaguidString, RegistrationVerifier } from './registrationVerifier';
import { SimpleWebAuthnAdapter } from './simpleWebAuthn.adapter';
import { RegistrationExpectations, verifyWithSimpleWebAuthn } from './simpleWebAuthnRegistration';

const ORIGIN = 'http://localhost:7071';
const AAGUID = '5ca1ab1e-0000-4000-8000-00000000c0de';
const OTHER_AAGUID = '0ddba11a-0000-4000-8000-0000000000ff';
const CHALLENGE = Buffer.from('a-challenge-of-enough-bytes-0123').toString('base64url');
const DAY_MS = 24 * 60 * 60 * 1000;
const AAGUID_OID = '1.3.6.1.4.1.45724.1.1.4';

const expectations: RegistrationExpectations = {
  expectedChallenge: CHALLENGE,
  expectedOrigin: [ORIGIN],
  expectedRPID: 'localhost',
  requireUserPresence: true,
  requireUserVerification: true,
  supportedAlgorithmIDs: [-7, -8, -257],
};

const creationOptions = {
  rp: { id: 'localhost', name: 'Contoso' },
  user: { id: 'dXNlcg', name: 'alice', displayName: 'Alice' },
  challenge: CHALLENGE,
  pubKeyCredParams: [{ type: 'public-key' as const, alg: -7 }],
  authenticatorSelection: { residentKey: 'required' as const, userVerification: 'required' as const },
};

type CborValue = Parameters<typeof isoCBOR.encode>[0];
/** The decoded attestation object of a response, and the client data hash the statement signs. */
interface Parts {
  authData: Uint8Array;
  attStmt: Map<string, CborValue>;
  clientDataHash: Buffer;
}

/** A tamper of the attestation statement that removes one of its keys. */
const without =
  (key: string) =>
  ({ attStmt }: Parts) => {
    const stmt = new Map(attStmt);
    stmt.delete(key);
    return { attStmt: stmt };
  };

/** Creates a registration response, then lets `tamper` rewrite its attestation object. */
async function registration(
  model: SoftAuthenticatorOptions,
  ceremony: Partial<CreateCredentialOptions> = {},
  tamper?: (parts: Parts) => Partial<Pick<Parts, 'authData' | 'attStmt'>> & { fmt?: string },
): Promise<RegistrationResponseJSON> {
  const response = await new SoftAuthenticator(model).createCredential(creationOptions, {
    origin: ORIGIN,
    ...ceremony,
  });
  if (!tamper) return response;
  const decoded = isoCBOR.decodeFirst<Map<string, CborValue>>(
    Buffer.from(response.response.attestationObject, 'base64url'),
  );
  const parts: Parts = {
    authData: decoded.get('authData') as Uint8Array,
    attStmt: decoded.get('attStmt') as Map<string, CborValue>,
    clientDataHash: createHash('sha256').update(Buffer.from(response.response.clientDataJSON, 'base64url')).digest(),
  };
  const changed = tamper(parts);
  const encoded = new Map<string, CborValue>([
    ['fmt', changed.fmt ?? (decoded.get('fmt') as string)],
    ['attStmt', changed.attStmt ?? parts.attStmt],
    ['authData', changed.authData ?? parts.authData],
  ]);
  const attestationObject = Buffer.from(isoCBOR.encode(encoded)).toString('base64url');
  return { ...response, response: { ...response.response, attestationObject } };
}

/** Signs what a packed statement signs (authData || clientDataHash) with `key`, DER ECDSA. */
const packedSignature = (authData: Uint8Array, clientDataHash: Uint8Array, key: KeyObject) =>
  new Uint8Array(sign('sha256', Buffer.concat([authData, clientDataHash]), key));

/** The outcome of one verification: the statement verdict, an error message, or "left to SimpleWebAuthn". */
type Outcome = { statementVerified: boolean } | { error: string } | 'unsupported';

async function settle(run: () => Promise<{ statementVerified: boolean } | undefined>): Promise<Outcome> {
  try {
    const facts = await run();
    return facts ? { statementVerified: facts.statementVerified } : 'unsupported';
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

const fastPath = (response: RegistrationResponseJSON, expected = expectations) =>
  settle(() =>
    new RegistrationVerifier(new AssertionVerifier()).verify(
      response,
      expected,
      decodeAttestation(response.response.attestationObject)!,
    ),
  );
const library = (response: RegistrationResponseJSON, expected = expectations) =>
  settle(() => verifyWithSimpleWebAuthn(response, expected));

/** A self-signed EC leaf with the given subject and extensions (what §8.2.1 rules on), and its key. */
async function craftedLeaf(options: {
  curve?: 'P-256' | 'P-384';
  subject?: string;
  basicConstraintsCA?: boolean;
  aaguidExtension?: Buffer;
}): Promise<AttestationCertificate> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: options.curve ?? 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(options.basicConstraintsCA ?? false)];
  if (options.aaguidExtension) extensions.push(new x509.Extension(AAGUID_OID, false, options.aaguidExtension));
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      name: options.subject ?? 'C=US, O=Contoso, OU=Authenticator Attestation, CN=Contoso Test Key Attestation',
      notBefore: new Date(Date.now() - DAY_MS),
      notAfter: new Date(Date.now() + 365 * DAY_MS),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      keys,
      extensions,
    },
    webcrypto,
  );
  return { certificate: new Uint8Array(certificate.rawData), privateKey: KeyObject.from(keys.privateKey) };
}

/** The same leaf with its version field rewritten (the certificate's own signature breaks, which §8.2 does not look at). */
function withVersion(leaf: AttestationCertificate, version: number): AttestationCertificate {
  const der = Buffer.from(leaf.certificate);
  // Certificate SEQUENCE, tbsCertificate SEQUENCE, then [0] { INTEGER 2 }: a0 03 02 01 02.
  const at = der.indexOf(Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02]));
  if (at < 0 || at > 10) throw new Error('no v3 version field near the start');
  der[at + 4] = version;
  return { ...leaf, certificate: new Uint8Array(der) };
}

const aaguidOctets = (aaguid: string) =>
  Buffer.concat([Buffer.from([0x04, 0x10]), Buffer.from(aaguid.replace(/-/g, ''), 'hex')]);

describe('RegistrationVerifier: packed attestation (WebAuthn §8.2, §8.2.1), the same decisions as SimpleWebAuthn', () => {
  let ca: TestAttestationCa;
  let leaf: AttestationCertificate;
  beforeAll(async () => {
    ca = await TestAttestationCa.create();
    leaf = await ca.issueAttestationCertificate({ aaguid: AAGUID });
  });
  /** A packed registration whose statement carries `attestationCertificate` as its leaf. */
  const packedWith = (attestationCertificate: SoftAuthenticatorOptions['attestationCertificate']) =>
    registration({ aaguid: AAGUID, attestation: 'packed-x5c', attestationCertificate });
  const x5c = (): SoftAuthenticatorOptions => ({
    aaguid: AAGUID,
    attestation: 'packed-x5c',
    attestationCertificate: leaf,
  });

  type Row = [string, () => Promise<RegistrationResponseJSON>, Outcome | RegExp];
  const verified = { statementVerified: true };
  const notVerified = { statementVerified: false };
  const rows: Row[] = [
    ['packed x5c from a CA, AAGUID extension equal', () => registration(x5c()), verified],
    ['packed self attestation', () => registration({ aaguid: AAGUID, attestation: 'packed-self' }), verified],
    ['none', () => registration({ aaguid: AAGUID, attestation: 'none' }), verified],
    [
      'a leaf without the AAGUID extension (it is optional)',
      async () =>
        registration({ aaguid: AAGUID, attestation: 'packed-x5c', attestationCertificate: await craftedLeaf({}) }),
      verified,
    ],
    [
      'attack: wrong signature (another key signed the statement)',
      () =>
        registration(x5c(), {}, ({ authData, attStmt, clientDataHash }) => {
          const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
          return { attStmt: new Map(attStmt).set('sig', packedSignature(authData, clientDataHash, other)) };
        }),
      /^verification returned false$/,
    ],
    [
      'attack: signature over other data (another client data hash)',
      () =>
        registration(x5c(), {}, ({ authData, attStmt }) => ({
          attStmt: new Map(attStmt).set('sig', packedSignature(authData, Buffer.alloc(32, 1), leaf.privateKey)),
        })),
      /^verification returned false$/,
    ],
    [
      'attack: self attestation signed by a key that is not the credential key',
      () =>
        registration({ aaguid: AAGUID, attestation: 'packed-self' }, {}, ({ authData, attStmt, clientDataHash }) => ({
          attStmt: new Map(attStmt).set('sig', packedSignature(authData, clientDataHash, leaf.privateKey)),
        })),
      /^verification returned false$/,
    ],
    [
      'attack: self attestation with a credential key whose x is 31 bytes (left to SimpleWebAuthn)',
      () =>
        registration({ aaguid: AAGUID, attestation: 'packed-self' }, {}, ({ authData }) => {
          const idLength = Buffer.from(authData).readUInt16BE(53);
          const keyAt = 55 + idLength;
          const coseKey = isoCBOR.decodeFirst<Map<number, CborValue>>(new Uint8Array(authData.subarray(keyAt)));
          coseKey.set(-2, (coseKey.get(-2) as Uint8Array).subarray(1));
          return { authData: new Uint8Array(Buffer.concat([authData.subarray(0, keyAt), isoCBOR.encode(coseKey)])) };
        }),
      'unsupported',
    ],
    [
      'attack: the signature is not DER (left to SimpleWebAuthn)',
      () =>
        registration(x5c(), {}, ({ attStmt }) => ({
          attStmt: new Map(attStmt).set('sig', new Uint8Array(64).fill(7)),
        })),
      'unsupported',
    ],
    [
      'attack: wrong alg (not a COSE algorithm)',
      () => registration(x5c(), {}, ({ attStmt }) => ({ attStmt: new Map(attStmt).set('alg', 12345) })),
      notVerified,
    ],
    [
      'attack: wrong alg (EdDSA for an ECDSA leaf: left to SimpleWebAuthn)',
      () => registration(x5c(), {}, ({ attStmt }) => ({ attStmt: new Map(attStmt).set('alg', -8) })),
      'unsupported',
    ],
    ['attack: no alg', () => registration(x5c(), {}, without('alg')), notVerified],
    ['attack: no sig', () => registration(x5c(), {}, without('sig')), notVerified],
    [
      'attack: none with a statement',
      () =>
        registration({ aaguid: AAGUID, attestation: 'none' }, {}, () => ({
          attStmt: new Map([['x5c', [leaf.certificate]]]),
        })),
      notVerified,
    ],
    [
      'attack: leaf OU is not "Authenticator Attestation"',
      async () =>
        packedWith(
          await ca.issueAttestationCertificate({
            aaguid: AAGUID,
            subject: { OU: 'Marketing' },
          }),
        ),
      notVerified,
    ],
    [
      'attack: leaf C is not a two-letter code',
      async () => packedWith(await ca.issueAttestationCertificate({ aaguid: AAGUID, subject: { C: 'USA' } })),
      notVerified,
    ],
    [
      'attack: leaf without O',
      async () => packedWith(await craftedLeaf({ subject: 'C=US, OU=Authenticator Attestation, CN=Key' })),
      notVerified,
    ],
    [
      'attack: leaf with basic constraints CA=true',
      async () => packedWith(await craftedLeaf({ basicConstraintsCA: true })),
      notVerified,
    ],
    [
      'attack: leaf version is not 3 (X.509 v2)',
      async () => packedWith(withVersion(await craftedLeaf({}), 1)),
      notVerified,
    ],
    [
      'attack: expired leaf',
      async () =>
        packedWith(
          await ca.issueAttestationCertificate({
            aaguid: AAGUID,
            notBefore: new Date(Date.now() - 400 * DAY_MS),
            notAfter: new Date(Date.now() - DAY_MS),
          }),
        ),
      notVerified,
    ],
    [
      'attack: leaf not yet valid',
      async () =>
        packedWith(
          await ca.issueAttestationCertificate({
            aaguid: AAGUID,
            notBefore: new Date(Date.now() + DAY_MS),
            notAfter: new Date(Date.now() + 400 * DAY_MS),
          }),
        ),
      notVerified,
    ],
    [
      'attack: AAGUID extension (1.3.6.1.4.1.45724.1.1.4) differs from the authenticator data',
      () => registration({ aaguid: AAGUID, attestation: 'packed-x5c', ca, certificateAaguid: OTHER_AAGUID }),
      notVerified,
    ],
    [
      'attack: AAGUID extension that is not an OCTET STRING of 16 bytes (left to SimpleWebAuthn)',
      async () => packedWith(await craftedLeaf({ aaguidExtension: aaguidOctets(AAGUID).subarray(0, 17) })),
      'unsupported',
    ],
    [
      'attack: x5c entry that is not a certificate (left to SimpleWebAuthn)',
      () =>
        registration(x5c(), {}, ({ attStmt }) => ({
          attStmt: new Map(attStmt).set('x5c', [new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])]),
        })),
      'unsupported',
    ],
    [
      'a P-384 leaf (left to SimpleWebAuthn)',
      async () => {
        const p384 = await craftedLeaf({ curve: 'P-384' });
        return registration(x5c(), {}, ({ authData, attStmt, clientDataHash }) => ({
          attStmt: new Map(attStmt)
            .set('x5c', [p384.certificate])
            .set('sig', packedSignature(authData, clientDataHash, p384.privateKey)),
        }));
      },
      'unsupported',
    ],
    ['attack: rpIdHash of another RP', () => registration(x5c(), { rpId: 'evil.example' }), /^Unexpected RP ID hash$/],
    [
      'attack: user not present (UP=0)',
      () => registration(x5c(), { flags: { up: false } }),
      /^User presence was required, but user was not present$/,
    ],
    [
      'attack: user not verified (UV=0)',
      () => registration(x5c(), { flags: { uv: false } }),
      /^User verification was required, but user could not be verified$/,
    ],
    [
      'attack: attested credential data missing (AT=0, authenticator data cut after the counter)',
      () =>
        registration(x5c(), {}, ({ authData, attStmt, clientDataHash }) => {
          const cut = new Uint8Array(authData.subarray(0, 37));
          cut[32] &= ~0x40;
          return {
            authData: cut,
            attStmt: new Map(attStmt).set('sig', packedSignature(cut, clientDataHash, leaf.privateKey)),
          };
        }),
      /^No credential ID was provided by authenticator$/,
    ],
    [
      'attack: backed up but not backup eligible (BS=1, BE=0)',
      () => registration(x5c(), { flags: { bs: true, be: false } }),
      /^Single-device credential indicated that it was backed up/,
    ],
    [
      'attack: another challenge',
      () => registration(x5c(), { clientData: { challenge: 'b3RoZXI' } }),
      /^Unexpected registration response challenge "b3RoZXI"/,
    ],
    [
      'attack: another origin',
      () => registration(x5c(), { clientData: { origin: 'https://evil.example' } }),
      /^Unexpected registration response origin "https:\/\/evil.example", expected one of: http:\/\/localhost:7071$/,
    ],
    [
      'attack: an assertion offered as a registration',
      () => registration(x5c(), { clientData: { type: 'webauthn.get' } }),
      /^Unexpected registration response type: webauthn.get$/,
    ],
  ];

  it.each(rows)('%s', async (_title, make, expected) => {
    const response = await make();
    const fast = await fastPath(response);
    if (expected instanceof RegExp) expect(fast).toEqual({ error: expect.stringMatching(expected) });
    else expect(fast).toEqual(expected);
    // Whatever the fast path decides, SimpleWebAuthn decides the same (or decides alone, when it is left to it).
    if (fast !== 'unsupported') expect(await library(response)).toEqual(fast);
  });

  it('a conditional create (UP=0) passes when user presence is not required, as SimpleWebAuthn lets it', async () => {
    const response = await registration(x5c(), { flags: { up: false } });
    const relaxed = { ...expectations, requireUserPresence: false };
    expect(await fastPath(response, relaxed)).toEqual({ statementVerified: true });
    expect(await library(response, relaxed)).toEqual({ statementVerified: true });
  });

  it('yields the facts SimpleWebAuthn yields (id, key bytes, counter, AAGUID, backup flags)', async () => {
    const response = await registration(x5c(), { flags: { be: true, bs: true } });
    const attestation = decodeAttestation(response.response.attestationObject)!;
    const fast = await new RegistrationVerifier(new AssertionVerifier()).verify(response, expectations, attestation);
    expect(fast).toEqual(await verifyWithSimpleWebAuthn(response, expectations));
    expect(fast).toMatchObject({ credentialId: response.id, aaguid: AAGUID, backupEligible: true, backedUp: true });
  });

  it('attack: a cached leaf still expires (its dates are judged at every verify, not when it was read)', async () => {
    const shortLived = await ca.issueAttestationCertificate({
      aaguid: AAGUID,
      notBefore: new Date(Date.now() - DAY_MS),
      notAfter: new Date(Date.now() + DAY_MS),
    });
    const model = { aaguid: AAGUID, attestation: 'packed-x5c' as const, attestationCertificate: shortLived };
    expect(await fastPath(await registration(model))).toEqual({ statementVerified: true });
    const later = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 2 * DAY_MS);
    try {
      expect(await fastPath(await registration(model))).toEqual({ statementVerified: false });
    } finally {
      later.mockRestore();
    }
    expect(await fastPath(await registration(model))).toEqual({ statementVerified: true });
  });
});

describe('RegistrationVerifier against SimpleWebAuthn on random corruptions (differential)', () => {
  /** A small seeded PRNG (mulberry32), so a failure names a reproducible case. */
  const random = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const flip = (bytes: Uint8Array, next: () => number) => {
    const out = new Uint8Array(bytes);
    const at = Math.floor(next() * out.length);
    // A flipped bit, or a byte replaced by any value.
    if (next() < 0.5) out[at] ^= 1 << Math.floor(next() * 8);
    else out[at] = Math.floor(next() * 256);
    return out;
  };

  it('attack: a flipped bit or a changed byte in the leaf, the signature or the authenticator data gets the same answer from both', async () => {
    const ca = await TestAttestationCa.create();
    const leaf = await ca.issueAttestationCertificate({ aaguid: AAGUID });
    const model: SoftAuthenticatorOptions = { aaguid: AAGUID, attestation: 'packed-x5c', attestationCertificate: leaf };
    // DIFFERENTIAL_SEED / DIFFERENTIAL_CASES widen the search when this file is run on its own.
    const next = random(Number(process.env.DIFFERENTIAL_SEED ?? 10));
    const cases = Number(process.env.DIFFERENTIAL_CASES ?? 240);
    let compared = 0;
    for (let i = 0; i < cases; i++) {
      const target = (['x5c', 'sig', 'authData'] as const)[i % 3];
      const response = await registration(model, {}, ({ authData, attStmt }) => {
        if (target === 'authData') return { authData: flip(authData, next) };
        const stmt = new Map(attStmt);
        if (target === 'sig') stmt.set('sig', flip(attStmt.get('sig') as Uint8Array, next));
        else stmt.set('x5c', [flip(leaf.certificate, next)]);
        return { attStmt: stmt };
      });
      const fast = await fastPath(response);
      if (fast === 'unsupported') continue;
      expect({ case: i, target, outcome: await library(response) }).toEqual({ case: i, target, outcome: fast });
      compared++;
    }
    expect(compared).toBeGreaterThan(cases / 2);
  });
});

describe('SimpleWebAuthnAdapter with the node:crypto path: trust decisions on the chain', () => {
  let vendor: TestAttestationCa;
  let attacker: TestAttestationCa;
  beforeAll(async () => {
    [vendor, attacker] = await Promise.all([
      TestAttestationCa.create(),
      TestAttestationCa.create({ commonName: 'Mallory' }),
    ]);
  });

  async function register(model: SoftAuthenticatorOptions, now?: () => Date) {
    const adapter = await SimpleWebAuthnAdapter.create({
      metadata: [{ aaguid: AAGUID, roots: [new X509Certificate(vendor.certificate)], statusReports: [] }],
      now,
    });
    return adapter.verifyRegistration(await registration(model), {
      challenge: CHALLENGE,
      origins: [ORIGIN],
      rpId: 'localhost',
    });
  }

  it('packed x5c chaining to the statement root is attested', async () => {
    await expect(register({ aaguid: AAGUID, attestation: 'packed-x5c', ca: vendor })).resolves.toMatchObject({
      attested: true,
      attestationTrust: 'metadataRoot',
    });
  });

  it('attack: leaf not issued by the chain it comes with (the vendor intermediate sent after an attacker leaf)', async () => {
    const intermediate = await vendor.issueIntermediateCa();
    const genuine = await intermediate.issueAttestationCertificate({ aaguid: AAGUID });
    const forged = await attacker.issueAttestationCertificate({ aaguid: AAGUID });
    const attestationCertificate = { ...forged, intermediates: genuine.intermediates };
    await expect(
      register({ aaguid: AAGUID, attestation: 'packed-x5c', attestationCertificate }),
    ).resolves.toMatchObject({
      attested: false,
      attestationTrust: 'untrustedRoot',
      attestationCertificates: [],
    });
  });

  it('attack: a leaf that verified while valid is not attested once the clock passes it (leaf and chain both cached)', async () => {
    const attestationCertificate = await vendor.issueAttestationCertificate({ aaguid: AAGUID });
    const model = { aaguid: AAGUID, attestation: 'packed-x5c' as const, attestationCertificate };
    await expect(register(model)).resolves.toMatchObject({ attested: true });
    const later = Date.now() + 400 * DAY_MS;
    const spy = jest.spyOn(Date, 'now').mockReturnValue(later);
    try {
      await expect(register(model, () => new Date(later))).resolves.toMatchObject({
        attested: false,
        attestationTrust: 'statementNotVerified',
      });
    } finally {
      spy.mockRestore();
    }
  });
});

describe('aaguidString', () => {
  it.each([
    ['00000000000000000000000000000000'],
    ['5ca1ab1e00004000800000000000c0de'],
    ['ffffffffffffffffffffffffffffffff'],
    ['0123456789abcdef0123456789abcdef'],
  ])('%s reads as SimpleWebAuthn writes it', (hex) => {
    const bytes = new Uint8Array(Buffer.from(hex, 'hex'));
    expect(aaguidString(bytes)).toBe(convertAAGUIDToString(bytes));
  });
});
