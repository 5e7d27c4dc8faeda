import { newRoleAssignment, roleAssignmentId } from '../../shared/domain/auth/roleAssignment';
import { DirectoryRoles } from '../../shared/domain/auth/roles';
import { allAudit, ContractContext, expectConflict, race } from './storeContract.fixtures';

const GA = DirectoryRoles['Global Administrator'];
const PAA = DirectoryRoles['Privileged Authentication Administrator'];

/** Directory role assignments: one per (role, principal), filtered by principal or role, each change audited. */
export function roleAssignmentContract(ctx: ContractContext): void {
  describe('role assignments', () => {
    it('creates an assignment with its audit record and reads it back by id and by principal', async () => {
      const user = ctx.data.user();
      const assignment = newRoleAssignment(GA, user.id);
      const audit = ctx.data.audit('Add member to role');
      await ctx.store.directory.createRoleAssignment(assignment, audit);
      expect(await ctx.store.directory.getRoleAssignment(assignment.id)).toEqual(assignment);
      expect(await ctx.store.directory.listRoleAssignments({ principalId: user.id.toUpperCase() })).toEqual([
        assignment,
      ]);
      expect((await allAudit(ctx.store))[0]).toEqual(audit);
    });

    it('refuses the same role twice for the same principal, also when two writers race, and audits only the winner', async () => {
      const user = ctx.data.user();
      const { won, lost } = await race(
        [0, 1, 2].map(
          () => () =>
            ctx.store.directory.createRoleAssignment(
              newRoleAssignment(GA, user.id),
              ctx.data.audit('Add member to role'),
            ),
        ),
      );
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(2);
      for (const e of lost) expect(e).toMatchObject({ kind: 'conflict', code: 'Request_BadRequest' });
      await expectConflict(
        ctx.store.directory.createRoleAssignment(newRoleAssignment(GA, user.id), ctx.data.audit()),
        'Request_BadRequest',
      );
      expect(await ctx.store.directory.listRoleAssignments({ principalId: user.id })).toHaveLength(1);
      expect(await allAudit(ctx.store)).toHaveLength(1);
    });

    it('filters by principal, by role and by both, ordered by id', async () => {
      const [a, b] = [ctx.data.user(), ctx.data.user()];
      const all = [newRoleAssignment(GA, a.id), newRoleAssignment(PAA, a.id), newRoleAssignment(GA, b.id)];
      for (const x of all) await ctx.store.directory.createRoleAssignment(x, ctx.data.audit());
      const byId = (xs: typeof all) => [...xs].sort((x, y) => (x.id < y.id ? -1 : 1));
      expect(await ctx.store.directory.listRoleAssignments({})).toEqual(byId(all));
      expect(await ctx.store.directory.listRoleAssignments({ principalId: a.id })).toEqual(byId(all.slice(0, 2)));
      expect(await ctx.store.directory.listRoleAssignments({ roleDefinitionId: GA })).toEqual(byId([all[0], all[2]]));
      expect(await ctx.store.directory.listRoleAssignments({ principalId: b.id, roleDefinitionId: PAA })).toEqual([]);
    });

    it('deletes an assignment with its audit record, answers false the second time, and null for unknown ids', async () => {
      const user = ctx.data.user();
      const assignment = newRoleAssignment(GA, user.id);
      await ctx.store.directory.createRoleAssignment(assignment, ctx.data.audit());
      const audit = ctx.data.audit('Remove member from role');
      expect(await ctx.store.directory.deleteRoleAssignment(assignment.id, audit)).toBe(true);
      expect(await ctx.store.directory.getRoleAssignment(assignment.id)).toBeNull();
      expect((await allAudit(ctx.store))[0]).toEqual(audit);
      expect(await ctx.store.directory.deleteRoleAssignment(assignment.id, ctx.data.audit())).toBe(false);
      expect(await allAudit(ctx.store)).toHaveLength(2);
      expect(await ctx.store.directory.getRoleAssignment('not-an-id')).toBeNull();
      expect(await ctx.store.directory.getRoleAssignment(roleAssignmentId(PAA, user.id))).toBeNull();
      expect(await ctx.store.directory.deleteRoleAssignment('not-an-id', ctx.data.audit())).toBe(false);
    });
  });
}
