import { serviceLink } from './links';

describe('serviceLink', () => {
  it.each([
    ['a path', ['https://h.example', 'provisioning/jobs/1'], 'https://h.example/provisioning/jobs/1'],
    ['a leading slash', ['http://localhost:7071', '/v1.0/users/u'], 'http://localhost:7071/v1.0/users/u'],
    [
      'Graph query names kept, values encoded',
      ['https://h', 'jobs/1', { $top: 5, $skiptoken: 'a b&c' }],
      'https://h/jobs/1?$top=5&$skiptoken=a%20b%26c',
    ],
  ] as const)('writes %s', (_title, args, expected) => {
    expect(serviceLink(...(args as unknown as Parameters<typeof serviceLink>))).toBe(expected);
  });
});
