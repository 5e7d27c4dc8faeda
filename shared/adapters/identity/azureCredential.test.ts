import type { TokenCredential } from '@azure/core-auth';
import { defaultAzureCredential } from './azureCredential';

describe('defaultAzureCredential', () => {
  it('builds DefaultAzureCredential from @azure/identity', async () => {
    const made: TokenCredential = { getToken: async () => null };
    const loaded: string[] = [];
    const credential = await defaultAzureCredential(async (name) => {
      loaded.push(name);
      return {
        DefaultAzureCredential: class {
          getToken = made.getToken;
        },
      };
    });
    expect(loaded).toEqual(['@azure/identity']);
    expect(credential.getToken).toBe(made.getToken);
  });

  it('says which package to install when @azure/identity is missing', async () => {
    await expect(
      defaultAzureCredential(async () => {
        throw new Error("Cannot find module '@azure/identity'");
      }),
    ).rejects.toThrow(/needs the package @azure\/identity: run `npm install @azure\/identity`/);
  });
});
