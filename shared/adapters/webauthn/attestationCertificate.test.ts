import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, webcrypto } from 'node:crypto';
import {
  attestationKeyIdentifier,
  createSelfSignedAttestationCertificate,
  TestAttestationCa,
} from '../../../cli/authenticators/soft';
import { readLeafFacts } from './attestationCertificate';

const AAGUID = '5ca1ab1e-0000-4000-8000-00000000c0de';

describe('readLeafFacts', () => {
  let ca: TestAttestationCa;
  beforeAll(async () => {
    ca = await TestAttestationCa.create();
  });

  it('reads the id-fido-gen-ce-aaguid extension', async () => {
    const leaf = await ca.issueAttestationCertificate({ aaguid: AAGUID });
    expect(readLeafFacts(leaf.certificate).certificateAaguid).toEqual({ kind: 'present', aaguid: AAGUID });
  });

  it('reports an absent extension', async () => {
    const leaf = await ca.issueAttestationCertificate();
    expect(readLeafFacts(leaf.certificate).certificateAaguid).toEqual({ kind: 'absent' });
  });

  it('computes the MDS key identifier: SHA-1 of the subjectPublicKey bits, as an independent derivation does', async () => {
    const leaf = await createSelfSignedAttestationCertificate();
    const facts = readLeafFacts(leaf.certificate);
    expect(facts.keyIdentifier).toBe(attestationKeyIdentifier(leaf));
    // Not the SHA-1 of the whole certificate (the Graph thumbprint) nor of the SPKI.
    expect(facts.keyIdentifier).not.toBe(createHash('sha1').update(leaf.certificate).digest('hex'));
  });

  it('attack: an AAGUID extension that is not an OCTET STRING of 16 bytes is malformed (never "absent")', async () => {
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
    const raw16 = Buffer.from(AAGUID.replace(/-/g, ''), 'hex');
    const cert = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: '01',
        name: 'CN=Odd',
        keys,
        signingAlgorithm: alg,
        notBefore: new Date(Date.now() - 1000),
        notAfter: new Date(Date.now() + 86400000),
        extensions: [new x509.Extension('1.3.6.1.4.1.45724.1.1.4', false, raw16)],
      },
      webcrypto,
    );
    expect(readLeafFacts(new Uint8Array(cert.rawData)).certificateAaguid).toEqual({ kind: 'malformed' });
  });

  it('attack: bytes that are not a certificate read as a malformed extension (never as "absent")', () => {
    expect(readLeafFacts(new Uint8Array([1, 2, 3])).certificateAaguid).toEqual({ kind: 'malformed' });
  });
});
