import { inspect } from 'node:util';
import { DurableSystemKey, presentedSystemKeys, presentsSystemKey, SYSTEM_KEY_USER } from './systemKey';

const secretOf = (key: DurableSystemKey) => new URL(key.withCredentials('http://127.0.0.1:1/x/')).password;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('DurableSystemKey', () => {
  const key = DurableSystemKey.generate();
  const secret = secretOf(key);

  it('is 32 random bytes, different per process (per generate)', () => {
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(secretOf(DurableSystemKey.generate())).not.toBe(secret);
  });

  it.each([
    ['the key itself', () => secret, true],
    ['undefined', () => undefined, false],
    ['empty', () => '', false],
    ['another key', () => secretOf(DurableSystemKey.generate()), false],
    ['a prefix of the key', () => secret.slice(0, 10), false],
    ['the key with a suffix', () => `${secret}x`, false],
    ['the key in another case', () => secret.toUpperCase(), secret.toUpperCase() === secret],
  ])('matches %s', (_what, candidate, expected) => {
    expect(key.matches(candidate())).toBe(expected);
  });

  it('never shows itself when logged or serialised', () => {
    for (const text of [String(key), JSON.stringify({ key }), inspect(key), inspect({ nested: { key } }), `${key}`]) {
      expect(text).not.toContain(secret);
      expect(text).toContain('redacted');
    }
  });

  it('is read back from the URL it rides in (a cluster worker gets the primary key that way)', () => {
    const copy = DurableSystemKey.fromCredentials(key.withCredentials('http://127.0.0.1:4000/runtime/'));
    expect(copy.matches(secret)).toBe(true);
    expect(() => DurableSystemKey.fromCredentials('http://127.0.0.1:4000/runtime/')).toThrow(/no system key/);
  });

  it('rides in the userinfo of a base URL, which relative client URLs keep', () => {
    const base = key.withCredentials('http://127.0.0.1:4000/runtime/webhooks/durabletask/');
    const call = new URL('instances/abc?showInput=true', base);
    expect(call.username).toBe(SYSTEM_KEY_USER);
    expect(call.password).toBe(secret);
    expect(call.pathname).toBe('/runtime/webhooks/durabletask/instances/abc');
  });
});

describe('presentedSystemKeys / presentsSystemKey', () => {
  const key = DurableSystemKey.generate();
  const secret = secretOf(key);

  it.each([
    ['nothing', {}, '', false],
    ['x-functions-key', { 'x-functions-key': secret }, '', true],
    ['code= query parameter', {}, `code=${encodeURIComponent(secret)}`, true],
    ['Basic password (the durable client)', { authorization: basic(SYSTEM_KEY_USER, secret) }, '', true],
    ['Basic with any user name', { authorization: basic('anyone', secret) }, '', true],
    ['wrong x-functions-key', { 'x-functions-key': 'guess' }, '', false],
    ['wrong code', {}, 'code=guess', false],
    ['the key as Basic user name', { authorization: basic(secret, 'x') }, '', false],
    ['the key as a bearer token', { authorization: `Bearer ${secret}` }, '', false],
    ['a wrong header beside the right code', { 'x-functions-key': 'guess' }, `code=${secret}`, true],
  ])('%s', (_what, headers, query, expected) => {
    expect(presentsSystemKey(key, headers, new URLSearchParams(query))).toBe(expected);
  });

  it('collects each place a key can be presented', () => {
    expect(
      presentedSystemKeys({ 'x-functions-key': 'a', authorization: basic('u', 'c') }, new URLSearchParams('code=b')),
    ).toEqual(['a', 'b', 'c']);
  });
});
