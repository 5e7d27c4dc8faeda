import { TestAttestationCa } from '../../../cli/authenticators/soft';
import { certificateId, parseCertificate } from './certificateCache';

describe('parseCertificate', () => {
  let ca: TestAttestationCa;
  beforeAll(async () => {
    ca = await TestAttestationCa.create();
  });

  it('parses a certificate once per DER: the same bytes in another array give the same object', async () => {
    const { certificate } = await ca.issueAttestationCertificate();
    const first = parseCertificate(certificate);
    expect(first?.raw.equals(Buffer.from(certificate))).toBe(true);
    expect(parseCertificate(new Uint8Array(certificate))).toBe(first);
  });

  it('attack: bytes that differ by one bit are another certificate (never served from the cache)', async () => {
    const { certificate } = await ca.issueAttestationCertificate();
    const tampered = new Uint8Array(certificate);
    tampered[tampered.length - 1] ^= 1;
    expect(certificateId(tampered)).not.toBe(certificateId(certificate));
    expect(parseCertificate(tampered)).not.toBe(parseCertificate(certificate));
  });

  it.each([
    ['not DER', new Uint8Array([1, 2, 3])],
    ['an empty SEQUENCE', new Uint8Array([0x30, 0x00])],
  ])('attack: %s is not a certificate (also the second time)', (_title, der) => {
    expect(parseCertificate(der)).toBeUndefined();
    expect(parseCertificate(der)).toBeUndefined();
  });

  it('stays bounded: after more than 1,024 other certificates the first one is parsed again', async () => {
    const { certificate } = await ca.issueAttestationCertificate();
    const first = parseCertificate(certificate);
    // Distinct DERs that OpenSSL refuses still take a slot each.
    for (let i = 0; i < 1100; i++) parseCertificate(new Uint8Array([0x30, 0x02, 0x04, i & 0xff, i >> 8]));
    const again = parseCertificate(certificate);
    expect(again).not.toBe(first);
    expect(again?.raw.equals(Buffer.from(certificate))).toBe(true);
  });
});
