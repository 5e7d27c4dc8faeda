import { isDomainError } from '../../shared/domain/errors';
import { bearerTokenOf } from './bearerToken';

const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

function refusal(header: string | undefined): string {
  try {
    bearerTokenOf(header);
  } catch (e) {
    if (isDomainError(e) && e.code === 'InvalidAuthenticationToken') return e.message;
    throw e;
  }
  throw new Error('accepted');
}

describe('bearerTokenOf', () => {
  it('returns the token of a Bearer header, the scheme in any case', () => {
    expect(bearerTokenOf(`Bearer ${JWT}`)).toBe(JWT);
    expect(bearerTokenOf(`bearer  ${JWT}`)).toBe(JWT);
  });

  it('says the token is empty when there is none', () => {
    expect(refusal(undefined)).toBe('Access token is empty.');
    expect(refusal('Bearer')).toBe('Access token is empty.');
  });

  it("says the 'Bearer' scheme is missing when the header is a bare JWT", () => {
    expect(refusal(JWT)).toMatch(/without the 'Bearer' scheme/);
  });

  it('names another scheme as unsupported', () => {
    expect(refusal('Basic dXNlcjpwYXNz')).toMatch(/scheme 'Basic' is not supported/);
  });
});
