import type { IncomingMessage } from 'node:http';
import { devTokenRefusal } from './devTokenRoute';

const request = (remoteAddress: string, headers: Record<string, string> = {}): IncomingMessage =>
  ({
    socket: { remoteAddress },
    headers: { host: 'localhost:7071', origin: 'http://localhost:7071', ...headers },
  }) as unknown as IncomingMessage;

describe('devTokenRefusal: who may mint a console dev token', () => {
  it.each([
    ['127.0.0.1', {}],
    ['::1', {}],
    ['::ffff:127.0.0.1', {}],
    ['127.0.0.1', { host: '127.0.0.1:7071', origin: 'http://127.0.0.1:7071', 'sec-fetch-site': 'same-origin' }],
    ['::1', { host: '[::1]:7071', origin: 'http://[::1]:7071' }],
  ])('allows the console page on this machine (%s %j)', (address, headers) => {
    expect(devTokenRefusal(request(address, headers), false)).toBeUndefined();
  });

  it.each([
    ['another machine on the network', '192.168.1.20', {}, /loopback clients; this one is 192.168.1.20/],
    ['an internet address', '203.0.113.7', {}, /this one is 203.0.113.7/],
    ['a mapped non-loopback address', '::ffff:10.0.0.5', {}, /this one is 10.0.0.5/],
    ['a rebinding host name', '127.0.0.1', { host: 'evil.example:7071', origin: 'http://evil.example:7071' }, /Host/],
    ['another origin', '127.0.0.1', { origin: 'http://localhost:8080' }, /Origin/],
    ['a cross-site fetch', '127.0.0.1', { 'sec-fetch-site': 'same-site' }, /Sec-Fetch-Site/],
    ['a Forwarded header', '127.0.0.1', { forwarded: 'for=203.0.113.7' }, /proxy/],
  ])('attack: refuses %s', (_what, address, headers, message) => {
    expect(devTokenRefusal(request(address, headers), false)).toMatch(message);
  });

  it('attack: refuses everyone behind a trusted reverse proxy (its peer is loopback for every client)', () => {
    expect(devTokenRefusal(request('127.0.0.1'), true)).toMatch(/TRUST_PROXY/);
  });
});
