import { parseIpAddress } from './parseIpAddress';

const hex = (text: string) => {
  const parsed = parseIpAddress(text);
  return parsed && { version: parsed.version, hex: Buffer.from(parsed.bytes).toString('hex') };
};

describe('parseIpAddress: canonical text forms only', () => {
  it.each<[string, 4 | 6, string]>([
    ['127.0.0.1', 4, '7f000001'],
    ['0.0.0.0', 4, '00000000'],
    ['255.255.255.255', 4, 'ffffffff'],
    ['::1', 6, '00000000000000000000000000000001'],
    ['[::1]', 6, '00000000000000000000000000000001'],
    ['::', 6, '00000000000000000000000000000000'],
    ['2001:db8::8a2e:370:7334', 6, '20010db80000000000008a2e03707334'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', 6, '20010db8000000000000000000000001'],
    ['::ffff:127.0.0.1', 6, '00000000000000000000ffff7f000001'],
    ['fe80::1%eth0', 6, 'fe800000000000000000000000000001'],
    ['1::', 6, '00010000000000000000000000000000'],
  ])('%s is IPv%d %s', (text, version, bytes) => {
    expect(hex(text)).toEqual({ version, hex: bytes });
  });

  it.each([
    ['a decimal integer (URL shorthand)', '2130706433'],
    ['a hex octet', '0x7f.0.0.1'],
    ['a leading zero (octal in some parsers)', '0177.0.0.1'],
    ['an octet over 255', '256.0.0.1'],
    ['three octets', '127.0.1'],
    ['a host name', 'localhost'],
    ['two ::', '1::2::3'],
    ['too many groups', '1:2:3:4:5:6:7:8:9'],
    ['too few groups without ::', '1:2:3:4:5:6:7'],
    [':: standing for no group', '1:2:3:4::5:6:7:8'],
    ['a group of five digits', '12345::1'],
    ['a dotted quad before the last group', '::127.0.0.1:1'],
    ['a bad trailing dotted quad', '::ffff:127.0.0.256'],
    ['an empty string', ''],
  ])('refuses %s (%s)', (_title, text) => {
    expect(parseIpAddress(text)).toBeNull();
  });
});
