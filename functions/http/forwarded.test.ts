import { clientAddress, isValidHostHeader, normaliseAddress, publicOrigin } from './forwarded';

const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name] ?? null });

describe('isValidHostHeader', () => {
  it.each([
    ['localhost', true],
    ['localhost:7071', true],
    ['passkeys.contoso.com', true],
    ['127.0.0.1:80', true],
    ['[::1]:7071', true],
    ['[::1]', true],
    ['a b', false],
    ['', false],
    ['host:99999', false],
    ['host:', false],
    ['exa_mple.com', false],
    ['evil.com/path', false],
    ['user@host', false],
    ['[::1', false],
    ['-host', false],
  ])('%p → %p', (value, valid) => expect(isValidHostHeader(value)).toBe(valid));
});

describe('publicOrigin', () => {
  it.each([
    [
      'untrusted: forwarded headers ignored',
      'http://127.0.0.1:7071/x',
      { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' },
      false,
      'http://127.0.0.1:7071',
    ],
    [
      'trusted: proto and host',
      'http://127.0.0.1:7071/x',
      { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'passkeys.contoso.com' },
      true,
      'https://passkeys.contoso.com',
    ],
    [
      'trusted: default port dropped',
      'http://127.0.0.1:7071',
      { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'id.contoso.com:443' },
      true,
      'https://id.contoso.com',
    ],
    [
      'trusted: first entry of a chain',
      'http://127.0.0.1:7071',
      { 'x-forwarded-proto': 'https, http', 'x-forwarded-host': 'a.example, b.example' },
      true,
      'https://a.example',
    ],
    [
      'trusted: unknown scheme ignored',
      'http://127.0.0.1:7071',
      { 'x-forwarded-proto': 'javascript', 'x-forwarded-host': 'a.example' },
      true,
      'http://a.example',
    ],
    [
      'trusted: malformed host ignored',
      'http://127.0.0.1:7071',
      { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'a b' },
      true,
      'https://127.0.0.1:7071',
    ],
    [
      'trusted: host the URL parser refuses ignored',
      'http://127.0.0.1:7071',
      { 'x-forwarded-host': '1.2.3.999' },
      true,
      'http://127.0.0.1:7071',
    ],
    ['trusted: no headers', 'http://localhost:7071/a?b', {}, true, 'http://localhost:7071'],
  ])('%s', (_name, url, values, trust, expected) => expect(publicOrigin(url, headers(values), trust)).toBe(expected));
});

describe('normaliseAddress', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['10.0.0.1:5000', '10.0.0.1'],
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['[::1]:5000', '::1'],
    ['2001:DB8::1', '2001:db8::1'],
    [' 192.0.2.7 ', '192.0.2.7'],
    ['unknown', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%p → %p', (value, expected) => expect(normaliseAddress(value)).toBe(expected));
});

describe('clientAddress', () => {
  it.each([
    ['untrusted: the socket, whatever the header says', '::ffff:127.0.0.1', '203.0.113.9', false, '127.0.0.1'],
    ['trusted: the entry the proxy appended (last)', '127.0.0.1', '198.51.100.1, 203.0.113.9', true, '203.0.113.9'],
    ['trusted: a forged left entry does not count', '127.0.0.1', '1.1.1.1, 203.0.113.9:4431', true, '203.0.113.9'],
    ['trusted: garbage falls back to the socket', '127.0.0.1', 'nonsense', true, '127.0.0.1'],
    ['trusted: no header', '::1', undefined, true, '::1'],
  ])('%s', (_name, socket, forwarded, trust, expected) =>
    expect(clientAddress(socket, forwarded, trust)).toBe(expected),
  );
});
