import { acrsOfToken } from './acrsOfToken';

const jws = (claims: unknown) =>
  `eyJhbGciOiJFUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

describe('acrsOfToken', () => {
  it.each<[string, string, string[]]>([
    [
      'acrs listed',
      jws({ acrs: ['00000000-0000-0000-0000-000000000004', 'c1'] }),
      ['00000000-0000-0000-0000-000000000004', 'c1'],
    ],
    ['no acrs', jws({ sub: 'x' }), []],
    ['acrs not a list', jws({ acrs: 'c1' }), []],
    ['non-strings dropped', jws({ acrs: ['c1', 2, null] }), ['c1']],
    ['a payload that is not JSON', 'a.bm90IGpzb24.c', []],
    ['no payload', 'abc', []],
    ['a null payload', jws(null), []],
  ])('%s', (_title, token, expected) => {
    expect(acrsOfToken(token)).toEqual(expected);
  });
});
