import { encodeCBOR, type CBORType } from '@levischuck/tiny-cbor';
import { createHash } from 'node:crypto';
import fc from 'fast-check';

/*
 * Hostile CBOR for the WebAuthn parsers: attestation objects whose map values have the wrong
 * types, deep nesting, lengths far beyond the data, truncations of valid objects, indefinite
 * lengths without a break, odd tags; authenticator data with hostile flags, lengths and COSE keys.
 */

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

/** Any CBOR value tiny-cbor can encode, a few levels deep. */
const cborValue: fc.Arbitrary<CBORType> = fc.letrec<{ value: CBORType }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer(),
    fc.constantFrom(-1, 0, 1, 2, 3, -7, -8, -257, 0xffffffff, Number.MAX_SAFE_INTEGER),
    fc.string({ maxLength: 20 }),
    bytes(0, 80),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc
      .array(fc.tuple(fc.oneof(fc.integer({ min: -10, max: 10 }), fc.string({ maxLength: 8 })), tie('value')), {
        maxLength: 5,
      })
      .map((entries) => new Map<string | number, CBORType>(entries)),
  ),
})).value;

const encode = (value: CBORType): Uint8Array => encodeCBOR(value);

/** A COSE_Key that is wrong in one way: unknown kty/alg/crv, coordinates of the wrong size or type. */
export const hostileCoseKey: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc
    .record({
      kty: fc.oneof(fc.constantFrom(1, 2, 3, 4, 0, -1, 99), fc.string({ maxLength: 4 })),
      alg: fc.oneof(fc.constantFrom(-7, -8, -257, -35, 0, 1, 99999), fc.string({ maxLength: 4 })),
      crv: fc.oneof(fc.constantFrom(1, 2, 3, 6, 7, 99), bytes(0, 4)),
      x: fc.oneof(bytes(0, 70), fc.integer(), fc.string({ maxLength: 10 })),
      y: fc.oneof(bytes(0, 70), fc.constant(null), fc.boolean()),
    })
    .map(({ kty, alg, crv, x, y }) =>
      encode(
        new Map<number, CBORType>([
          [1, kty],
          [3, alg],
          [-1, crv],
          [-2, x],
          [-3, y],
        ]),
      ),
    ),
  cborValue.map(encode),
  // An RSA key with a 0-byte modulus or a huge exponent.
  fc.tuple(bytes(0, 3), bytes(0, 600)).map(([n, e]) =>
    encode(
      new Map<number, CBORType>([
        [1, 3],
        [3, -257],
        [-1, n],
        [-2, e],
      ]),
    ),
  ),
);

/** Authenticator data with hostile flags, counters, lengths and attested credential data. */
export function hostileAuthenticatorData(rpId: string): fc.Arbitrary<Uint8Array> {
  const rpIdHash = createHash('sha256').update(rpId).digest();
  return fc.oneof(
    bytes(0, 36),
    fc
      .record({
        rightRp: fc.boolean(),
        flags: fc.integer({ min: 0, max: 255 }),
        counter: fc.integer({ min: 0, max: 0xffffffff }),
        aaguid: bytes(16, 16),
        idLength: fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.constant(0xffff)),
        id: bytes(0, 80),
        key: fc.oneof(hostileCoseKey, bytes(0, 40)),
        extensions: fc.oneof(fc.constant(new Uint8Array()), cborValue.map(encode), bytes(1, 20)),
        truncateTo: fc.option(fc.nat(), { nil: undefined }),
      })
      .map(({ rightRp, flags, counter, aaguid, idLength, id, key, extensions, truncateTo }) => {
        const head = Buffer.alloc(37);
        (rightRp ? rpIdHash : Buffer.alloc(32, 7)).copy(head, 0);
        head.writeUInt8(flags, 32);
        head.writeUInt32BE(counter, 33);
        const length = Buffer.alloc(2);
        length.writeUInt16BE(idLength);
        const attested = flags & 0x40 ? Buffer.concat([aaguid, length, id, key]) : Buffer.alloc(0);
        const all = Buffer.concat([head, attested, flags & 0x80 ? extensions : Buffer.alloc(0)]);
        return new Uint8Array(truncateTo === undefined ? all : all.subarray(0, truncateTo % (all.length + 1)));
      }),
  );
}

/** Raw CBOR headers that promise far more than follows, nest deeply, or never end. */
const malformedCbor: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc
    .integer({ min: 1_000, max: 12_000 })
    .map((depth) => new Uint8Array([...new Array<number>(depth).fill(0x81), 0xa0])),
  fc
    .integer({ min: 1_000, max: 6_000 })
    .map((depth) => new Uint8Array([...new Array<number>(depth).fill(0).flatMap(() => [0xa1, 0x00]), 0x00])),
  fc
    .constantFrom(
      [0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      [0x7b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      [0x9b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00],
      [0xbb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
      [0xba, 0xff, 0xff, 0xff, 0xff],
      [0xa3, 0x63, 0x66, 0x6d, 0x74, 0x5a, 0xff, 0xff, 0xff, 0xff],
      [0xbf, 0x63, 0x66, 0x6d, 0x74, 0x64, 0x6e, 0x6f, 0x6e, 0x65],
      [0x5f, 0x41, 0x00, 0x41, 0x00],
      [0x9f, 0x9f, 0x9f, 0x9f],
      [0xff],
      [0x1c],
      [0xf8, 0x00],
      [0xc6, 0xc6, 0xc6, 0xc6, 0xa0],
      [0xd8, 0x18, 0x45, 0x01],
      [0xfb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0],
    )
    .map((b) => new Uint8Array(b)),
  bytes(0, 64),
);

/** An attestation object `{fmt, attStmt, authData}` that is hostile in one of many ways. */
export function hostileAttestationObject(rpId: string, valid?: Uint8Array): fc.Arbitrary<Uint8Array> {
  const authData = fc.oneof(hostileAuthenticatorData(rpId), bytes(0, 10));
  const wrongTypes = fc
    .record({
      fmt: fc.oneof(
        fc.constantFrom(
          'none',
          'packed',
          'fido-u2f',
          'tpm',
          'android-key',
          'android-safetynet',
          'apple',
          'unknown',
          '',
        ),
        cborValue,
      ),
      attStmt: fc.oneof(
        fc.constant(new Map<string, CBORType>()),
        fc
          .record({
            alg: cborValue,
            sig: cborValue,
            x5c: fc.oneof(cborValue, fc.array(bytes(0, 300), { maxLength: 3 })),
          })
          .map((s) => new Map<string, CBORType>(Object.entries(s))),
        cborValue,
      ),
      authData: fc.oneof(authData, cborValue),
    })
    .map(({ fmt, attStmt, authData: a }) =>
      encode(
        new Map<string, CBORType>([
          ['fmt', fmt],
          ['attStmt', attStmt],
          ['authData', a],
        ]),
      ),
    );
  const choices: Array<fc.Arbitrary<Uint8Array>> = [wrongTypes, malformedCbor, cborValue.map(encode)];
  if (valid) {
    // A real attestation object cut short, or with one byte flipped.
    choices.push(fc.nat({ max: valid.length - 1 }).map((n) => valid.subarray(0, n)));
    choices.push(
      fc
        .tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 1, max: 255 }))
        .map(([i, x]) => Uint8Array.from(valid, (b, j) => (j === i ? b ^ x : b))),
    );
  }
  return fc.oneof(...choices);
}
