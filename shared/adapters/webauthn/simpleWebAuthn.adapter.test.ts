import { X509Certificate } from 'node:crypto';
import {
  attestationKeyIdentifier,
  createSelfSignedAttestationCertificate,
  SoftAuthenticator,
  TestAttestationCa,
  type SoftAuthenticatorOptions,
} from '../../../cli/authenticators/soft';
import { MetadataEntry } from './metadataStatements';
import { AttestationTrustSources, SimpleWebAuthnAdapter } from './simpleWebAuthn.adapter';

const ORIGIN = 'http://localhost:7071';
const U2F = '00000000-0000-0000-0000-000000000000';
const AAGUID = '5ca1ab1e-0000-4000-8000-00000000c0de';
const DAY_MS = 24 * 60 * 60 * 1000;

/** Registers `model` through the adapter (options and verification both from it). */
async function registerThrough(sources: AttestationTrustSources, model: SoftAuthenticatorOptions) {
  const adapter = await SimpleWebAuthnAdapter.create(sources);
  const challenge = Buffer.from('a-challenge-of-enough-bytes-0123').toString('base64url');
  const options = await adapter.registrationOptions({
    rpId: 'localhost',
    rpName: 'Contoso',
    userHandle: 'dXNlcg',
    userName: 'alice',
    userDisplayName: 'Alice',
    challenge,
    timeoutMs: 60000,
    excludeCredentials: [],
  });
  const response = await new SoftAuthenticator(model).createCredential(options, { origin: ORIGIN });
  return adapter.verifyRegistration(response, { challenge, origins: [ORIGIN], rpId: 'localhost' });
}

/** An adapter without trust roots and a `none`-attested registration response to a challenge it offered. */
async function noneRegistration() {
  const adapter = await SimpleWebAuthnAdapter.create({});
  const challenge = Buffer.from('a-challenge-of-enough-bytes-0123').toString('base64url');
  const options = await adapter.registrationOptions({
    rpId: 'localhost',
    rpName: 'Contoso',
    userHandle: 'dXNlcg',
    userName: 'alice',
    userDisplayName: 'Alice',
    challenge,
    timeoutMs: 60000,
    excludeCredentials: [],
  });
  const response = await new SoftAuthenticator({ aaguid: AAGUID, attestation: 'none' }).createCredential(options, {
    origin: ORIGIN,
  });
  return { adapter, challenge, response };
}

