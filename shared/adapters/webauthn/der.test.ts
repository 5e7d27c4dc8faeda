import { children, readTlv } from './der';

const bytes = (hex: string) => new Uint8Array(Buffer.from(hex.replace(/\s/g, ''), 'hex'));

describe('readTlv', () => {
  it.each<[string, string, ReturnType<typeof readTlv> | RegExp]>([
    ['short length', '0403 010203', { tag: 0x04, offset: 0, start: 2, end: 5 }],
    ['long length (0x81)', `0481 80 ${'00'.repeat(0x80)}`, { tag: 0x04, offset: 0, start: 3, end: 0x83 }],
    ['long length (0x82)', `3082 0100 ${'00'.repeat(0x100)}`, { tag: 0x30, offset: 0, start: 4, end: 0x104 }],
    ['zero length', '0500', { tag: 0x05, offset: 0, start: 2, end: 2 }],
    ['attack: length beyond the data', '0405 0102', /truncated/],
    ['attack: no length byte', '04', /truncated/],
    ['attack: empty input', '', /truncated/],
    ['attack: indefinite length (BER, not DER)', '3080 0000', /unsupported DER length form 0x80/],
    ['attack: five length bytes', '3085 0000000001 00', /unsupported DER length form 0x85/],
    ['attack: long-form length bytes cut off', '3082 01', /truncated/],
  ])('%s', (_title, hex, expected) => {
    if (expected instanceof RegExp) expect(() => readTlv(bytes(hex), 0)).toThrow(expected);
    else expect(readTlv(bytes(hex), 0)).toEqual(expected);
  });
});

describe('children', () => {
  it('lists the values inside a constructed value', () => {
    const der = bytes('3006 0201 01 0401 ff');
    expect(children(der, readTlv(der, 0)).map((c) => c.tag)).toEqual([0x02, 0x04]);
  });

  it('attack: a child running past its parent is refused', () => {
    const der = bytes('3003 0203 010203');
    expect(() => children(der, readTlv(der, 0))).toThrow(/truncated/);
  });
});
