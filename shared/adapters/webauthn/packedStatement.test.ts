import { generateKeyPairSync, sign } from 'node:crypto';
import { isCanonicalP256Signature } from './packedStatement';

const der = (hex: string) => new Uint8Array(Buffer.from(hex.replace(/\s/g, ''), 'hex'));
const int = (bytes: string) => `02${(bytes.length / 2).toString(16).padStart(2, '0')}${bytes}`;
const seq = (body: string) => `30${(body.length / 2).toString(16).padStart(2, '0')}${body}`;
const r32 = '11'.repeat(32);
const high32 = '81' + '11'.repeat(31);

describe('isCanonicalP256Signature: what node:crypto and SimpleWebAuthn read as the same r and s', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  it('accepts what OpenSSL signs (many signatures, short and long r and s)', () => {
    for (let i = 0; i < 200; i++)
      expect(isCanonicalP256Signature(sign('sha256', Buffer.from([i]), privateKey))).toBe(true);
  });

  it.each([
    ['32-byte r and s', seq(int(r32) + int(r32)), true],
    ['r with the leading zero a high bit needs', seq(int('00' + high32) + int(r32)), true],
    ['a short r', seq(int('01') + int(r32)), true],
    ['r = 0', seq(int('00') + int(r32)), true],
    ['attack: a negative r (high bit without the zero)', seq(int(high32) + int(r32)), false],
    ['attack: a leading zero that is not needed', seq(int('0011') + int(r32)), false],
    ['attack: a 33-byte r without a leading zero', seq(int('11'.repeat(33)) + int(r32)), false],
    ['attack: an empty INTEGER', seq(int('') + int(r32)), false],
    ['attack: trailing bytes after the SEQUENCE', seq(int(r32) + int(r32)) + '00', false],
    ['attack: a SEQUENCE length that is not the rest', '3045' + int(r32) + int(r32), false],
    ['attack: three INTEGERs', seq(int(r32) + int(r32) + int('01')), false],
    ['attack: raw r || s (IEEE P1363), not DER', r32 + r32, false],
    ['attack: not an INTEGER inside', seq('04' + '20' + r32 + int(r32)), false],
  ])('%s', (_title, hex, expected) => {
    expect(isCanonicalP256Signature(der(hex))).toBe(expected);
  });
});
