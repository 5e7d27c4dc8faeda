import { Principal } from '../domain/auth/principal';
import { DirectoryRoles } from '../domain/auth/roles';
import {
  ADMIN_ACTOR,
  ADMIN_APP,
  createWebAuthnServices,
  refusalOf,
  WebAuthnServices,
} from '../../test/support/webauthnServices';
import { DemoTenant } from './seedDemoTenant';

const { admin, alice, bob, pilotGroup } = DemoTenant;
const MISSING = '11111111-1111-4111-8111-111111111111';

const delegated = (role: string): Principal => ({
  kind: 'delegated',
  userId: '99999999-0000-4000-8000-000000000001',
  userPrincipalName: 'operator@contoso.com',
  permissions: [],
  roleTemplateIds: [role],
  scopes: ['user_impersonation'],
});
const userAdministrator = delegated(DirectoryRoles['User Administrator']);
const privilegedAuthenticationAdministrator = delegated(DirectoryRoles['Privileged Authentication Administrator']);

describe('DirectoryService (sqlite in memory, demo tenant)', () => {
  let s: WebAuthnServices;
  beforeEach(async () => {
    s = await createWebAuthnServices();
  });
  afterEach(() => s.close());
  const latestAudit = async () => (await s.store.audit.list({ top: 1 })).items[0];

  describe('users', () => {
    it('finds a user by object id or by UPN in any case', async () => {
      expect((await s.directory.getUser(alice.id)).value.userPrincipalName).toBe(alice.userPrincipalName);
      expect((await s.directory.getUser('ALICE@contoso.com')).value.id).toBe(alice.id);
    });

    it.each([
      ['an unknown id', MISSING],
      ['an unknown UPN', 'nobody@contoso.com'],
    ])('answers Request_ResourceNotFound (404) for %s', async (_title, idOrUpn) => {
      expect(await refusalOf(s.directory.getUser(idOrUpn))).toMatchObject({
        kind: 'notFound',
        code: 'Request_ResourceNotFound',
      });
      expect(await s.directory.findUser(idOrUpn)).toBeNull();
    });

    it('creates a member with defaults and its audit record; a second user with the same UPN is a conflict (409)', async () => {
      const carol = await s.directory.createUser(
        { userPrincipalName: 'carol@contoso.com', displayName: 'Carol' },
        ADMIN_ACTOR,
      );
      expect(carol).toMatchObject({
        userType: 'Member',
        accountEnabled: true,
        mail: null,
        createdDateTime: s.clock.now().toISOString(),
      });
      expect(await latestAudit()).toMatchObject({
        activityDisplayName: 'Add user',
        operationType: 'Add',
        after: carol,
      });
      expect(
        await refusalOf(
          s.directory.createUser({ userPrincipalName: 'CAROL@contoso.com', displayName: 'Carol 2' }, ADMIN_ACTOR),
        ),
      ).toMatchObject({ kind: 'conflict' });
    });

    it('updates a user with the modified properties in the audit record', async () => {
      const user = await s.directory.updateUser(
        alice.userPrincipalName,
        { userPrincipalName: 'alice.smith@contoso.com', displayName: 'Alice S.' },
        userAdministrator,
      );
      expect(user).toMatchObject({
        id: alice.id,
        userPrincipalName: 'alice.smith@contoso.com',
        displayName: 'Alice S.',
      });
      const record = await latestAudit();
      expect(record.activityDisplayName).toBe('Update user');
      expect(record.targetResources[0].modifiedProperties.map((p) => p.displayName).sort()).toEqual([
        'displayName',
        'userPrincipalName',
      ]);
    });

    it.each<[string, Parameters<WebAuthnServices['directory']['updateUser']>[1]]>([
      ['renames', { userPrincipalName: 'boss@contoso.com' }],
      ['disables', { accountEnabled: false }],
      ['turns into a guest', { userType: 'Guest' }],
      ['changes the mail of', { mail: 'boss@contoso.com' }],
    ])(
      'attack: a User Administrator %s the Global Administrator (privilegedTargetRequiresPrivilegedRole, 403)',
      async (_title, patch) => {
        expect(await refusalOf(s.directory.updateUser(admin.id, patch, userAdministrator))).toMatchObject({
          kind: 'forbidden',
          code: 'privilegedTargetRequiresPrivilegedRole',
        });
        expect((await s.directory.getUser(admin.id)).value.userPrincipalName).toBe(admin.userPrincipalName);
      },
    );

    it("a User Administrator may change a privileged user's display name (no sign-in property)", async () => {
      await expect(
        s.directory.updateUser(admin.id, { displayName: 'The Boss' }, userAdministrator),
      ).resolves.toMatchObject({ displayName: 'The Boss' });
    });

    it('a Privileged Authentication Administrator renames the Global Administrator', async () => {
      await expect(
        s.directory.updateUser(
          admin.id,
          { userPrincipalName: 'boss@contoso.com' },
          privilegedAuthenticationAdministrator,
        ),
      ).resolves.toBeDefined();
    });

    it('attack: a User Administrator deletes the Global Administrator (403); deletes a member with their memberships', async () => {
      expect(await refusalOf(s.directory.deleteUser(admin.id, userAdministrator))).toMatchObject({
        code: 'privilegedTargetRequiresPrivilegedRole',
      });
      await s.directory.deleteUser(alice.id, userAdministrator);
      expect(await s.directory.findUser(alice.id)).toBeNull();
      expect((await s.directory.listMembers(pilotGroup.id, { filter: [], top: 10 })).items).toEqual([]);
      expect(await refusalOf(s.directory.deleteUser(alice.id, userAdministrator))).toMatchObject({
        code: 'Request_ResourceNotFound',
      });
    });
  });

  describe('groups and members', () => {
    it('adds and removes members, each audited', async () => {
      await s.directory.addMember(pilotGroup.id, bob.id, ADMIN_ACTOR);
      expect(await s.directory.groupIdsOfUser(bob.id)).toEqual([pilotGroup.id]);
      expect((await latestAudit()).activityDisplayName).toBe('Add member to group');
      await s.directory.removeMember(pilotGroup.id, bob.id, ADMIN_ACTOR);
      expect(await s.directory.groupIdsOfUser(bob.id)).toEqual([]);
      expect((await latestAudit()).activityDisplayName).toBe('Remove member from group');
    });

    it.each<[string, () => Promise<unknown>, string, string]>([
      [
        'adds a member twice',
        () => s.directory.addMember(pilotGroup.id, alice.id, ADMIN_ACTOR),
        'badRequest',
        'Request_BadRequest',
      ],
      [
        'adds to an unknown group',
        () => s.directory.addMember(MISSING, alice.id, ADMIN_ACTOR),
        'notFound',
        'Request_ResourceNotFound',
      ],
      [
        'adds an unknown user',
        () => s.directory.addMember(pilotGroup.id, MISSING, ADMIN_ACTOR),
        'notFound',
        'Request_ResourceNotFound',
      ],
      [
        'removes a user who is no member',
        () => s.directory.removeMember(pilotGroup.id, bob.id, ADMIN_ACTOR),
        'notFound',
        'Request_ResourceNotFound',
      ],
      [
        'lists the members of an unknown group',
        () => s.directory.listMembers(MISSING, { filter: [], top: 10 }),
        'notFound',
        'Request_ResourceNotFound',
      ],
    ])('refuses a caller who %s (%s %s)', async (_title, call, kind, code) => {
      expect(await refusalOf(call())).toMatchObject({ kind, code });
    });
  });

  describe('role assignments', () => {
    it('assigns a role to a user and removes it, each audited; the user becomes privileged and back', async () => {
      const assignment = await s.directory.createRoleAssignment(
        { principalId: bob.id, roleDefinitionId: DirectoryRoles['Security Administrator'] },
        ADMIN_ACTOR,
      );
      expect(await s.directory.roleIdsOfUser(bob.id)).toEqual([DirectoryRoles['Security Administrator']]);
      expect((await latestAudit()).activityDisplayName).toBe('Add member to role');
      expect(
        await refusalOf(s.directory.updateUser(bob.id, { accountEnabled: false }, userAdministrator)),
      ).toMatchObject({ code: 'privilegedTargetRequiresPrivilegedRole' });
      await s.directory.deleteRoleAssignment(assignment.id, ADMIN_ACTOR);
      expect(await s.directory.roleIdsOfUser(bob.id)).toEqual([]);
      await expect(s.directory.updateUser(bob.id, { accountEnabled: false }, userAdministrator)).resolves.toBeDefined();
    });

    it.each<[string, () => Promise<unknown>, string, string]>([
      [
        'a principal that is not a user of the directory',
        () =>
          s.directory.createRoleAssignment(
            { principalId: MISSING, roleDefinitionId: DirectoryRoles['Global Reader'] },
            ADMIN_ACTOR,
          ),
        'badRequest',
        'Request_BadRequest',
      ],
      [
        'a principal that is no object id',
        () =>
          s.directory.createRoleAssignment(
            { principalId: alice.userPrincipalName, roleDefinitionId: DirectoryRoles['Global Reader'] },
            ADMIN_ACTOR,
          ),
        'badRequest',
        'Request_BadRequest',
      ],
      [
        'the same assignment twice',
        () =>
          s.directory.createRoleAssignment(
            { principalId: admin.id, roleDefinitionId: DirectoryRoles['Global Administrator'] },
            ADMIN_ACTOR,
          ),
        'conflict',
        '',
      ],
      [
        'an unknown assignment (get)',
        () => s.directory.getRoleAssignment('missing'),
        'notFound',
        'Request_ResourceNotFound',
      ],
      [
        'an unknown assignment (delete)',
        () => s.directory.deleteRoleAssignment('missing', ADMIN_ACTOR),
        'notFound',
        'Request_ResourceNotFound',
      ],
    ])('refuses %s (%s %s)', async (_title, call, kind, code) => {
      const error = await refusalOf(call());
      expect(error.kind).toBe(kind);
      if (code) expect(error.code).toBe(code);
    });
  });

  it('an application acts with its permissions: ADMIN_APP may not act on privileged users', async () => {
    expect(await refusalOf(s.directory.deleteUser(admin.id, ADMIN_APP))).toMatchObject({
      code: 'privilegedTargetRequiresPrivilegedRole',
    });
  });
});
