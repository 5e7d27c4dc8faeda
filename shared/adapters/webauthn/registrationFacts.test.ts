import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';
import { randomBytes } from 'node:crypto';
import { base64urlBytes, decodeAttestation } from './registrationFacts';

describe('base64urlBytes: the bytes SimpleWebAuthn reads', () => {
  it.each([
    ['empty', ''],
    ['whole bytes', 'AQID'],
    ['one trailing byte', 'AQ'],
    ['trailing bits set beyond the last byte', 'QR'],
    ['two trailing bytes', 'AQI'],
    ['padded', 'AQ=='],
    ['base64 alphabet (+ and /)', 'a+b/'],
    ['a length no byte count has', 'AQIDB'],
    ['stray characters', 'AQ.D'],
  ])('%s', (_title, text) => {
    expect(Buffer.from(base64urlBytes(text))).toEqual(Buffer.from(isoBase64URL.toBuffer(text)));
  });

  it('random byte strings round-trip', () => {
    for (let i = 0; i < 200; i++) {
      const bytes = randomBytes(i);
      expect(Buffer.from(base64urlBytes(bytes.toString('base64url')))).toEqual(bytes);
    }
  });
});

describe('decodeAttestation', () => {
  const encode = (value: Parameters<typeof isoCBOR.encode>[0]) =>
    Buffer.from(isoCBOR.encode(value)).toString('base64url');

  it.each<[string, string, ReturnType<typeof decodeAttestation>]>([
    ['attack: not CBOR', Buffer.from('not cbor').toString('base64url'), undefined],
    [
      'attack: fmt that is not a string, attStmt that is not a map',
      encode(
        new Map<string, number>([
          ['fmt', 7],
          ['attStmt', 7],
        ]),
      ),
      { fmt: 'unknown', attStmt: 7, authData: undefined, x5c: [] },
    ],
    [
      'x5c entries that are not byte strings are left out',
      encode(
        new Map<string, Parameters<typeof isoCBOR.encode>[0]>([
          ['fmt', 'packed'],
          ['attStmt', new Map<string, Parameters<typeof isoCBOR.encode>[0]>([['x5c', [new Uint8Array([1]), 'x']]])],
        ]),
      ),
      { fmt: 'packed', attStmt: expect.any(Map), authData: undefined, x5c: [new Uint8Array([1])] },
    ],
  ])('%s', (_title, attestationObject, expected) => {
    expect(decodeAttestation(attestationObject)).toEqual(expected);
  });
});
