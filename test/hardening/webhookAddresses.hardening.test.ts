import fc from 'fast-check';
import { AddressClass, classifyAddress } from '../../shared/domain/network/classifyAddress';
import { refusalOf } from '../../shared/domain/network/destinationRefusal';
import { recordFigure, scaled } from './figures';

const SUITE = 'webhook SSRF';

/** Internal ranges as [first octets, prefix bits, class]: an address drawn from each must never pass as public. */
const INTERNAL_RANGES: Array<[number[], number, AddressClass]> = [
  [[127], 8, 'loopback'],
  [[10], 8, 'private'],
  [[172, 16], 12, 'private'],
  [[192, 168], 16, 'private'],
  [[100, 64], 10, 'sharedAddressSpace'],
  [[169, 254], 16, 'linkLocal'],
  [[0], 8, 'unspecified'],
  [[224], 4, 'multicast'],
];

const toInt = (o: number[]) => ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
const toOctets = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

const addressIn = ([prefix, bits]: [number[], number, AddressClass]) => {
  const base = toInt([...prefix, 0, 0, 0, 0].slice(0, 4));
  return fc.integer({ min: 0, max: 2 ** (32 - bits) - 1 }).map((offset) => toOctets((base + offset) >>> 0));
};

const hex = (n: number) => n.toString(16);
/** The spellings of one IPv4 address an attacker can put in a URL host. */
const ENCODINGS: Array<(o: number[]) => string> = [
  (o) => o.join('.'),
  (o) => String(toInt(o)),
  (o) => `0x${hex(toInt(o))}`,
  (o) => o.map((x) => `0x${hex(x)}`).join('.'),
  (o) => o.map((x) => `0${x.toString(8)}`).join('.'),
  (o) => `${o[0]}.${(o[1] << 16) | (o[2] << 8) | o[3]}`,
  (o) => `${o[0]}.${o[1]}.${(o[2] << 8) | o[3]}`,
  (o) => `${o.join('.')}.`,
  (o) => `[::ffff:${o.join('.')}]`,
  (o) => `[::ffff:${hex((o[0] << 8) | o[1])}:${hex((o[2] << 8) | o[3])}]`,
  (o) => `[64:ff9b::${hex((o[0] << 8) | o[1])}:${hex((o[2] << 8) | o[3])}]`,
  (o) => `[2002:${hex((o[0] << 8) | o[1])}:${hex((o[2] << 8) | o[3])}::1]`,
];

describe('webhook addresses (fuzzed)', () => {
  it('attack: any internal IPv4 address, in any URL spelling, is never classified public nor allowed', () => {
    const runs = scaled(2_000, 50_000);
    const range = fc.constantFrom(...INTERNAL_RANGES);
    fc.assert(
      fc.property(
        range.chain((r) => fc.tuple(fc.constant(r), addressIn(r), fc.constantFrom(...ENCODINGS.keys()))),
        ([[, , expected], octets, encoding]) => {
          const host = new URL(`https://${ENCODINGS[encoding](octets)}/hook`).hostname;
          const addressClass = classifyAddress(host);
          // The single metadata addresses inside a range (169.254.169.254, 100.100.100.200) are their own, stricter class.
          expect([expected, 'metadata']).toContain(addressClass);
          expect(
            refusalOf({ scheme: 'https', addresses: [host.replace(/^\[|\]$/g, '')], allowPrivateNetworks: false }),
          ).toMatchObject({ reason: 'refusedAddress' });
        },
      ),
      { numRuns: runs },
    );
    recordFigure(SUITE, 'internal addresses × URL spellings refused', runs);
  });

  it('public IPv4 addresses in any spelling stay public (the check blocks no legitimate receiver)', () => {
    const runs = scaled(1_000, 20_000);
    const publicOctets = fc
      .tuple(
        fc.integer({ min: 1, max: 223 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
      )
      .map((t) => [...t])
      .filter((o) => classifyAddress(o.join('.')) === 'public');
    fc.assert(
      fc.property(publicOctets, fc.constantFrom(...ENCODINGS.keys()), (octets, encoding) => {
        expect(classifyAddress(new URL(`https://${ENCODINGS[encoding](octets)}/`).hostname)).toBe('public');
      }),
      { numRuns: runs },
    );
    recordFigure(SUITE, 'public addresses × URL spellings allowed', runs);
  });

  it('never throws on arbitrary text, and text that is not an address is not classified', () => {
    const runs = scaled(2_000, 100_000);
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const result = classifyAddress(text);
        if (result !== null) expect(text).toMatch(/^[\d.]+$|:/);
      }),
      { numRuns: runs },
    );
    recordFigure(SUITE, 'random strings classified without error', runs);
  });
});
