import type { TokenCredential } from '@azure/core-auth';
import { cosmosAuth } from './cosmosAuth';

const credential: TokenCredential = { getToken: async () => null };

describe('cosmosAuth', () => {
  it('signs in with the key when one is given', () => {
    expect(cosmosAuth({ key: 'a2V5', credential })).toEqual({ key: 'a2V5' });
  });

  it('signs in with the Entra credential when there is no key (keyless deployment)', () => {
    expect(cosmosAuth({ key: undefined, credential })).toEqual({ aadCredentials: credential });
    expect(cosmosAuth({ key: '', credential })).toEqual({ aadCredentials: credential });
  });

  it('refuses to build a client with neither', () => {
    expect(() => cosmosAuth({})).toThrow(/COSMOS_KEY or an Entra credential/);
  });
});
