import { Principal } from '../../domain/auth/principal';
import { DirectoryRoles } from '../../domain/auth/roles';
import { DemoTenant } from '../seedDemoTenant';
import {
  ADMIN_ACTOR,
  createWebAuthnServices,
  refusalOf,
  registerPasskey,
  WebAuthnServices,
} from '../../../test/support/webauthnServices';

const ALICE = DemoTenant.alice.userPrincipalName;
const ADMIN = DemoTenant.admin.userPrincipalName;

const delegated = (role: string, id = '99999999-0000-4000-8000-000000000001'): Principal => ({
  kind: 'delegated',
  userId: id,
  userPrincipalName: 'operator@contoso.com',
  permissions: [],
  roleTemplateIds: [role],
  scopes: ['user_impersonation'],
});
const authenticationAdministrator = delegated(DirectoryRoles['Authentication Administrator']);
const privilegedAuthenticationAdministrator = delegated(DirectoryRoles['Privileged Authentication Administrator']);

describe('MethodsService (sqlite in memory)', () => {
  let s: WebAuthnServices;
  beforeEach(async () => {
    s = await createWebAuthnServices();
    await s.setPolicy();
    await registerPasskey(s, ALICE, 'alice-key', { backupEligible: true });
    await registerPasskey(s, ADMIN, 'admin-key');
  });
  afterEach(() => s.close());

  it("lists and gets a user's passkeys, by id or UPN, in Graph's shape", async () => {
    const listed = await s.methods.list(ALICE);
    expect(listed).toEqual([
      expect.objectContaining({
        '@odata.type': '#microsoft.graph.fido2AuthenticationMethod',
        id: 'alice-key',
        passkeyType: 'synced',
        lastUsedDateTime: null,
      }),
    ]);
    expect(await s.methods.get(DemoTenant.alice.id, 'alice-key')).toEqual(listed[0]);
  });

  it.each<[string, () => Promise<unknown>]>([
    ['gets a passkey that does not exist', () => s.methods.get(ALICE, 'missing')],
    ["attack: gets another user's passkey through this user", () => s.methods.get(ALICE, 'admin-key')],
    ['deletes a passkey that does not exist', () => s.methods.delete(ALICE, 'missing', ADMIN_ACTOR)],
    [
      "attack: deletes another user's passkey through this user",
      () => s.methods.delete(ALICE, 'admin-key', ADMIN_ACTOR),
    ],
  ])('%s: itemNotFound (404)', async (_title, call) => {
    expect(await refusalOf(call())).toMatchObject({ kind: 'notFound', code: 'itemNotFound' });
    expect(await s.store.credentials.get('admin-key')).not.toBeNull();
  });

  it('an unknown user is not found (404)', async () => {
    expect(await refusalOf(s.methods.list('nobody@contoso.com'))).toMatchObject({ kind: 'notFound' });
  });

  it('deletes a passkey with its audit record, in the wording of its passkey type', async () => {
    await s.methods.delete(ALICE, 'alice-key', ADMIN_ACTOR);
    expect(await s.methods.list(ALICE)).toEqual([]);
    const [record] = (await s.store.audit.list({ top: 1 })).items;
    expect(record).toMatchObject({
      activityDisplayName: 'Delete Passkey (synced)',
      operationType: 'Delete',
      after: null,
      before: expect.objectContaining({ id: 'alice-key' }),
    });
  });

  describe("deleteForCaller: a privileged user's passkeys take a privileged administrator", () => {
    it("attack: an Authentication Administrator deletes the Global Administrator's passkey (privilegedTargetRequiresPrivilegedRole, 403)", async () => {
      expect(
        await refusalOf(s.methods.deleteForCaller(ADMIN, 'admin-key', authenticationAdministrator, 'user')),
      ).toMatchObject({
        kind: 'forbidden',
        code: 'privilegedTargetRequiresPrivilegedRole',
      });
      expect(await s.store.credentials.get('admin-key')).not.toBeNull();
    });

    it.each<[string, Principal, string, string]>([
      ['an Authentication Administrator, a member', authenticationAdministrator, ALICE, 'alice-key'],
      [
        'a Privileged Authentication Administrator, the Global Administrator',
        privilegedAuthenticationAdministrator,
        ADMIN,
        'admin-key',
      ],
    ])('%s: deleted', async (_title, principal, upn, methodId) => {
      await s.methods.deleteForCaller(upn, methodId, principal, 'user');
      expect(await s.store.credentials.get(methodId)).toBeNull();
      expect((await s.store.audit.list({ top: 1 })).items[0].initiatedBy.user).toEqual({
        id: principal.userId,
        userPrincipalName: 'operator@contoso.com',
      });
    });

    it('the signed-in Global Administrator deletes their own passkey on /me (no role check on self)', async () => {
      const self = { ...delegated(DirectoryRoles['Global Administrator'], DemoTenant.admin.id), roleTemplateIds: [] };
      await s.methods.deleteForCaller(ADMIN, 'admin-key', self, 'self');
      expect(await s.store.credentials.get('admin-key')).toBeNull();
    });
  });
});
