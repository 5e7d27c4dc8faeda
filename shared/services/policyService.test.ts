import { defaultFido2Policy } from '../domain/policy/fido2Policy';
import { PolicyRepository } from '../ports/policy.port';
import {
  ADMIN_ACTOR,
  createWebAuthnServices,
  FakeClock,
  refusalOf,
  WebAuthnServices,
} from '../../test/support/webauthnServices';
import { DEFAULT_POLICY_ETAG, etagMatches, PolicyService } from './policyService';
import { DemoTenant } from './seedDemoTenant';

const PILOT = DemoTenant.pilotGroup.id;

/** The store's policy repository, with a hook that runs once just before the next save (a racing writer). */
function racingPolicies(inner: PolicyRepository) {
  const hook: { beforeSave?: () => Promise<void> } = {};
  let saves = 0;
  const repository: PolicyRepository = {
    getFido2: () => inner.getFido2(),
    async saveFido2(policy, options) {
      saves++;
      const race = hook.beforeSave;
      hook.beforeSave = undefined;
      await race?.();
      return inner.saveFido2(policy, options);
    },
  };
  return { repository, hook, saves: () => saves };
}

describe('PolicyService (sqlite in memory)', () => {
  let s: WebAuthnServices;
  beforeEach(async () => {
    s = await createWebAuthnServices();
  });
  afterEach(() => s.close());
  const patch = (changes: Parameters<PolicyService['patchFido2']>[0], ifMatch?: string) =>
    s.policy.patchFido2(changes, { ifMatch, actor: ADMIN_ACTOR });

  it("serves a new tenant's defaults under the default ETag until the first write", async () => {
    expect(await s.policy.getFido2()).toEqual({ value: defaultFido2Policy(), etag: DEFAULT_POLICY_ETAG });
    const saved = await patch({ state: 'enabled' });
    expect(saved.etag).not.toBe(DEFAULT_POLICY_ETAG);
    expect(await s.policy.getFido2()).toEqual(saved);
  });

  it('writes the change with its audit record: who, before and after', async () => {
    await patch({ state: 'enabled' });
    const [record] = (await s.store.audit.list({ top: 1 })).items;
    expect(record).toMatchObject({
      category: 'Policy',
      activityDisplayName: 'Update authentication methods policy',
      initiatedBy: ADMIN_ACTOR,
      targetResources: [
        { id: 'Fido2', modifiedProperties: [{ displayName: 'state', oldValue: '"disabled"', newValue: '"enabled"' }] },
      ],
    });
    expect(record.before).toMatchObject({ state: 'disabled' });
    expect(record.after).toMatchObject({ state: 'enabled' });
  });

  it('targets a security group', async () => {
    await patch({ includeTargets: [{ targetType: 'group', id: PILOT }] });
    expect((await s.policy.getFido2()).value.includeTargets.map((t) => t.id)).toEqual([PILOT]);
  });

  it.each<[string, () => Promise<string>, RegExp]>([
    [
      'a group that does not exist',
      async () => '11111111-1111-4111-8111-111111111111',
      /does not exist; expected 'all_users' or the id of a security group/,
    ],
    [
      'a group that is not a security group',
      async () =>
        (
          await s.directory.createGroup(
            { displayName: 'Newsletter', securityEnabled: false, mailEnabled: true },
            ADMIN_ACTOR,
          )
        ).id,
      /\(Newsletter\) is not a security group/,
    ],
  ])('refuses to target %s (invalidTarget, 400) and writes nothing', async (_title, groupId, message) => {
    const id = await groupId();
    for (const targets of [
      { includeTargets: [{ targetType: 'group' as const, id }] },
      { excludeTargets: [{ targetType: 'group' as const, id }] },
    ]) {
      expect(await refusalOf(patch(targets))).toMatchObject({
        kind: 'badRequest',
        code: 'invalidTarget',
        message: expect.stringMatching(message),
      });
    }
    expect((await s.policy.getFido2()).etag).toBe(DEFAULT_POLICY_ETAG);
  });

  it("refuses a patch the policy rules refuse (applyPolicyPatch's badRequest) and writes nothing", async () => {
    expect(await refusalOf(patch({ defaultPasskeyProfile: 'missing' }))).toMatchObject({
      kind: 'badRequest',
      code: 'BadRequest',
    });
    expect((await s.policy.getFido2()).etag).toBe(DEFAULT_POLICY_ETAG);
  });

  it.each([
    ['the default ETag before the first write', async () => DEFAULT_POLICY_ETAG],
    ['the current ETag', async () => (await patch({ state: 'enabled' })).etag],
    ['*', async () => '*'],
    ['the current ETag as a weak validator', async () => `W/${(await patch({ state: 'enabled' })).etag}`],
  ])('applies a PATCH whose If-Match is %s', async (_title, ifMatch) => {
    await expect(patch({ isSelfServiceRegistrationAllowed: false }, await ifMatch())).resolves.toMatchObject({
      value: { isSelfServiceRegistrationAllowed: false },
    });
  });

  it('refuses a stale If-Match (Request_PreconditionFailed, 412) and writes nothing', async () => {
    const first = await patch({ state: 'enabled' });
    await patch({ state: 'disabled' });
    expect(await refusalOf(patch({ isSelfServiceRegistrationAllowed: false }, first.etag))).toMatchObject({
      kind: 'preconditionFailed',
      code: 'Request_PreconditionFailed',
    });
    expect((await s.policy.getFido2()).value.isSelfServiceRegistrationAllowed).toBe(true);
  });

  describe('a write that races another', () => {
    function raced() {
      const policies = racingPolicies(s.store.policies);
      const service = new PolicyService(policies.repository, s.store.directory, new FakeClock());
      return { service, ...policies };
    }

    it('without If-Match is retried on the fresh policy: no update is lost', async () => {
      const { service, hook } = raced();
      await patch({ state: 'enabled' });
      hook.beforeSave = async () => {
        await patch({ isSelfServiceRegistrationAllowed: false });
      };
      await service.patchFido2({ isAttestationEnforced: true }, { actor: ADMIN_ACTOR });
      expect((await s.policy.getFido2()).value).toMatchObject({
        state: 'enabled',
        isSelfServiceRegistrationAllowed: false,
        isAttestationEnforced: true,
      });
    });

    it("with If-Match is tried once: the caller's ETag went stale (412), and the other write stands", async () => {
      const { service, hook, saves } = raced();
      const current = await patch({ state: 'enabled' });
      hook.beforeSave = async () => {
        await patch({ isSelfServiceRegistrationAllowed: false });
      };
      expect(
        await refusalOf(
          service.patchFido2({ isAttestationEnforced: true }, { ifMatch: current.etag, actor: ADMIN_ACTOR }),
        ),
      ).toMatchObject({ code: 'Request_PreconditionFailed' });
      expect(saves()).toBe(1);
      expect((await s.policy.getFido2()).value).toMatchObject({
        isSelfServiceRegistrationAllowed: false,
        isAttestationEnforced: false,
      });
    });
  });
});

describe('etagMatches: If-Match semantics', () => {
  it.each<[string, string, boolean]>([
    ['"a"', '"a"', true],
    ['"a"', '"b"', false],
    ['*', '"b"', true],
    ['W/"a"', '"a"', true],
    ['"a"', 'W/"a"', true],
    ['"x", "a"', '"a"', true],
    [' "a" ', '"a"', true],
    ['a', '"a"', false],
  ])('If-Match %s against ETag %s: %s', (ifMatch, etag, expected) => {
    expect(etagMatches(ifMatch, etag)).toBe(expected);
  });
});
