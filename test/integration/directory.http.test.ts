import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventTypeOf } from '../../shared/domain/events/eventFromAudit';
import { DemoTenant } from '../../shared/services/seedDemoTenant';
import { expectRefused, register, setPolicy, YUBIKEY_5 } from '../support/ceremonies';
import { FRONTEND_ORIGIN, Roles, startTestService, TestService } from '../support/localService';
import { SoftAuthenticator } from '../../cli/authenticators/soft';
import { toGraphCredential } from '../../cli/provision/credential';

describe('embedded directory over HTTP', () => {
  let svc: TestService;
  let admin: string;
  let alice: string;

  beforeAll(async () => {
    svc = await startTestService();
    admin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] });
    alice = await svc.token({ upn: 'alice@contoso.com' });
  });
  afterAll(() => svc.close());

  it('is seeded with the demo tenant', async () => {
    const users = await svc.call('GET', '/v1.0/users', { token: admin });
    expect(users.status).toBe(200);
    expect(users.body['@odata.context']).toContain('$metadata#users');
    const upns = users.body.value.map((u: { userPrincipalName: string }) => u.userPrincipalName);
    expect(upns).toEqual(
      expect.arrayContaining(['admin@contoso.com', 'alice@contoso.com', 'bob@contoso.com', 'guest@fabrikam.com']),
    );
    const guest = users.body.value.find(
      (u: { userPrincipalName: string }) => u.userPrincipalName === 'guest@fabrikam.com',
    );
    expect(guest.userType).toBe('Guest');
    const groups = await svc.call('GET', "/v1.0/groups?$filter=displayName eq 'Passkey pilot'", { token: admin });
    expect(groups.body.value).toHaveLength(1);
    const members = await svc.call('GET', `/v1.0/groups/${groups.body.value[0].id}/members`, { token: admin });
    expect(members.body.value.map((m: { userPrincipalName: string }) => m.userPrincipalName)).toEqual([
      'alice@contoso.com',
    ]);
  });

  it('creates a user (201 with a GUID id) and reads it by id and by UPN', async () => {
    const created = await svc.call('POST', '/v1.0/users', {
      token: admin,
      body: { userPrincipalName: 'carol@contoso.com', displayName: 'Carol' },
    });
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(created.body).toMatchObject({
      userPrincipalName: 'carol@contoso.com',
      displayName: 'Carol',
      userType: 'Member',
    });
    expect((await svc.call('GET', `/v1.0/users/${created.body.id}`, { token: admin })).body.displayName).toBe('Carol');
    expect((await svc.call('GET', '/v1.0/users/CAROL@contoso.com', { token: admin })).body.id).toBe(created.body.id);
  });

  it('refuses a duplicate UPN, whatever its case, and a malformed body', async () => {
    const dup = await svc.call('POST', '/v1.0/users', {
      token: admin,
      body: { userPrincipalName: 'ALICE@contoso.com', displayName: 'Alice 2' },
    });
    expect([400, 409]).toContain(dup.status);
    expect(dup.body.error.message).toContain('userPrincipalName');
    const bad = await svc.call('POST', '/v1.0/users', {
      token: admin,
      body: { userPrincipalName: 'not-an-upn', displayName: 'X' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('userPrincipalName');
    const badType = await svc.call('POST', '/v1.0/users', {
      token: admin,
      body: { userPrincipalName: 'x@contoso.com', displayName: 'X', userType: 'Admin' },
    });
    expect(badType.status).toBe(400);
    expect((await svc.call('GET', '/v1.0/users/x@contoso.com', { token: admin })).status).toBe(404);
  });

  it('requires User.ReadWrite.All or Global Administrator to write, and any token to be valid', async () => {
    expect(
      (
        await svc.call('POST', '/v1.0/users', {
          token: alice,
          body: { userPrincipalName: 'eve@contoso.com', displayName: 'Eve' },
        })
      ).status,
    ).toBe(403);
    const app = await svc.token({ permissions: ['User.ReadWrite.All'] });
    expect(
      (
        await svc.call('POST', '/v1.0/users', {
          token: app,
          body: { userPrincipalName: 'eve@contoso.com', displayName: 'Eve' },
        })
      ).status,
    ).toBe(201);
    expect((await svc.call('GET', '/v1.0/users')).status).toBe(401);
  });

  it('updates a user with PATCH (204) and records a UPN change', async () => {
    const created = await svc.call('POST', '/v1.0/users', {
      token: admin,
      body: { userPrincipalName: 'dave@contoso.com', displayName: 'Dave' },
    });
    const res = await svc.call('PATCH', `/v1.0/users/${created.body.id}`, {
      token: admin,
      body: { userPrincipalName: 'david@contoso.com' },
    });
    expect(res.status).toBe(204);
    expect((await svc.call('GET', '/v1.0/users/dave@contoso.com', { token: admin })).status).toBe(404);
    expect((await svc.call('GET', '/v1.0/users/david@contoso.com', { token: admin })).body.id).toBe(created.body.id);
    const audit = await svc.app.store.audit.list({ top: 20 });
    const record = audit.items.find(
      (r) => r.activityDisplayName === 'Update user' && r.targetResources[0].id === created.body.id,
    );
    expect(record?.targetResources[0].modifiedProperties).toEqual([
      { displayName: 'userPrincipalName', oldValue: '"dave@contoso.com"', newValue: '"david@contoso.com"' },
    ]);
    expect((await svc.call('PATCH', `/v1.0/users/${created.body.id}`, { token: admin, body: {} })).status).toBe(400);
  });

  it('deletes a user (204), then 404', async () => {
    const created = await svc.call('POST', '/v1.0/users', {
      token: admin,
      body: { userPrincipalName: 'temp@contoso.com', displayName: 'Temp' },
    });
    expect((await svc.call('DELETE', `/v1.0/users/${created.body.id}`, { token: admin })).status).toBe(204);
    expect((await svc.call('GET', `/v1.0/users/${created.body.id}`, { token: admin })).status).toBe(404);
    expect((await svc.call('DELETE', `/v1.0/users/${created.body.id}`, { token: admin })).status).toBe(404);
  });

  it('filters with eq and startswith, selects, and pages with $top and @odata.nextLink', async () => {
    const eq = await svc.call(
      'GET',
      `/v1.0/users?$filter=${encodeURIComponent("userPrincipalName eq 'bob@contoso.com'")}&$select=displayName`,
      { token: admin },
    );
    expect(eq.body.value).toEqual([{ id: DemoTenant.bob.id, displayName: 'Bob Jones' }]);
    const sw = await svc.call('GET', `/v1.0/users?$filter=${encodeURIComponent("startswith(displayName,'al')")}`, {
      token: admin,
    });
    expect(sw.body.value.map((u: { userPrincipalName: string }) => u.userPrincipalName)).toEqual(['alice@contoso.com']);
    const bad = await svc.call('GET', `/v1.0/users?$filter=${encodeURIComponent('mail eq 1')}`, { token: admin });
    expect(bad.status).toBe(400);

    const seen: string[] = [];
    let next: string | undefined = '/v1.0/users?$top=2';
    while (next) {
      const page: { body: { value: Array<{ id: string }>; '@odata.nextLink'?: string } } = await svc.call('GET', next, {
        token: admin,
      });
      expect(page.body.value.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.value.map((u) => u.id));
      const link = page.body['@odata.nextLink'];
      next = link ? link.slice(link.indexOf('/v1.0')) : undefined;
    }
    const all = await svc.call('GET', '/v1.0/users?$top=999', { token: admin });
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(all.body.value.map((u: { id: string }) => u.id).sort());
    expect((await svc.call('GET', '/v1.0/users?$top=0', { token: admin })).status).toBe(400);
  });

  it('creates a group and adds members by @odata.id reference', async () => {
    const group = await svc.call('POST', '/v1.0/groups', {
      token: admin,
      body: { displayName: 'Finance', securityEnabled: true },
    });
    expect(group.status).toBe(201);
    const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${DemoTenant.bob.id}` };
    expect(
      (await svc.call('POST', `/v1.0/groups/${group.body.id}/members/$ref`, { token: admin, body: ref })).status,
    ).toBe(204);
    expect(
      (await svc.call('POST', `/v1.0/groups/${group.body.id}/members/$ref`, { token: admin, body: ref })).status,
    ).toBe(400);
    const members = await svc.call('GET', `/v1.0/groups/${group.body.id}/members`, { token: admin });
    expect(members.body.value.map((m: { id: string }) => m.id)).toEqual([DemoTenant.bob.id]);
    const missingUser = {
      '@odata.id': 'https://graph.microsoft.com/v1.0/directoryObjects/11111111-1111-4111-8111-111111111111',
    };
    expect(
      (await svc.call('POST', `/v1.0/groups/${group.body.id}/members/$ref`, { token: admin, body: missingUser }))
        .status,
    ).toBe(404);
    expect(
      (
        await svc.call('POST', `/v1.0/groups/${group.body.id}/members/$ref`, {
          token: admin,
          body: { '@odata.id': 'nope' },
        })
      ).status,
    ).toBe(400);
    expect(
      (await svc.call('GET', '/v1.0/groups/11111111-1111-4111-8111-111111111111/members', { token: admin })).status,
    ).toBe(404);
    expect(
      (await svc.call('DELETE', `/v1.0/groups/${group.body.id}/members/${DemoTenant.bob.id}/$ref`, { token: admin }))
        .status,
    ).toBe(204);
    expect((await svc.call('GET', `/v1.0/groups/${group.body.id}/members`, { token: admin })).body.value).toEqual([]);
  });

  it('serves the OpenAPI document with every route', async () => {
    const doc = await svc.call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const paths = Object.keys(doc.body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/{ver}/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{configId}',
        '/{ver}/users',
        '/{ver}/users/{userId}',
        '/{ver}/groups/{groupId}/members/$ref',
        '/health',
      ]),
    );
    expect(
      doc.body.paths['/{ver}/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{configId}'].patch
        .requestBody,
    ).toBeTruthy();
  });

  it('answers /health with versions and adapters', async () => {
    const health = await svc.call('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', node: process.version, adapters: { store: 'sqlite' } });
  });
});

const RA = '/v1.0/roleManagement/directory/roleAssignments';
const GA_ROLE = '62e90394-69f5-4237-9190-012177145e10';
const READERS_ROLE = '88d8e3e3-8f55-4a1e-953a-9b9898b8876b';

describe('directory role assignments and privileged targets over HTTP', () => {
  let svc: TestService;
  let globalAdmin: string;
  let paa: string;
  let authAdmin: string;
  let userAdmin: string;
  let privilegedRoleAdmin: string;
  let adminKey: SoftAuthenticator;
  let adminPasskey: string;

  beforeAll(async () => {
    svc = await startTestService();
    globalAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] });
    // The callers below are Bob with one role each: what their token says, not what the store holds for Bob.
    paa = await svc.token({ upn: 'bob@contoso.com', roles: ['Privileged Authentication Administrator'] });
    authAdmin = await svc.token({ upn: 'bob@contoso.com', roles: [Roles.authAdmin] });
    userAdmin = await svc.token({ upn: 'bob@contoso.com', roles: ['User Administrator'] });
    privilegedRoleAdmin = await svc.token({ upn: 'bob@contoso.com', roles: ['Privileged Role Administrator'] });
    await setPolicy(svc, await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] }));
    adminKey = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
    adminPasskey = (await register(svc, await svc.token({ upn: 'admin@contoso.com' }), adminKey)).id;
  });
  afterAll(() => svc.close());

  const adminPasskeys = async () => (await svc.app.store.credentials.listByUser(DemoTenant.admin.id)).map((c) => c.id);

  it("seeds Global Administrator for admin@contoso.com, listed in Graph's shape with $filter on principalId, on v1.0 and beta", async () => {
    for (const ver of ['v1.0', 'beta']) {
      const list = await svc.call(
        'GET',
        `/${ver}/roleManagement/directory/roleAssignments?$filter=principalId eq '${DemoTenant.admin.id}'`,
        { token: globalAdmin },
      );
      expect(list.status).toBe(200);
      expect(list.body['@odata.context']).toContain('$metadata#roleManagement/directory/roleAssignments');
      expect(list.body.value).toEqual([
        {
          id: expect.stringMatching(/-1$/),
          principalId: DemoTenant.admin.id,
          roleDefinitionId: GA_ROLE,
          directoryScopeId: '/',
        },
      ]);
      const one = await svc.call('GET', `/${ver}/roleManagement/directory/roleAssignments/${list.body.value[0].id}`, {
        token: globalAdmin,
      });
      expect(one.body).toMatchObject(list.body.value[0]);
    }
    const none = await svc.call('GET', `${RA}?$filter=principalId eq '${DemoTenant.alice.id}'`, { token: globalAdmin });
    expect(none.body.value).toEqual([]);
  });

  it('assigns and removes a role (201, 204), each change audited, and refuses duplicates, unknown users and other scopes', async () => {
    const created = await svc.call('POST', RA, {
      token: privilegedRoleAdmin,
      body: {
        '@odata.type': '#microsoft.graph.unifiedRoleAssignment',
        principalId: DemoTenant.alice.id,
        roleDefinitionId: READERS_ROLE,
        directoryScopeId: '/',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      principalId: DemoTenant.alice.id,
      roleDefinitionId: READERS_ROLE,
      directoryScopeId: '/',
    });
    expect(created.headers.get('location')).toContain(`/roleAssignments/${created.body.id}`);
    const dup = await svc.call('POST', RA, {
      token: globalAdmin,
      body: { principalId: DemoTenant.alice.id, roleDefinitionId: READERS_ROLE, directoryScopeId: '/' },
    });
    expect(dup.status).toBe(409);
    expect(
      (
        await svc.call('POST', RA, {
          token: globalAdmin,
          body: {
            principalId: '00000000-0000-4000-8000-00000000dead',
            roleDefinitionId: READERS_ROLE,
            directoryScopeId: '/',
          },
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await svc.call('POST', RA, {
          token: globalAdmin,
          body: {
            principalId: DemoTenant.alice.id,
            roleDefinitionId: READERS_ROLE,
            directoryScopeId: '/administrativeUnits/x',
          },
        })
      ).status,
    ).toBe(400);
    expect((await svc.call('GET', `${RA}?$filter=startswith(principalId,'0')`, { token: globalAdmin })).status).toBe(
      400,
    );

    expect((await svc.call('DELETE', `${RA}/${created.body.id}`, { token: globalAdmin })).status).toBe(204);
    expect((await svc.call('DELETE', `${RA}/${created.body.id}`, { token: globalAdmin })).status).toBe(404);
    expect((await svc.call('GET', `${RA}/${created.body.id}`, { token: globalAdmin })).status).toBe(404);
    const audit = (await svc.app.store.audit.list({ top: 20 })).items.filter(
      (r) => r.category === 'RoleManagement' && r.targetResources[0].id === DemoTenant.alice.id,
    );
    expect(audit.map((r) => [r.activityDisplayName, r.initiatedBy.user?.userPrincipalName])).toEqual([
      ['Remove member from role', 'admin@contoso.com'],
      ['Add member to role', 'bob@contoso.com'],
    ]);
  });

  it('attack: a User Administrator or Authentication Administrator assigns itself Global Administrator, refused (403)', async () => {
    for (const token of [userAdmin, authAdmin, paa]) {
      const res = await svc.call('POST', RA, {
        token,
        body: { principalId: DemoTenant.bob.id, roleDefinitionId: GA_ROLE, directoryScopeId: '/' },
      });
      expect(res.status).toBe(403);
    }
    expect((await svc.call('GET', RA, { token: userAdmin })).status).toBe(403);
    expect(
      (await svc.call('GET', RA, { token: await svc.token({ permissions: ['RoleManagement.Read.Directory'] }) }))
        .status,
    ).toBe(200);
    expect(
      (
        await svc.call('POST', RA, {
          token: await svc.token({ permissions: ['RoleManagement.Read.Directory'] }),
          body: { principalId: DemoTenant.bob.id, roleDefinitionId: GA_ROLE, directoryScopeId: '/' },
        })
      ).status,
    ).toBe(403);
    expect(await svc.app.directory.roleIdsOfUser(DemoTenant.bob.id)).toEqual([]);
  });

  it('attack: an Authentication Administrator gets creation options for a Global Administrator, refused (403)', async () => {
    const res = await svc.call('GET', '/v1.0/users/admin@contoso.com/authentication/fido2Methods/creationOptions', {
      token: authAdmin,
    });
    expectRefused(
      res,
      403,
      'privilegedTargetRequiresPrivilegedRole',
      /admin@contoso\.com.*Privileged Authentication Administrator or Global Administrator/,
    );
    // Alice holds no role: the Authentication Administrator may provision for her.
    expect(
      (
        await svc.call('GET', '/v1.0/users/alice@contoso.com/authentication/fido2Methods/creationOptions', {
          token: authAdmin,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await svc.call('GET', '/v1.0/users/admin@contoso.com/authentication/fido2Methods/creationOptions', {
          token: paa,
        })
      ).status,
    ).toBe(200);
  });

  it("attack: an Authentication Administrator registers a passkey of its own on a Global Administrator's account, refused (403)", async () => {
    const options = await svc.call('GET', '/v1.0/users/admin@contoso.com/authentication/fido2Methods/creationOptions', {
      token: paa,
    });
    const credential = await new SoftAuthenticator({ aaguid: YUBIKEY_5 }).createCredential(options.body.publicKey, {
      origin: FRONTEND_ORIGIN,
    });
    const publicKeyCredential = toGraphCredential(credential);
    const res = await svc.call('POST', '/v1.0/users/admin@contoso.com/authentication/fido2Methods', {
      token: authAdmin,
      body: { displayName: 'attacker key', publicKeyCredential },
    });
    expectRefused(res, 403, 'privilegedTargetRequiresPrivilegedRole', /admin@contoso\.com/);
    expect(await adminPasskeys()).toEqual([adminPasskey]);
    const allowed = await svc.call('POST', '/v1.0/users/admin@contoso.com/authentication/fido2Methods', {
      token: paa,
      body: { displayName: 'second key', publicKeyCredential },
    });
    expect(allowed.status).toBe(201);
    expect(
      (
        await svc.call('DELETE', `/v1.0/users/admin@contoso.com/authentication/fido2Methods/${credential.id}`, {
          token: paa,
        })
      ).status,
    ).toBe(204);
  });

  it("attack: an Authentication Administrator deletes a Global Administrator's passkey, refused (403); allowed once the role is removed, and for an app with UserAuthenticationMethod.ReadWrite.All", async () => {
    const path = `/v1.0/users/${DemoTenant.admin.id}/authentication/fido2Methods/${adminPasskey}`;
    expectRefused(
      await svc.call('DELETE', path, { token: authAdmin }),
      403,
      'privilegedTargetRequiresPrivilegedRole',
      /admin@contoso\.com/,
    );
    expect(await adminPasskeys()).toEqual([adminPasskey]);
    // The role comes from the directory, not from the target's token: without the assignment, the same call is allowed.
    const [assignment] = await svc.app.directory.listRoleAssignments({ principalId: DemoTenant.admin.id });
    expect((await svc.call('DELETE', `${RA}/${assignment.id}`, { token: globalAdmin })).status).toBe(204);
    const probe = await svc.call('GET', '/v1.0/users/admin@contoso.com/authentication/fido2Methods/creationOptions', {
      token: authAdmin,
    });
    expect(probe.status).toBe(200);
    expect(
      (
        await svc.call('POST', RA, {
          token: globalAdmin,
          body: { principalId: DemoTenant.admin.id, roleDefinitionId: GA_ROLE, directoryScopeId: '/' },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await svc.call('GET', '/v1.0/users/admin@contoso.com/authentication/fido2Methods/creationOptions', {
          token: authAdmin,
        })
      ).status,
    ).toBe(403);
    const app = await svc.token({ permissions: ['UserAuthenticationMethod.ReadWrite.All'] });
    expect(
      (
        await svc.call('GET', '/v1.0/users/admin@contoso.com/authentication/fido2Methods/creationOptions', {
          token: app,
        })
      ).status,
    ).toBe(200);
  });

  it('attack: a User Administrator renames, disables or turns into a guest a Global Administrator (a rename starts the UPN re-enrolment that deletes passkeys), refused (403); a Global Administrator may', async () => {
    const res = await svc.call('PATCH', `/v1.0/users/${DemoTenant.admin.id}`, {
      token: userAdmin,
      body: { userPrincipalName: 'owned@contoso.com' },
    });
    expectRefused(res, 403, 'privilegedTargetRequiresPrivilegedRole', /userPrincipalName.* of 'admin@contoso\.com'/);
    expect((await svc.app.directory.getUser(DemoTenant.admin.id)).value.userPrincipalName).toBe('admin@contoso.com');
    const app = await svc.token({ permissions: ['User.ReadWrite.All'] });
    expect(
      (
        await svc.call('PATCH', `/v1.0/users/${DemoTenant.admin.id}`, {
          token: app,
          body: { userPrincipalName: 'owned@contoso.com' },
        })
      ).status,
    ).toBe(403);
    for (const body of [{ accountEnabled: false }, { userType: 'Guest' }, { mail: 'attacker@fabrikam.com' }]) {
      expect((await svc.call('PATCH', `/v1.0/users/${DemoTenant.admin.id}`, { token: userAdmin, body })).status).toBe(
        403,
      );
    }
    expect((await svc.app.directory.getUser(DemoTenant.admin.id)).value).toMatchObject({
      accountEnabled: true,
      userType: 'Member',
      mail: null,
    });
    // Other properties are no sensitive action: the User Administrator may change the display name.
    expect(
      (
        await svc.call('PATCH', `/v1.0/users/${DemoTenant.admin.id}`, {
          token: userAdmin,
          body: { displayName: 'Contoso Admin' },
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await svc.call('PATCH', `/v1.0/users/${DemoTenant.admin.id}`, {
          token: globalAdmin,
          body: { userPrincipalName: 'Admin@contoso.com' },
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await svc.call('PATCH', `/v1.0/users/${DemoTenant.admin.id}`, {
          token: globalAdmin,
          body: { userPrincipalName: 'admin@contoso.com' },
        })
      ).status,
    ).toBe(204);
  });

  it('attack: a User Administrator deletes a Global Administrator (and so their passkeys), refused (403)', async () => {
    expectRefused(
      await svc.call('DELETE', `/v1.0/users/${DemoTenant.admin.id}`, { token: userAdmin }),
      403,
      'privilegedTargetRequiresPrivilegedRole',
      /delete 'admin@contoso\.com'/,
    );
    expect(await svc.app.directory.findUser(DemoTenant.admin.id)).not.toBeNull();
    expect(await adminPasskeys()).toEqual([adminPasskey]);
  });

  it("deletes a user with their passkeys and role assignments, each removal audited; the deleted user's passkey no longer signs in", async () => {
    const carol = await svc.call('POST', '/v1.0/users', {
      token: globalAdmin,
      body: { userPrincipalName: 'carol@contoso.com', displayName: 'Carol' },
    });
    const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
    const passkey = (await register(svc, await svc.token({ upn: 'carol@contoso.com' }), key)).id;
    expect(
      (
        await svc.call('POST', RA, {
          token: globalAdmin,
          body: { principalId: carol.body.id, roleDefinitionId: READERS_ROLE, directoryScopeId: '/' },
        })
      ).status,
    ).toBe(201);

    expect((await svc.call('DELETE', `/v1.0/users/${carol.body.id}`, { token: userAdmin })).status).toBe(204);
    expect(await svc.app.store.credentials.get(passkey)).toBeNull();
    expect(await svc.app.directory.listRoleAssignments({ principalId: carol.body.id })).toEqual([]);
    const records = (await svc.app.store.audit.list({ top: 10 })).items
      .filter((r) => r.targetResources[0]?.id === carol.body.id)
      .slice(0, 3);
    expect(records.map((r) => [r.activityDisplayName, eventTypeOf(r)]).sort()).toEqual([
      ['Delete Passkey (device-bound) security key', 'fido2Method.deleted'],
      ['Delete user', 'user.deleted'],
      ['Remove member from role', 'audit.RoleManagement'],
    ]);
    const signIn = await svc.call('POST', '/webauthn/authentication/options', { body: {} });
    const assertion = await key.getAssertion(signIn.body, { origin: FRONTEND_ORIGIN });
    expect(
      (await svc.call('POST', '/webauthn/authentication/verify', { body: { credential: assertion } })).status,
    ).toBeGreaterThanOrEqual(400);
  });
});

describe('demo tenant seeding', () => {
  it('seeds only an empty store: a deleted demo user stays deleted after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-seed-'));
    try {
      const first = await startTestService({ DATA_DIR: dataDir });
      const admin = await first.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] });
      expect((await first.call('DELETE', `/v1.0/users/${DemoTenant.bob.id}`, { token: admin })).status).toBe(204);
      await first.close();
      const second = await startTestService({ DATA_DIR: dataDir });
      try {
        expect(await second.app.directory.findUser(DemoTenant.bob.id)).toBeNull();
        expect(await second.app.directory.findUser(DemoTenant.alice.id)).not.toBeNull();
        expect(await second.app.directory.roleIdsOfUser(DemoTenant.admin.id)).toEqual([GA_ROLE]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
