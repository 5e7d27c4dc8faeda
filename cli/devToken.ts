import { createDevTokenSigner, createStore } from '../shared/adapterSelection';
import { AppConfig } from '../shared/config';
import { systemClock } from '../shared/ports/clock.port';
import { DevTokenRequest, DevTokenService, DevTokenUsers } from '../shared/services/devTokenService';
import { DirectoryService } from '../shared/services/directoryService';
import { DemoTenant } from '../shared/services/seedDemoTenant';

/** App-only tokens name no user: nothing to look up. */
const NO_USERS: DevTokenUsers = {
  getUser: async () => {
    throw new Error('An app-only dev token names no user.');
  },
};

/**
 * The directory's users; while the store holds none and the demo tenant is to be seeded, also the
 * demo tenant's users by their fixed ids (the host seeds exactly those on its first start), so a
 * token minted before the host ever ran works once it runs. Reads only: the CLI seeds nothing.
 */
function directoryOrDemoTenant(directory: DirectoryService, demoTenantSeeded: boolean): DevTokenUsers {
  return {
    getUser: async (idOrUpn) => {
      const found = await directory.findUser(idOrUpn);
      if (found) return found;
      if (demoTenantSeeded && (await directory.listUsers({ filter: [], top: 1 })).items.length === 0) {
        const wanted = idOrUpn.toLowerCase();
        const demo = [DemoTenant.admin, DemoTenant.alice, DemoTenant.bob, DemoTenant.guest].find(
          (u) => u.id === wanted || u.userPrincipalName.toLowerCase() === wanted,
        );
        if (demo) return { value: demo };
      }
      return directory.getUser(idOrUpn); // the directory's own not-found
    },
  };
}

/**
 * Mints a dev admin token from the configuration and the dev key alone (`npm run token`, the
 * provisioning station): no app, no metadata, no WebAuthn adapter, no seeding. A user token reads
 * that one user from the store (its id becomes `oid`); an app-only token does not open the store.
 */
export async function mintDevToken(config: AppConfig, request: DevTokenRequest): Promise<string> {
  const signer = await createDevTokenSigner(config);
  if (!request.userPrincipalName) return new DevTokenService(signer, NO_USERS, config.apiAudience).mint(request);
  const store = await createStore(config);
  try {
    const users = directoryOrDemoTenant(new DirectoryService(store.directory, systemClock), config.seedDemoTenant);
    return await new DevTokenService(signer, users, config.apiAudience).mint(request);
  } finally {
    await store.close();
  }
}
