import { CompactSign } from 'jose';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetadataEntry, createMetadataStatement, TestAttestationCa } from '../../../cli/authenticators/soft';
import { createMdsSigner, MdsPayload, MdsSigner, signMdsBlob, tamperMdsBlob } from '../../../test/support/mdsBlob';
import { loadMdsRoots, MdsBlobVerifier } from './metadataBlob';

const AAGUID = '5ca1ab1e-0000-4000-8000-00000000c0de';
const NOW = new Date();

describe('MdsBlobVerifier', () => {
  let root: TestAttestationCa;
  let otherRoot: TestAttestationCa;
  let signer: MdsSigner;
  let payload: MdsPayload;
  let verifier: MdsBlobVerifier;
  beforeAll(async () => {
    [root, otherRoot] = await Promise.all([
      TestAttestationCa.create({ commonName: 'Contoso Test MDS Root' }),
      TestAttestationCa.create({ commonName: 'Fabrikam Root' }),
    ]);
    signer = await createMdsSigner(root);
    payload = {
      no: 7,
      nextUpdate: '2099-01-01',
      entries: [createMetadataEntry(createMetadataStatement(AAGUID, root)), { aaguid: 'no-statement' }],
    };
    verifier = new MdsBlobVerifier([new X509Certificate(root.certificate)]);
  });

  it('a blob signed under the configured root: no, nextUpdate and the reduced entries (icons and the rest left out)', async () => {
    const verified = await verifier.verify(await signMdsBlob(signer, payload), NOW);
    expect(verified).toEqual({
      no: 7,
      nextUpdate: '2099-01-01',
      entries: [
        {
          aaguid: AAGUID,
          statusReports: [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2025-01-01' }],
          metadataStatement: {
            aaguid: AAGUID,
            description: 'Contoso Test Key',
            attestationRootCertificates: [root.certificateBase64],
          },
        },
      ],
    });
  });

  it('a chain through an intermediate CA verifies too', async () => {
    const intermediate = await root.issueIntermediateCa();
    const verified = await verifier.verify(await signMdsBlob(await createMdsSigner(intermediate), payload), NOW);
    expect(verified.no).toBe(7);
  });

  it.each([
    [
      'attack: a tampered payload (signature kept)',
      async () => tamperMdsBlob(await signMdsBlob(signer, payload), { ...payload, no: 8 }),
      /signature does not verify/,
    ],
    [
      'attack: a blob signed under another root',
      async () => signMdsBlob(await createMdsSigner(otherRoot), payload),
      /does not end in the configured root \(FIDO_MDS_ROOT_CERT\)/,
    ],
    [
      'attack: a chain that names our root but was signed by another key (x5c of ours, key of theirs)',
      async () => {
        const theirs = await createMdsSigner(otherRoot);
        return signMdsBlob({ ...signer, privateKey: theirs.privateKey }, payload);
      },
      /signature does not verify/,
    ],
    [
      'attack: alg none (unsigned)',
      async () => {
        const header = Buffer.from(
          JSON.stringify({ alg: 'none', x5c: [Buffer.from(signer.certificate).toString('base64')] }),
        );
        return `${header.toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
      },
      /signature does not verify/,
    ],
    [
      'attack: HS256 with the certificate as the HMAC key',
      async () =>
        new CompactSign(Buffer.from(JSON.stringify(payload)))
          .setProtectedHeader({ alg: 'HS256', x5c: [Buffer.from(signer.certificate).toString('base64')] })
          .sign(Buffer.from(signer.certificate)),
      /signature does not verify/,
    ],
    [
      'an expired signing certificate',
      async () => signMdsBlob(await createMdsSigner(root, { notAfter: new Date(Date.now() - 1000) }), payload),
      /outside its validity period/,
    ],
    [
      'no x5c in the header',
      async () =>
        new CompactSign(Buffer.from(JSON.stringify(payload)))
          .setProtectedHeader({ alg: 'ES256' })
          .sign(signer.privateKey),
      /no x5c certificate chain/,
    ],
    ['not a JWS at all', async () => 'not-a-jwt', /not a JWS/],
    [
      'a payload that is no MDS3 payload',
      async () => signMdsBlob(signer, { no: -1, nextUpdate: '2099-01-01', entries: [] }),
      /not an MDS3 payload: no:/,
    ],
  ])('refuses %s', async (_name, blob, reason) => {
    await expect(verifier.verify(await blob(), NOW)).rejects.toThrow(reason);
  });
});

describe('loadMdsRoots (FIDO_MDS_ROOT_CERT)', () => {
  let dir: string;
  let ca: TestAttestationCa;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'passkeys-mdsroot-'));
    ca = await TestAttestationCa.create();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to the FIDO Alliance roots SimpleWebAuthn ships (GlobalSign)', () => {
    const roots = loadMdsRoots(undefined);
    expect(roots.length).toBeGreaterThan(0);
    expect(roots.every((r) => r.subject.includes('GlobalSign'))).toBe(true);
  });

  it.each([
    ['a PEM file', () => (writeFileSync(join(dir, 'root.pem'), ca.certificatePem), join(dir, 'root.pem'))],
    ['a DER file', () => (writeFileSync(join(dir, 'root.cer'), ca.certificate), join(dir, 'root.cer'))],
    ['inline PEM', () => ca.certificatePem],
    ['base64 DER', () => ca.certificateBase64],
  ])('reads %s', (_name, setting) => {
    const [root] = loadMdsRoots(setting());
    expect(root.raw.toString('base64')).toBe(ca.certificateBase64);
  });

  it.each([
    ['a missing file', () => '/nonexistent/root.pem', /neither an existing file nor a certificate/],
    ['junk text', () => 'not a certificate!', /neither an existing file nor a certificate/],
    ['base64 that is no certificate', () => 'bm90IGEgY2VydA==', /not an X.509 certificate/],
    [
      'a file that is no certificate',
      () => (writeFileSync(join(dir, 'junk.pem'), 'junk'), join(dir, 'junk.pem')),
      /not an X.509 certificate/,
    ],
  ])('refuses %s, naming the setting', (_name, setting, reason) => {
    expect(() => loadMdsRoots(setting())).toThrow(/^FIDO_MDS_ROOT_CERT: /);
    expect(() => loadMdsRoots(setting())).toThrow(reason);
  });
});
