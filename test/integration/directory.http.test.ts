import { DemoTenant } from '../../shared/services/seedDemoTenant';
import { Roles, startTestService, TestService } from '../support/localService';

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
    expect(upns).toEqual(expect.arrayContaining(['admin@contoso.com', 'alice@contoso.com', 'bob@contoso.com', 'guest@fabrikam.com']));
    const guest = users.body.value.find((u: { userPrincipalName: string }) => u.userPrincipalName === 'guest@fabrikam.com');
    expect(guest.userType).toBe('Guest');
    const groups = await svc.call('GET', "/v1.0/groups?$filter=displayName eq 'Passkey pilot'", { token: admin });
    expect(groups.body.value).toHaveLength(1);
    const members = await svc.call('GET', `/v1.0/groups/${groups.body.value[0].id}/members`, { token: admin });
    expect(members.body.value.map((m: { userPrincipalName: string }) => m.userPrincipalName)).toEqual(['alice@contoso.com']);
  });

  it('creates a user (201 with a GUID id) and reads it by id and by UPN', async () => {
    const created = await svc.call('POST', '/v1.0/users', { token: admin, body: { userPrincipalName: 'carol@contoso.com', displayName: 'Carol' } });
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(created.body).toMatchObject({ userPrincipalName: 'carol@contoso.com', displayName: 'Carol', userType: 'Member' });
    expect((await svc.call('GET', `/v1.0/users/${created.body.id}`, { token: admin })).body.displayName).toBe('Carol');
    expect((await svc.call('GET', '/v1.0/users/CAROL@contoso.com', { token: admin })).body.id).toBe(created.body.id);
  });

  it('refuses a duplicate UPN, whatever its case, and a malformed body', async () => {
    const dup = await svc.call('POST', '/v1.0/users', { token: admin, body: { userPrincipalName: 'ALICE@contoso.com', displayName: 'Alice 2' } });
    expect([400, 409]).toContain(dup.status);
    expect(dup.body.error.message).toContain('userPrincipalName');
    const bad = await svc.call('POST', '/v1.0/users', { token: admin, body: { userPrincipalName: 'not-an-upn', displayName: 'X' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('userPrincipalName');
    const badType = await svc.call('POST', '/v1.0/users', { token: admin, body: { userPrincipalName: 'x@contoso.com', displayName: 'X', userType: 'Admin' } });
    expect(badType.status).toBe(400);
    expect((await svc.call('GET', '/v1.0/users/x@contoso.com', { token: admin })).status).toBe(404);
  });

  it('requires User.ReadWrite.All or Global Administrator to write, and any token to be valid', async () => {
    expect((await svc.call('POST', '/v1.0/users', { token: alice, body: { userPrincipalName: 'eve@contoso.com', displayName: 'Eve' } })).status).toBe(403);
    const app = await svc.token({ permissions: ['User.ReadWrite.All'] });
    expect((await svc.call('POST', '/v1.0/users', { token: app, body: { userPrincipalName: 'eve@contoso.com', displayName: 'Eve' } })).status).toBe(201);
    expect((await svc.call('GET', '/v1.0/users')).status).toBe(401);
  });

  it('updates a user with PATCH (204) and records a UPN change', async () => {
    const created = await svc.call('POST', '/v1.0/users', { token: admin, body: { userPrincipalName: 'dave@contoso.com', displayName: 'Dave' } });
    const res = await svc.call('PATCH', `/v1.0/users/${created.body.id}`, { token: admin, body: { userPrincipalName: 'david@contoso.com' } });
    expect(res.status).toBe(204);
    expect((await svc.call('GET', '/v1.0/users/dave@contoso.com', { token: admin })).status).toBe(404);
    expect((await svc.call('GET', '/v1.0/users/david@contoso.com', { token: admin })).body.id).toBe(created.body.id);
    const audit = await svc.app.store.audit.list({ top: 20 });
    const record = audit.items.find((r) => r.activityDisplayName === 'Update user' && r.targetResources[0].id === created.body.id);
    expect(record?.targetResources[0].modifiedProperties).toEqual([
      { displayName: 'userPrincipalName', oldValue: '"dave@contoso.com"', newValue: '"david@contoso.com"' },
    ]);
    expect((await svc.call('PATCH', `/v1.0/users/${created.body.id}`, { token: admin, body: {} })).status).toBe(400);
  });

  it('deletes a user (204), then 404', async () => {
    const created = await svc.call('POST', '/v1.0/users', { token: admin, body: { userPrincipalName: 'temp@contoso.com', displayName: 'Temp' } });
    expect((await svc.call('DELETE', `/v1.0/users/${created.body.id}`, { token: admin })).status).toBe(204);
    expect((await svc.call('GET', `/v1.0/users/${created.body.id}`, { token: admin })).status).toBe(404);
    expect((await svc.call('DELETE', `/v1.0/users/${created.body.id}`, { token: admin })).status).toBe(404);
  });

  it('filters with eq and startswith, selects, and pages with $top and @odata.nextLink', async () => {
    const eq = await svc.call('GET', `/v1.0/users?$filter=${encodeURIComponent("userPrincipalName eq 'bob@contoso.com'")}&$select=displayName`, { token: admin });
    expect(eq.body.value).toEqual([{ id: DemoTenant.bob.id, displayName: 'Bob Jones' }]);
    const sw = await svc.call('GET', `/v1.0/users?$filter=${encodeURIComponent("startswith(displayName,'al')")}`, { token: admin });
    expect(sw.body.value.map((u: { userPrincipalName: string }) => u.userPrincipalName)).toEqual(['alice@contoso.com']);
    const bad = await svc.call('GET', `/v1.0/users?$filter=${encodeURIComponent('mail eq 1')}`, { token: admin });
    expect(bad.status).toBe(400);

    const seen: string[] = [];
    let next: string | undefined = '/v1.0/users?$top=2';
    while (next) {
      const page: { body: { value: Array<{ id: string }>; '@odata.nextLink'?: string } } = await svc.call('GET', next, { token: admin });
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
    const group = await svc.call('POST', '/v1.0/groups', { token: admin, body: { displayName: 'Finance', securityEnabled: true } });
    expect(group.status).toBe(201);
    const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${DemoTenant.bob.id}` };
    expect((await svc.call('POST', `/v1.0/groups/${group.body.id}/members/$ref`, { token: admin, body: ref })).status).toBe(204);
    expect((await svc.call('POST', `/v1.0/groups/${group.body.id}/members/$ref`, { token: admin, body: ref })).status).toBe(400);
    const members = await svc.call('GET', `/v1.0/groups/${group.body.id}/members`, { token: admin });
    expect(members.body.value.map((m: { id: string }) => m.id)).toEqual([DemoTenant.bob.id]);
    const missingUser = { '@odata.id': 'https://graph.microsoft.com/v1.0/directoryObjects/11111111-1111-4111-8111-111111111111' };
    expect((await svc.call('POST', `/v1.0/groups/${group.body.id}/members/$ref`, { token: admin, body: missingUser })).status).toBe(404);
    expect((await svc.call('POST', `/v1.0/groups/${group.body.id}/members/$ref`, { token: admin, body: { '@odata.id': 'nope' } })).status).toBe(400);
    expect((await svc.call('GET', '/v1.0/groups/11111111-1111-4111-8111-111111111111/members', { token: admin })).status).toBe(404);
    expect((await svc.call('DELETE', `/v1.0/groups/${group.body.id}/members/${DemoTenant.bob.id}/$ref`, { token: admin })).status).toBe(204);
    expect((await svc.call('GET', `/v1.0/groups/${group.body.id}/members`, { token: admin })).body.value).toEqual([]);
  });

  it('serves the OpenAPI document with every route', async () => {
    const doc = await svc.call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const paths = Object.keys(doc.body.paths);
    expect(paths).toEqual(expect.arrayContaining([
      '/{ver}/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{configId}',
      '/{ver}/users',
      '/{ver}/users/{userId}',
      '/{ver}/groups/{groupId}/members/$ref',
      '/health',
    ]));
    expect(doc.body.paths['/{ver}/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{configId}'].patch.requestBody).toBeTruthy();
  });

  it('answers /health with versions and adapters', async () => {
    const health = await svc.call('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', node: process.version, adapters: { store: 'sqlite' } });
  });
});
