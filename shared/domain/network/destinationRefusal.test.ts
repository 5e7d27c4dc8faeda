import { DestinationCheck, describeRefusal, isLocalhostName, refusalOf } from './destinationRefusal';

const check = (
  addresses: string[],
  scheme: 'http' | 'https' = 'https',
  allowPrivateNetworks = false,
): DestinationCheck => ({ scheme, addresses, allowPrivateNetworks });

describe('refusalOf', () => {
  it.each<[string, DestinationCheck, ReturnType<typeof refusalOf>]>([
    ['https to a public address', check(['93.184.216.34']), null],
    ['https to several public addresses', check(['93.184.216.34', '2606:2800:220:1::1']), null],
    ['an unresolved host over https (checked again at send time)', check([]), null],
    [
      'loopback',
      check(['127.0.0.1']),
      { reason: 'refusedAddress', address: '127.0.0.1', addressClass: 'loopback', privateNetworkSetting: true },
    ],
    [
      'one private address among public ones',
      check(['93.184.216.34', '10.1.2.3']),
      { reason: 'refusedAddress', address: '10.1.2.3', addressClass: 'private', privateNetworkSetting: true },
    ],
    [
      'carrier-grade NAT',
      check(['100.64.1.1']),
      {
        reason: 'refusedAddress',
        address: '100.64.1.1',
        addressClass: 'sharedAddressSpace',
        privateNetworkSetting: true,
      },
    ],
    ['loopback with the setting on', check(['127.0.0.1'], 'https', true), null],
    ['private over http with the setting on', check(['192.168.0.10'], 'http', true), null],
    [
      'metadata even with the setting on',
      check(['169.254.169.254'], 'https', true),
      { reason: 'refusedAddress', address: '169.254.169.254', addressClass: 'metadata', privateNetworkSetting: false },
    ],
    [
      'link-local even with the setting on',
      check(['fe80::1'], 'https', true),
      { reason: 'refusedAddress', address: 'fe80::1', addressClass: 'linkLocal', privateNetworkSetting: false },
    ],
    [
      'unspecified even with the setting on',
      check(['0.0.0.0'], 'https', true),
      { reason: 'refusedAddress', address: '0.0.0.0', addressClass: 'unspecified', privateNetworkSetting: false },
    ],
    [
      'text that is no address',
      check(['not-an-ip']),
      { reason: 'refusedAddress', address: 'not-an-ip', addressClass: 'reserved', privateNetworkSetting: false },
    ],
    ['http to a public address', check(['93.184.216.34'], 'http', true), { reason: 'httpsRequired' }],
    ['http with the setting off', check([], 'http'), { reason: 'httpsRequired' }],
    ['http to an unresolved host with the setting on', check([], 'http', true), null],
  ])('%s', (_name, input, expected) => {
    expect(refusalOf(input)).toEqual(expected);
  });
});

describe('describeRefusal', () => {
  it('tells the developer which setting lets a receiver on their machine in', () => {
    expect(
      describeRefusal('localhost', {
        reason: 'refusedAddress',
        address: '127.0.0.1',
        addressClass: 'loopback',
        privateNetworkSetting: true,
      }),
    ).toBe(
      "The webhook url's host 'localhost' resolves to 127.0.0.1, a loopback address; webhooks do not reach this machine or internal networks by default. For a receiver on your own machine, set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true.",
    );
  });
  it('says that metadata addresses are refused whatever the setting', () => {
    const message = describeRefusal('169.254.169.254', {
      reason: 'refusedAddress',
      address: '169.254.169.254',
      addressClass: 'metadata',
      privateNetworkSetting: false,
    });
    expect(message).toContain("'169.254.169.254' is a cloud metadata address, which webhooks never reach");
  });
  it('asks for https', () => {
    expect(describeRefusal('hooks.example.com', { reason: 'httpsRequired' })).toContain('expected https');
  });
});

describe('isLocalhostName', () => {
  it.each([
    ['localhost', true],
    ['localhost.', true],
    ['LOCALHOST', true],
    ['api.localhost', true],
    ['localhost.example.com', false],
    ['mylocalhost', false],
  ])('%s: %s', (host, expected) => {
    expect(isLocalhostName(host)).toBe(expected);
  });
});
