import { Actor } from '../domain/auth/actor';
import { DirectoryRoles } from '../domain/auth/roles';
import { isDomainError } from '../domain/errors';
import { DirectoryService } from './directoryService';

/** Fixed ids, so the README and scripts can name the demo tenant's objects. */
export const DemoTenant = {
  admin: {
    id: '00000000-0000-4000-8000-0000000000a0',
    userPrincipalName: 'admin@contoso.com',
    displayName: 'Contoso Admin',
    userType: 'Member' as const,
  },
  alice: {
    id: '00000000-0000-4000-8000-0000000000a1',
    userPrincipalName: 'alice@contoso.com',
    displayName: 'Alice Smith',
    userType: 'Member' as const,
  },
  bob: {
    id: '00000000-0000-4000-8000-0000000000b0',
    userPrincipalName: 'bob@contoso.com',
    displayName: 'Bob Jones',
    userType: 'Member' as const,
  },
  guest: {
    id: '00000000-0000-4000-8000-0000000000c0',
    userPrincipalName: 'guest@fabrikam.com',
    displayName: 'Fabrikam Guest',
    userType: 'Guest' as const,
  },
  pilotGroup: {
    id: '00000000-0000-4000-8000-0000000000d0',
    displayName: 'Passkey pilot',
    securityEnabled: true,
    description: 'Users piloting passkeys',
  },
};

const SEEDER: Actor = { user: null, app: { appId: 'demo-tenant-seed' } };

/** admin@contoso.com holds Global Administrator, so its passkeys are a privileged target. */
export const DEMO_ADMIN_ROLE = DirectoryRoles['Global Administrator'];

/**
 * Seeds the demo tenant into an empty store only (no user yet): a store that has users is someone's
 * directory, and demo users an administrator deleted must stay deleted. Safe to race: a host and a
 * token CLI starting at the same time both see an empty store, and each write of the other's is
 * ignored as a duplicate. Returns whether it seeded (false: the store already had users).
 */
export async function seedDemoTenant(directory: DirectoryService): Promise<boolean> {
  const { items } = await directory.listUsers({ filter: [], top: 1 });
  if (items.length > 0) return false;
  for (const user of [DemoTenant.admin, DemoTenant.alice, DemoTenant.bob, DemoTenant.guest]) {
    if (await directory.findUser(user.id)) continue;
    await directory.createUser(user, SEEDER, user.id).catch(ignoreIfCreatedMeanwhile);
  }
  const group = DemoTenant.pilotGroup;
  const existing = await directory.getGroup(group.id).catch(() => null);
  if (!existing) {
    await directory.createGroup(group, SEEDER, group.id).catch(ignoreIfCreatedMeanwhile);
    await directory.addMember(group.id, DemoTenant.alice.id, SEEDER).catch(ignoreIfCreatedMeanwhile);
  }
  await directory
    .createRoleAssignment({ principalId: DemoTenant.admin.id, roleDefinitionId: DEMO_ADMIN_ROLE }, SEEDER)
    .catch(ignoreIfCreatedMeanwhile);
  return true;
}

/** A duplicate (conflict) or an existing membership (badRequest): another process seeded it first. */
function ignoreIfCreatedMeanwhile(e: unknown): void {
  if (isDomainError(e) && (e.kind === 'conflict' || e.kind === 'badRequest')) return;
  throw e;
}
