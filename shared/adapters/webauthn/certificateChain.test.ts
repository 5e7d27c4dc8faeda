import { X509Certificate } from 'node:crypto';
import { createSelfSignedAttestationCertificate, TestAttestationCa } from '../../../cli/authenticators/soft';
import { verifyCertificateChain } from './certificateChain';

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = new Date();
const days = (n: number) => new Date(NOW.getTime() + n * DAY_MS);
const cert = (ca: TestAttestationCa) => new X509Certificate(ca.certificate);

describe('verifyCertificateChain', () => {
  let root: TestAttestationCa;
  let other: TestAttestationCa;
  let oldRoot: TestAttestationCa;
  let intermediate: TestAttestationCa;
  let leaf: Uint8Array;
  let viaIntermediate: { certificate: Uint8Array; intermediates?: Uint8Array[] };

  beforeAll(async () => {
    [root, other, oldRoot] = await Promise.all([
      TestAttestationCa.create(),
      TestAttestationCa.create({ commonName: 'Other Root' }),
      TestAttestationCa.create({ commonName: 'Old Root', notBefore: days(-3650), notAfter: days(-1) }),
    ]);
    intermediate = await root.issueIntermediateCa();
    leaf = (await root.issueAttestationCertificate()).certificate;
    viaIntermediate = await intermediate.issueAttestationCertificate();
  });

  it('verifies a leaf issued by an anchor', () => {
    expect(verifyCertificateChain([leaf], [cert(other), cert(root)], NOW)).toBe('verified');
  });

  it('verifies a leaf through an intermediate sent in x5c', () => {
    expect(
      verifyCertificateChain([viaIntermediate.certificate, ...viaIntermediate.intermediates!], [cert(root)], NOW),
    ).toBe('verified');
  });

  it('verifies when x5c ends in the anchor itself, or the anchor is the leaf (configured on purpose)', async () => {
    expect(verifyCertificateChain([leaf, root.certificate], [cert(root)], NOW)).toBe('verified');
    const selfSigned = await createSelfSignedAttestationCertificate();
    expect(verifyCertificateChain([selfSigned.certificate], [new X509Certificate(selfSigned.certificate)], NOW)).toBe(
      'verified',
    );
  });

  it.each([
    ['attack: no anchors at all (a chain does not "pass" vacuously)', () => verifyCertificateChain([leaf], [], NOW)],
    ['attack: an anchor that did not issue the leaf', () => verifyCertificateChain([leaf], [cert(other)], NOW)],
    [
      'attack: intermediate missing from x5c',
      () => verifyCertificateChain([viaIntermediate.certificate], [cert(root)], NOW),
    ],
    [
      'attack: links out of order',
      () => verifyCertificateChain([...viaIntermediate.intermediates!, viaIntermediate.certificate], [cert(root)], NOW),
    ],
    [
      'attack: a leaf posing as intermediate (not a CA)',
      () => verifyCertificateChain([viaIntermediate.certificate, leaf], [cert(root)], NOW),
    ],
    ['attack: empty x5c', () => verifyCertificateChain([], [cert(root)], NOW)],
    [
      'attack: x5c that is not a certificate',
      () => verifyCertificateChain([new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])], [cert(root)], NOW),
    ],
    ['attack: overlong x5c', () => verifyCertificateChain(Array(9).fill(leaf), [cert(root)], NOW)],
  ])('%s is untrusted', (_name, run) => {
    expect(run()).toBe('untrusted');
  });

  it('attack: a self-signed leaf is untrusted against the real roots', async () => {
    const selfSigned = await createSelfSignedAttestationCertificate();
    expect(verifyCertificateChain([selfSigned.certificate], [cert(root), cert(other)], NOW)).toBe('untrusted');
  });

  it('attack: a chain outside its validity period is expired (leaf, intermediate or anchor)', async () => {
    expect(verifyCertificateChain([leaf], [cert(root)], days(400))).toBe('expired');
    expect(verifyCertificateChain([leaf], [cert(root)], days(-2))).toBe('expired');
    const oldIntermediate = await root.issueIntermediateCa({ notBefore: days(-100), notAfter: days(-1) });
    const underOld = await oldIntermediate.issueAttestationCertificate();
    expect(verifyCertificateChain([underOld.certificate, ...underOld.intermediates!], [cert(root)], NOW)).toBe(
      'expired',
    );
    const underOldRoot = await oldRoot.issueAttestationCertificate();
    expect(verifyCertificateChain([underOldRoot.certificate], [cert(oldRoot)], NOW)).toBe('expired');
  });

  describe('remembered paths (one check per batch certificate)', () => {
    it('attack: a path verified earlier is expired once the clock passes its validity', () => {
      const anchors = [cert(root)];
      expect(verifyCertificateChain([leaf], anchors, NOW)).toBe('verified');
      expect(verifyCertificateChain([leaf], anchors, days(400))).toBe('expired');
      expect(verifyCertificateChain([leaf], anchors, NOW)).toBe('verified');
    });

    it('attack: a path verified against one anchor list is not trusted against another', () => {
      expect(verifyCertificateChain([leaf], [cert(root)], NOW)).toBe('verified');
      expect(verifyCertificateChain([leaf], [cert(other)], NOW)).toBe('untrusted');
    });

    it('attack: a chain remembered as untrusted stays untrusted, and a different x5c is checked on its own', () => {
      const anchors = [cert(root)];
      expect(verifyCertificateChain([viaIntermediate.certificate], anchors, NOW)).toBe('untrusted');
      expect(verifyCertificateChain([viaIntermediate.certificate], anchors, NOW)).toBe('untrusted');
      expect(
        verifyCertificateChain([viaIntermediate.certificate, ...viaIntermediate.intermediates!], anchors, NOW),
      ).toBe('verified');
    });
  });
});
