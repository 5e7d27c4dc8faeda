import { Store } from '../../shared/ports/store.port';
import { auditContract } from './storeContract.audit';
import { challengeContract } from './storeContract.challenges';
import { credentialContract } from './storeContract.credentials';
import { ContractContext, Fixtures } from './storeContract.fixtures';
import { groupContract } from './storeContract.groups';
import { listingContract } from './storeContract.listing';
import { policyContract } from './storeContract.policies';
import { provisioningJobContract } from './storeContract.provisioningJobs';
import { roleAssignmentContract } from './storeContract.roleAssignments';
import { userContract } from './storeContract.users';
import { webhookContract } from './storeContract.webhooks';
import { strengthContract } from './storeContract.strengths';
import { directorySyncContract } from './storeContract.directorySync';
import { signInLogContract } from './storeContract.signInLog';

/**
 * The one contract every Store adapter must meet (sqlite, cosmos), as Keyv's test-suite does for its
 * stores: each adapter's test file calls this with a factory. Every test gets a fresh, empty store.
 *
 * @param name shown in the test names, e.g. "sqlite" or "cosmos (cosmosdb-server)"
 * @param createStore returns a new, empty store
 * @param dispose releases a store after its test (default: `store.close()`)
 */
export function describeStoreContract(
  name: string,
  createStore: () => Promise<Store>,
  dispose: (store: Store) => Promise<void> = (store) => store.close(),
): void {
  describe(`Store contract: ${name}`, () => {
    // Filled in before each test; the sections read it inside their tests.
    const ctx = {} as ContractContext;

    beforeEach(async () => {
      ctx.store = await createStore();
      ctx.data = new Fixtures();
    });

    afterEach(async () => {
      if (ctx.store) await dispose(ctx.store);
    });

    policyContract(ctx);
    userContract(ctx);
    roleAssignmentContract(ctx);
    listingContract(ctx);
    groupContract(ctx);
    auditContract(ctx);
    credentialContract(ctx);
    challengeContract(ctx);
    provisioningJobContract(ctx);
    webhookContract(ctx);
    strengthContract(ctx);
    directorySyncContract(ctx);
    signInLogContract(ctx);
  });
}
