import { ceremonyOrigins, parseRelatedOrigins } from './relatedOrigins';

describe('parseRelatedOrigins', () => {
  it('reads a comma-separated list of https origins, canonical and without duplicates', () => {
    expect(
      parseRelatedOrigins(' https://login.fabrikam.com , https://LOGIN.fabrikam.com/,https://a.example:8443'),
    ).toEqual(['https://login.fabrikam.com', 'https://a.example:8443']);
  });

  it('is empty when unset', () => {
    expect(parseRelatedOrigins(undefined)).toEqual([]);
    expect(parseRelatedOrigins('')).toEqual([]);
  });

  it('accepts http only on localhost', () => {
    expect(parseRelatedOrigins('http://localhost:3000')).toEqual(['http://localhost:3000']);
    expect(() => parseRelatedOrigins('http://login.fabrikam.com')).toThrow(/RELATED_ORIGINS/);
    expect(() => parseRelatedOrigins('http://127.0.0.1:3000')).toThrow(/RELATED_ORIGINS/);
  });

  it.each(['https://login.fabrikam.com/path', 'login.fabrikam.com', 'https://x.example?q=1', 'ftp://x.example', '*'])(
    'refuses %s (not an origin)',
    (value) => {
      expect(() => parseRelatedOrigins(value)).toThrow(`received '${value}'`);
    },
  );
});

describe('ceremonyOrigins', () => {
  it('adds the related origins to the service origins once', () => {
    expect(ceremonyOrigins(['http://localhost:7071'], ['https://a.example', 'http://localhost:7071'])).toEqual([
      'http://localhost:7071',
      'https://a.example',
    ]);
  });
});