describe('SimpleWebAuthnAdapter attestation trust', () => {
  let vendor: TestAttestationCa;
  let configured: TestAttestationCa;
  beforeAll(async () => {
    [vendor, configured] = await Promise.all([
      TestAttestationCa.create(),
      TestAttestationCa.create({ commonName: 'Configured' }),
    ]);
  });
  const entry = (over: Partial<MetadataEntry>): MetadataEntry => ({
    roots: [new X509Certificate(vendor.certificate)],
    statusReports: [],
    ...over,
  });

  it('attack: self-signed fido-u2f is notAttested (untrustedRoot), though SimpleWebAuthn verifies it', async () => {
    const attestationCertificate = await createSelfSignedAttestationCertificate();
    const verified = await registerThrough(
      { metadata: [entry({ aaguid: AAGUID })] },
      { aaguid: U2F, attestation: 'fido-u2f', attestationCertificate },
    );
    expect(verified).toMatchObject({
      attestationFormat: 'fido-u2f',
      attested: false,
      attestationTrust: 'untrustedRoot',
      attestationCertificates: [],
    });
  });

  it('fido-u2f listed by key identifier is attested by the metadata root', async () => {
    const leaf = await vendor.issueAttestationCertificate();
    const verified = await registerThrough(
      { metadata: [entry({ attestationCertificateKeyIdentifiers: [attestationKeyIdentifier(leaf)] })] },
      { aaguid: U2F, attestation: 'fido-u2f', attestationCertificate: leaf },
    );
    expect(verified).toMatchObject({ attested: true, attestationTrust: 'metadataRoot' });
    expect(verified.attestationCertificates).toHaveLength(1);
  });

  it('packed x5c from a configured root is attested (configuredRoot), and expired once the clock passes the leaf', async () => {
    const model: SoftAuthenticatorOptions = { aaguid: AAGUID, attestation: 'packed-x5c', ca: configured };
    const trustRoots = [new X509Certificate(configured.certificate)];
    await expect(registerThrough({ trustRoots }, model)).resolves.toMatchObject({
      attested: true,
      attestationTrust: 'configuredRoot',
    });
    const later = () => new Date(Date.now() + 400 * DAY_MS);
    await expect(registerThrough({ trustRoots, now: later }, model)).resolves.toMatchObject({
      attested: false,
      attestationTrust: 'expiredCertificate',
    });
  });

  it('attack: a response naming another credential id than the attested one is refused', async () => {
    const { adapter, challenge, response } = await noneRegistration();
    const forged = Buffer.from('someone-elses-credential-id').toString('base64url');
    await expect(
      adapter.verifyRegistration(
        { ...response, id: forged, rawId: forged },
        { challenge, origins: [ORIGIN], rpId: 'localhost' },
      ),
    ).rejects.toMatchObject({ code: 'invalidWebAuthnResponse' });
    await expect(
      adapter.verifyRegistration(response, { challenge, origins: [ORIGIN], rpId: 'localhost' }),
    ).resolves.toMatchObject({ credentialId: response.id });
  });

  it('attack: an attestation object whose attStmt is not a map registers as notAttested instead of crashing (500)', async () => {
    const { adapter, challenge, response } = await noneRegistration();
    const { isoCBOR } = await import('@simplewebauthn/server/helpers');
    const decoded = isoCBOR.decodeFirst<Map<string, unknown>>(
      Buffer.from(response.response.attestationObject, 'base64url'),
    );
    decoded.set('attStmt', 7);
    const attestationObject = Buffer.from(isoCBOR.encode(decoded as Map<string, never>)).toString('base64url');
    const result = adapter.verifyRegistration(
      { ...response, response: { ...response.response, attestationObject } },
      { challenge, origins: [ORIGIN], rpId: 'localhost' },
    );
    await expect(result.then((v) => v.attested)).resolves.toBe(false);
  });

  it.each([
    ['CBOR that is not a map', Buffer.from('not cbor').toString('base64url')],
    ['not CBOR at all', Buffer.from([0xff, 0xff]).toString('base64url')],
  ])(
    'attack: an attestation object that is %s is refused as invalidWebAuthnResponse (never a 500)',
    async (_t, attestationObject) => {
      const { adapter, challenge, response } = await noneRegistration();
      await expect(
        adapter.verifyRegistration(
          { ...response, response: { ...response.response, attestationObject } },
          { challenge, origins: [ORIGIN], rpId: 'localhost' },
        ),
      ).rejects.toMatchObject({ code: 'invalidWebAuthnResponse' });
    },
  );

  it('attack: none and self attestation are notAttested (noCertificateChain) even with roots configured', async () => {
    const sources = { metadata: [entry({ aaguid: AAGUID })], trustRoots: [new X509Certificate(vendor.certificate)] };
    for (const attestation of ['none', 'packed-self'] as const) {
      await expect(registerThrough(sources, { aaguid: AAGUID, attestation })).resolves.toMatchObject({
        attested: false,
        attestationTrust: 'noCertificateChain',
      });
    }
  });

  it('attack: a statement SimpleWebAuthn refuses (AAGUID extension mismatch) registers as notAttested, not as an error', async () => {
    const verified = await registerThrough(
      { metadata: [entry({ aaguid: AAGUID })] },
      { aaguid: AAGUID, attestation: 'packed-x5c', ca: vendor, certificateAaguid: U2F },
    );
    expect(verified).toMatchObject({ attested: false, attestationTrust: 'statementNotVerified', aaGuid: AAGUID });
  });
});
