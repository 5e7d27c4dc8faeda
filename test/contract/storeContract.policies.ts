import { ConcurrencyConflictError } from '../../shared/domain/errors';
import { allAudit, ContractContext, expectStaleEtag, race } from './storeContract.fixtures';

/** FIDO2 policy: If-Match semantics, so a policy PATCH never loses an update. */
export function policyContract(ctx: ContractContext): void {
  describe('policies', () => {
    it('has no FIDO2 policy before the first save', async () => {
      expect(await ctx.store.policies.getFido2()).toBeNull();
    });

    it('inserts the policy when none exists and reads back the same value and ETag, with its audit record', async () => {
      const policy = ctx.data.policy({ state: 'enabled' });
      const audit = ctx.data.audit('Update FIDO2 policy');
      const saved = await ctx.store.policies.saveFido2(policy, { ifMatch: null, audit });
      expect(saved.value).toEqual(policy);
      expect(typeof saved.etag).toBe('string');
      expect(saved.etag.length).toBeGreaterThan(0);
      expect(await ctx.store.policies.getFido2()).toEqual({ value: policy, etag: saved.etag });
      expect(await allAudit(ctx.store)).toEqual([audit]);
    });

    it('refuses an insert when the policy already exists, and keeps the stored one', async () => {
      const first = await ctx.store.policies.saveFido2(ctx.data.policy({ state: 'enabled' }), {
        ifMatch: null,
        audit: ctx.data.audit(),
      });
      await expectStaleEtag(
        ctx.store.policies.saveFido2(ctx.data.policy({ state: 'disabled' }), {
          ifMatch: null,
          audit: ctx.data.audit(),
        }),
      );
      expect(await ctx.store.policies.getFido2()).toEqual(first);
      expect(await allAudit(ctx.store)).toHaveLength(1);
    });

    it('replaces with the current ETag, issues a new ETag, and then refuses the old one', async () => {
      const first = await ctx.store.policies.saveFido2(ctx.data.policy(), { ifMatch: null, audit: ctx.data.audit() });
      const changed = ctx.data.policy({ state: 'enabled', isAttestationEnforced: true });
      const second = await ctx.store.policies.saveFido2(changed, { ifMatch: first.etag, audit: ctx.data.audit() });
      expect(second.etag).not.toBe(first.etag);
      expect(await ctx.store.policies.getFido2()).toEqual({ value: changed, etag: second.etag });

      await expectStaleEtag(
        ctx.store.policies.saveFido2(ctx.data.policy({ state: 'disabled' }), {
          ifMatch: first.etag,
          audit: ctx.data.audit(),
        }),
      );
      expect((await ctx.store.policies.getFido2())?.value).toEqual(changed);
      expect(await allAudit(ctx.store)).toHaveLength(2);
    });

    it('refuses a replace when there is no policy to match', async () => {
      await expectStaleEtag(
        ctx.store.policies.saveFido2(ctx.data.policy(), { ifMatch: '"no-such-etag"', audit: ctx.data.audit() }),
      );
      expect(await ctx.store.policies.getFido2()).toBeNull();
      expect(await allAudit(ctx.store)).toEqual([]);
    });

    it('lets exactly one of several concurrent saves with the same ETag win', async () => {
      const base = await ctx.store.policies.saveFido2(ctx.data.policy(), { ifMatch: null, audit: ctx.data.audit() });
      const candidates = [1, 2, 3, 4, 5].map((n) =>
        ctx.data.policy({ keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [`aaguid-${n}`] } }),
      );
      const { won, lost } = await race(
        candidates.map((p) => () => ctx.store.policies.saveFido2(p, { ifMatch: base.etag, audit: ctx.data.audit() })),
      );
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(4);
      lost.forEach((e) => expect(e).toBeInstanceOf(ConcurrencyConflictError));
      expect(await ctx.store.policies.getFido2()).toEqual(won[0]);
      expect(await allAudit(ctx.store)).toHaveLength(2);
    });
  });
}
