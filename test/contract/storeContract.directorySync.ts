import { ContractContext } from './storeContract.fixtures';

/** The Entra sync state: nothing at first, then what was last put, whole (a later put replaces it). */
export function directorySyncContract(ctx: ContractContext): void {
  describe('directory sync state', () => {
    it('persists the delta link and subscription, a later put replacing the earlier', async () => {
      const repo = ctx.store.directorySync;
      expect(await repo.get()).toBeNull();
      await repo.put({ deltaLink: 'https://graph.microsoft.com/v1.0/users/delta?$deltatoken=1' });
      expect(await repo.get()).toEqual({ deltaLink: 'https://graph.microsoft.com/v1.0/users/delta?$deltatoken=1' });
      const next = {
        deltaLink: 'https://graph.microsoft.com/v1.0/users/delta?$deltatoken=2',
        subscriptionId: 'sub-1',
        subscriptionExpiresAt: '2026-12-05T00:00:00.000Z',
      };
      await repo.put(next);
      expect(await repo.get()).toEqual(next);
    });
  });
}
