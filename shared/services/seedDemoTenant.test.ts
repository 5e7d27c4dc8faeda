import { createWebAuthnServices, ADMIN_APP } from '../../test/support/webauthnServices';
import { DEMO_ADMIN_ROLE, DemoTenant, seedDemoTenant } from './seedDemoTenant';

describe('seedDemoTenant', () => {
  it('seeds the demo users, the pilot group with Alice, and the Global Administrator role', async () => {
    const s = await createWebAuthnServices();
    try {
      const { items } = await s.directory.listUsers({ filter: [], top: 10 });
      expect(items.map((u) => u.id).sort()).toEqual(
        [DemoTenant.admin.id, DemoTenant.alice.id, DemoTenant.bob.id, DemoTenant.guest.id].sort(),
      );
      expect((await s.directory.getUser(DemoTenant.guest.id)).value.userType).toBe('Guest');
      expect(await s.directory.groupIdsOfUser(DemoTenant.alice.id)).toEqual([DemoTenant.pilotGroup.id]);
      expect(await s.directory.roleIdsOfUser(DemoTenant.admin.id)).toEqual([DEMO_ADMIN_ROLE]);
    } finally {
      await s.close();
    }
  });

  it('seeds an empty store only: a second run, and demo users an administrator deleted, stay as they are', async () => {
    const s = await createWebAuthnServices();
    try {
      await s.directory.deleteUser(DemoTenant.bob.id, ADMIN_APP);
      const before = (await s.store.audit.list({ top: 100 })).items.length;
      expect(await seedDemoTenant(s.directory)).toBe(false);
      expect(await s.directory.findUser(DemoTenant.bob.id)).toBeNull();
      expect((await s.store.audit.list({ top: 100 })).items.length).toBe(before);
    } finally {
      await s.close();
    }
  });
});
