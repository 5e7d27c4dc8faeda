import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { TestAttestationCa } from '../../../cli/authenticators/soft';
import { readPackedLeaf } from './packedLeaf';

const AAGUID = '5ca1ab1e-0000-4000-8000-00000000c0de';
const DAY_MS = 24 * 60 * 60 * 1000;

/** A self-signed leaf on `curve` with `name` and the given extensions. */
async function leaf(options: { curve?: string; name?: string | x509.JsonName; extensions?: x509.Extension[] } = {}) {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: options.curve ?? 'P-256' }, true, [
    'sign',
    'verify',
  ]);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: '01',
      name: options.name ?? 'C=US, O=Contoso, OU=Authenticator Attestation, CN=Key',
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2060-01-01T00:00:00Z'),
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      keys,
      extensions: options.extensions ?? [],
    },
    webcrypto,
  );
  return new Uint8Array(certificate.rawData);
}

describe('readPackedLeaf', () => {
  it('reads subject, version, validity, basic constraints, AAGUID extension and key of a CA-issued leaf', async () => {
    const ca = await TestAttestationCa.create();
    const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000 - DAY_MS);
    const issued = await ca.issueAttestationCertificate({ aaguid: AAGUID, notBefore });
    const read = readPackedLeaf(issued.certificate)!;
    expect(read).toMatchObject({
      subject: { C: 'US', O: 'Contoso', OU: 'Authenticator Attestation', CN: 'Contoso Test Key Attestation' },
      version: 2,
      basicConstraintsCA: false,
      notBefore: notBefore.getTime(),
    });
    expect(Buffer.from(read.aaguid!).toString('hex')).toBe(AAGUID.replace(/-/g, ''));
    expect(read.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(readPackedLeaf(issued.certificate)).toBe(read); // read once per DER
  });

  it.each<[string, () => Promise<Uint8Array>, 'read' | 'left to SimpleWebAuthn', Record<string, unknown>]>([
    ['times after 2049 (GeneralizedTime)', () => leaf(), 'read', { notAfter: Date.parse('2060-01-01T00:00:00Z') }],
    [
      'basic constraints CA=true',
      () => leaf({ extensions: [new x509.BasicConstraintsExtension(true)] }),
      'read',
      { basicConstraintsCA: true },
    ],
    [
      'basic constraints cA=false',
      () => leaf({ extensions: [new x509.BasicConstraintsExtension(false, 2)] }),
      'read',
      { basicConstraintsCA: false },
    ],
    ['no AAGUID extension', () => leaf(), 'read', { aaguid: undefined }],
    ['a P-384 key', () => leaf({ curve: 'P-384' }), 'left to SimpleWebAuthn', {}],
    [
      'a subject attribute as BMPString',
      () =>
        leaf({
          name: [{ '2.5.4.11': [{ bmpString: 'Authenticator Attestation' }] }, { '2.5.4.3': ['Key'] }] as x509.JsonName,
        }),
      'left to SimpleWebAuthn',
      {},
    ],
    [
      'attack: an AAGUID extension of 17 bytes',
      () =>
        leaf({
          extensions: [
            new x509.Extension(
              '1.3.6.1.4.1.45724.1.1.4',
              false,
              Buffer.concat([Buffer.from([4, 0x10]), Buffer.alloc(15)]),
            ),
          ],
        }),
      'left to SimpleWebAuthn',
      {},
    ],
    [
      'attack: not a certificate',
      async () => new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]),
      'left to SimpleWebAuthn',
      {},
    ],
  ])('%s', async (_title, make, expected, fields) => {
    const read = readPackedLeaf(await make());
    if (expected === 'left to SimpleWebAuthn') expect(read).toBeUndefined();
    else expect(read).toMatchObject(fields);
  });
});
