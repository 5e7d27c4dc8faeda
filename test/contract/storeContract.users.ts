import { AuditRecord } from '../../shared/domain/audit';
import { newRoleAssignment } from '../../shared/domain/auth/roleAssignment';
import { DirectoryRoles } from '../../shared/domain/auth/roles';
import { ConcurrencyConflictError } from '../../shared/domain/errors';
import { UserDeletionAudits } from '../../shared/ports/directory.port';
import { allAudit, ContractContext, expectConflict, expectStaleEtag, race } from './storeContract.fixtures';

const UPN_TAKEN = 'Request_BadRequest';

/** Users: point reads, ETags, and case-insensitive UPN uniqueness on create and rename. */
export function userContract(ctx: ContractContext): void {
  describe('users', () => {
    it('creates a user and reads it back by id with the same value and ETag, with its audit record', async () => {
      const user = ctx.data.user({ mail: 'ada@contoso.com' });
      const audit = ctx.data.audit('Add user');
      const created = await ctx.store.directory.createUser(user, audit);
      expect(created.value).toEqual(user);
      expect(await ctx.store.directory.getUserById(user.id)).toEqual({ value: user, etag: created.etag });
      expect(await allAudit(ctx.store)).toEqual([audit]);
    });

    it('finds a user by id regardless of case, and answers null for an unknown id', async () => {
      const user = ctx.data.user();
      await ctx.store.directory.createUser(user, ctx.data.audit());
      expect((await ctx.store.directory.getUserById(user.id.toUpperCase()))?.value).toEqual(user);
      expect(await ctx.store.directory.getUserById('00000000-0000-0000-0000-000000000000')).toBeNull();
    });

    it('finds a user by UPN regardless of case, and answers null for an unknown UPN', async () => {
      const user = ctx.data.user({ userPrincipalName: 'Ada.Lovelace@Contoso.com' });
      const created = await ctx.store.directory.createUser(user, ctx.data.audit());
      expect(await ctx.store.directory.getUserByUpn('ada.lovelace@contoso.COM')).toEqual({
        value: user,
        etag: created.etag,
      });
      expect(await ctx.store.directory.getUserByUpn('nobody@contoso.com')).toBeNull();
    });

    it('stores a guest whose UPN holds the characters Entra uses for B2B (#EXT#)', async () => {
      const guest = ctx.data.user({
        userPrincipalName: 'alice_fabrikam.com#EXT#@contoso.onmicrosoft.com',
        userType: 'Guest',
      });
      const created = await ctx.store.directory.createUser(guest, ctx.data.audit());
      expect(await ctx.store.directory.getUserByUpn('ALICE_fabrikam.com#ext#@contoso.onmicrosoft.com')).toEqual(
        created,
      );
      await expectConflict(
        ctx.store.directory.createUser(ctx.data.user({ userPrincipalName: guest.userPrincipalName }), ctx.data.audit()),
        UPN_TAKEN,
      );
      const renamed = { ...guest, userPrincipalName: 'alice/odd?name%41@contoso.com' };
      await ctx.store.directory.updateUser(renamed, created.etag, ctx.data.audit());
      expect((await ctx.store.directory.getUserByUpn('Alice/odd?name%41@contoso.com'))?.value).toEqual(renamed);
      expect(await ctx.store.directory.getUserByUpn('alice/odd?nameA@contoso.com')).toBeNull();
      expect(await ctx.store.directory.getUserByUpn(guest.userPrincipalName)).toBeNull();
    });

    it('refuses a second user with the same UPN in another case, leaving the first one alone', async () => {
      const first = ctx.data.user({ userPrincipalName: 'grace@contoso.com' });
      await ctx.store.directory.createUser(first, ctx.data.audit());
      const second = ctx.data.user({ userPrincipalName: 'GRACE@contoso.com' });
      await expectConflict(ctx.store.directory.createUser(second, ctx.data.audit()), UPN_TAKEN);
      await expect(ctx.store.directory.createUser(second, ctx.data.audit())).rejects.toThrow(/GRACE@contoso\.com/);
      expect(await ctx.store.directory.getUserById(second.id)).toBeNull();
      expect((await ctx.store.directory.getUserByUpn('grace@contoso.com'))?.value).toEqual(first);
      expect(await allAudit(ctx.store)).toHaveLength(1);
    });

    it('refuses a second user with the same id, leaving the first one alone', async () => {
      const first = ctx.data.user();
      await ctx.store.directory.createUser(first, ctx.data.audit());
      const sameId = ctx.data.user({ id: first.id, userPrincipalName: 'other@contoso.com' });
      await expectConflict(ctx.store.directory.createUser(sameId, ctx.data.audit()), 'Request_BadRequest');
      expect((await ctx.store.directory.getUserById(first.id))?.value).toEqual(first);
      // The refused user's UPN was not left reserved.
      expect(await ctx.store.directory.getUserByUpn('other@contoso.com')).toBeNull();
      await ctx.store.directory.createUser(ctx.data.user({ userPrincipalName: 'other@contoso.com' }), ctx.data.audit());
      expect(await allAudit(ctx.store)).toHaveLength(2);
    });

    it('lets exactly one of several concurrent creates with the same UPN succeed', async () => {
      const users = [1, 2, 3, 4].map((n) =>
        ctx.data.user({ userPrincipalName: n % 2 ? 'race@contoso.com' : 'RACE@contoso.com' }),
      );
      const { won, lost } = await race(users.map((u) => () => ctx.store.directory.createUser(u, ctx.data.audit())));
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(3);
      lost.forEach((e) => expect(e).toMatchObject({ kind: 'conflict', code: UPN_TAKEN }));
      expect((await ctx.store.directory.getUserByUpn('race@contoso.com'))?.value).toEqual(won[0].value);
    });

    it('updates a user with the current ETag, issuing a new ETag and recording the change', async () => {
      const user = ctx.data.user();
      const created = await ctx.store.directory.createUser(user, ctx.data.audit());
      const changed = { ...user, displayName: 'Renamed', accountEnabled: false, mail: 'new@contoso.com' };
      const audit = ctx.data.audit('Update user');
      const updated = await ctx.store.directory.updateUser(changed, created.etag, audit);
      expect(updated.value).toEqual(changed);
      expect(updated.etag).not.toBe(created.etag);
      expect(await ctx.store.directory.getUserById(user.id)).toEqual({ value: changed, etag: updated.etag });
      expect((await allAudit(ctx.store))[0]).toEqual(audit);
    });

    it('refuses an update with a stale ETag or of a user that does not exist', async () => {
      const user = ctx.data.user();
      const created = await ctx.store.directory.createUser(user, ctx.data.audit());
      const updated = await ctx.store.directory.updateUser(
        { ...user, displayName: 'First' },
        created.etag,
        ctx.data.audit(),
      );
      await expectStaleEtag(
        ctx.store.directory.updateUser({ ...user, displayName: 'Second' }, created.etag, ctx.data.audit()),
      );
      expect(await ctx.store.directory.getUserById(user.id)).toEqual(updated);
      await expectStaleEtag(ctx.store.directory.updateUser(ctx.data.user(), created.etag, ctx.data.audit()));
      expect(await allAudit(ctx.store)).toHaveLength(2);
    });

    it('renames a user: the new UPN finds them, the old one is free for someone else', async () => {
      const user = ctx.data.user({ userPrincipalName: 'old@contoso.com' });
      const created = await ctx.store.directory.createUser(user, ctx.data.audit());
      const renamed = { ...user, userPrincipalName: 'New@contoso.com' };
      await ctx.store.directory.updateUser(renamed, created.etag, ctx.data.audit());
      expect((await ctx.store.directory.getUserByUpn('new@contoso.com'))?.value).toEqual(renamed);
      expect(await ctx.store.directory.getUserByUpn('old@contoso.com')).toBeNull();
      const successor = ctx.data.user({ userPrincipalName: 'OLD@contoso.com' });
      await ctx.store.directory.createUser(successor, ctx.data.audit());
      expect((await ctx.store.directory.getUserByUpn('old@contoso.com'))?.value).toEqual(successor);
    });

    it('refuses a rename to a UPN another user holds, leaving both users unchanged', async () => {
      const holder = ctx.data.user({ userPrincipalName: 'taken@contoso.com' });
      await ctx.store.directory.createUser(holder, ctx.data.audit());
      const user = ctx.data.user({ userPrincipalName: 'mine@contoso.com' });
      const created = await ctx.store.directory.createUser(user, ctx.data.audit());
      await expectConflict(
        ctx.store.directory.updateUser(
          { ...user, userPrincipalName: 'Taken@Contoso.com' },
          created.etag,
          ctx.data.audit(),
        ),
        UPN_TAKEN,
      );
      expect(await ctx.store.directory.getUserById(user.id)).toEqual(created);
      expect((await ctx.store.directory.getUserByUpn('taken@contoso.com'))?.value).toEqual(holder);
      expect((await ctx.store.directory.getUserByUpn('mine@contoso.com'))?.value).toEqual(user);
      // The ETag is still current: nothing was written.
      await ctx.store.directory.updateUser({ ...user, displayName: 'Still mine' }, created.etag, ctx.data.audit());
      expect(await allAudit(ctx.store)).toHaveLength(3);
    });

    it('allows a rename that only changes the case of the UPN', async () => {
      const user = ctx.data.user({ userPrincipalName: 'case@contoso.com' });
      const created = await ctx.store.directory.createUser(user, ctx.data.audit());
      const renamed = { ...user, userPrincipalName: 'Case@Contoso.com' };
      await ctx.store.directory.updateUser(renamed, created.etag, ctx.data.audit());
      expect((await ctx.store.directory.getUserByUpn('CASE@contoso.com'))?.value).toEqual(renamed);
    });

    it("lets one of two concurrent renames with the same ETag win and frees the loser's UPN", async () => {
      const user = ctx.data.user({ userPrincipalName: 'start@contoso.com' });
      const created = await ctx.store.directory.createUser(user, ctx.data.audit());
      const targets = ['left@contoso.com', 'right@contoso.com'];
      const { won, lost } = await race(
        targets.map(
          (upn) => () =>
            ctx.store.directory.updateUser({ ...user, userPrincipalName: upn }, created.etag, ctx.data.audit()),
        ),
      );
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]).toBeInstanceOf(ConcurrencyConflictError);
      const winner = won[0].value.userPrincipalName;
      const loser = targets.find((t) => t !== winner)!;
      expect((await ctx.store.directory.getUserByUpn(winner))?.value.id).toBe(user.id);
      expect(await ctx.store.directory.getUserByUpn(loser)).toBeNull();
      expect(await ctx.store.directory.getUserByUpn('start@contoso.com')).toBeNull();
      await ctx.store.directory.createUser(ctx.data.user({ userPrincipalName: loser }), ctx.data.audit());
      await ctx.store.directory.createUser(ctx.data.user({ userPrincipalName: 'start@contoso.com' }), ctx.data.audit());
    });

    it('deletes a user with their memberships, frees the UPN, and answers false the second time', async () => {
      const user = ctx.data.user({ userPrincipalName: 'leaver@contoso.com' });
      const stayer = ctx.data.user();
      const group = ctx.data.group();
      await ctx.store.directory.createUser(user, ctx.data.audit());
      await ctx.store.directory.createUser(stayer, ctx.data.audit());
      await ctx.store.directory.createGroup(group, ctx.data.audit());
      await ctx.store.directory.addMember(group.id, user.id, ctx.data.audit());
      await ctx.store.directory.addMember(group.id, stayer.id, ctx.data.audit());
      const audit = ctx.data.audit('Delete user');

      expect(await ctx.store.directory.deleteUser(user.id, deletionAudits(ctx, audit))).toBe(true);
      expect(await ctx.store.directory.getUserById(user.id)).toBeNull();
      expect(await ctx.store.directory.getUserByUpn('leaver@contoso.com')).toBeNull();
      expect(await ctx.store.directory.groupIdsOfUser(user.id)).toEqual([]);
      expect((await ctx.store.directory.listMembers(group.id, { filter: [], top: 10 })).items).toEqual([stayer]);
      expect((await allAudit(ctx.store))[0]).toEqual(audit);

      expect(await ctx.store.directory.deleteUser(user.id, deletionAudits(ctx, ctx.data.audit()))).toBe(false);
      expect(await allAudit(ctx.store)).toHaveLength(6);
      await ctx.store.directory.createUser(
        ctx.data.user({ userPrincipalName: 'leaver@contoso.com' }),
        ctx.data.audit(),
      );
    });

    it('deletes a user with their passkeys and role assignments, auditing each removal, and leaves other users alone', async () => {
      const user = ctx.data.user();
      const stayer = ctx.data.user();
      await ctx.store.directory.createUser(user, ctx.data.audit());
      await ctx.store.directory.createUser(stayer, ctx.data.audit());
      const keys = [ctx.data.credential(user.id), ctx.data.credential(user.id, { backupEligible: true })];
      const kept = ctx.data.credential(stayer.id);
      for (const c of [...keys, kept]) await ctx.store.credentials.create(c, ctx.data.audit('Add Passkey'));
      const role = newRoleAssignment(DirectoryRoles['Global Administrator'], user.id);
      const keptRole = newRoleAssignment(DirectoryRoles['Global Administrator'], stayer.id);
      await ctx.store.directory.createRoleAssignment(role, ctx.data.audit('Add member to role'));
      await ctx.store.directory.createRoleAssignment(keptRole, ctx.data.audit('Add member to role'));
      const before = (await allAudit(ctx.store)).length;

      const removedPasskeys: string[] = [];
      const removedRoles: string[] = [];
      const audits: UserDeletionAudits = {
        user: ctx.data.audit('Delete user'),
        passkey: (c) => (removedPasskeys.push(c.id), ctx.data.audit('Delete Passkey')),
        roleAssignment: (a) => (removedRoles.push(a.id), ctx.data.audit('Remove member from role')),
      };
      expect(await ctx.store.directory.deleteUser(user.id, audits)).toBe(true);

      expect(removedPasskeys.sort()).toEqual(keys.map((k) => k.id).sort());
      expect(removedRoles).toEqual([role.id]);
      expect(await ctx.store.credentials.listByUser(user.id)).toEqual([]);
      for (const k of keys) expect(await ctx.store.credentials.get(k.id)).toBeNull();
      expect(await ctx.store.directory.listRoleAssignments({ principalId: user.id })).toEqual([]);
      expect(await ctx.store.directory.getRoleAssignment(role.id)).toBeNull();
      expect((await ctx.store.credentials.get(kept.id))?.value).toEqual(kept);
      expect(await ctx.store.directory.listRoleAssignments({ principalId: stayer.id })).toEqual([keptRole]);
      const names = (await allAudit(ctx.store))
        .slice(0, (await allAudit(ctx.store)).length - before)
        .map((r) => r.activityDisplayName);
      expect(names.sort()).toEqual(['Delete Passkey', 'Delete Passkey', 'Delete user', 'Remove member from role']);
    });
  });
}

/** Deletion audits that name only the user's own record (for users without passkeys or roles). */
function deletionAudits(ctx: ContractContext, user: AuditRecord): UserDeletionAudits {
  return {
    user,
    passkey: () => ctx.data.audit('Delete Passkey'),
    roleAssignment: () => ctx.data.audit('Remove member from role'),
  };
}
