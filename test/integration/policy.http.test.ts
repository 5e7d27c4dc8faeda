import { SoftAuthenticator } from '../../cli/authenticators/soft';
import { DemoTenant } from '../../shared/services/seedDemoTenant';
import { expectRefused, register, YUBIKEY_5 } from '../support/ceremonies';
import { Roles, startTestService, TestService } from '../support/localService';

const POLICY = '/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';
const SEED_PATH = '/beta/authenticationMethodsPolicy/authenticationMethodConfigurations/FIDO2';

/** The body of the seed's Graph Explorer step, with attestation off and one allowed AAGUID. */
const seedPatch = {
  '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration',
  id: 'Fido2',
  state: 'enabled',
  isSelfServiceRegistrationAllowed: true,
  isAttestationEnforced: false,
  keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: ['7e3f3d30-3557-4442-bdae-139312178b39'] },
};

describe('FIDO2 method policy over HTTP', () => {
  let svc: TestService;
  let admin: string;
  let reader: string;
  let alice: string;

  beforeAll(async () => {
    svc = await startTestService();
    admin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
    reader = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalReader] });
    alice = await svc.token({ upn: 'alice@contoso.com' });
  });
  afterAll(() => svc.close());

  const get = (token = admin, path = POLICY) => svc.call('GET', path, { token });
  const patch = (body: unknown, token = admin, headers?: Record<string, string>) =>
    svc.call('PATCH', POLICY, { token, body, headers });

  it('starts with the defaults of a new Entra tenant', async () => {
    const res = await get();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration',
      id: 'Fido2',
      state: 'disabled',
      isSelfServiceRegistrationAllowed: true,
      isAttestationEnforced: false,
      keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
      includeTargets: [{ targetType: 'group', id: 'all_users', isRegistrationRequired: false }],
      excludeTargets: [],
    });
    expect(res.body['@odata.context']).toContain('$metadata#');
    expect(res.headers.get('etag')).toBeTruthy();
  });

  it("applies the seed's PATCH with an Authentication Policy Administrator token (204), and GET shows it", async () => {
    const res = await patch(seedPatch);
    expect(res.status).toBe(204);
    const after = await get();
    expect(after.body).toMatchObject({
      state: 'enabled',
      isAttestationEnforced: false,
      keyRestrictions: seedPatch.keyRestrictions,
    });
    const viaSeedPath = await get(admin, SEED_PATH);
    expect(viaSeedPath.status).toBe(200);
    expect(viaSeedPath.body.keyRestrictions).toEqual(seedPatch.keyRestrictions);
  });

  it('serves v1.0 and a case-insensitive id, and lists the configuration in the methods policy', async () => {
    expect(
      (await get(admin, '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/FIDO2')).status,
    ).toBe(200);
    const list = await get(admin, '/v1.0/policies/authenticationMethodsPolicy');
    expect(list.status).toBe(200);
    expect(list.body.authenticationMethodConfigurations).toEqual([
      expect.objectContaining({
        id: 'Fido2',
        '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration',
      }),
    ]);
  });

  it('answers 404 for another method configuration and for an unknown version', async () => {
    expect(
      (await get(admin, '/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email')).status,
    ).toBe(404);
    expect(
      (await get(admin, '/v2.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2')).status,
    ).toBe(404);
  });

  it('refuses a plain user (403 Authorization_RequestDenied) and changes nothing', async () => {
    const before = await get();
    const res = await patch({ ...seedPatch, state: 'disabled' }, alice);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('Authorization_RequestDenied');
    expect((await get()).body).toEqual(before.body);
    expect((await get(alice)).status).toBe(403);
  });

  it('lets a Global Reader read but not write', async () => {
    expect((await get(reader)).status).toBe(200);
    expect((await patch(seedPatch, reader)).status).toBe(403);
  });

  it('accepts app-only tokens with Policy.ReadWrite.AuthenticationMethod, refuses Policy.Read.All for writes', async () => {
    const writer = await svc.token({ permissions: ['Policy.ReadWrite.AuthenticationMethod'] });
    const readOnly = await svc.token({ permissions: ['Policy.Read.All'] });
    expect((await get(readOnly)).status).toBe(200);
    expect((await patch({ '@odata.type': seedPatch['@odata.type'], state: 'enabled' }, readOnly)).status).toBe(403);
    expect((await patch({ '@odata.type': seedPatch['@odata.type'], state: 'enabled' }, writer)).status).toBe(204);
  });

  it('answers 401 without a token, with a garbage token and with a token from another key', async () => {
    expect((await svc.call('GET', POLICY)).status).toBe(401);
    const garbage = await svc.call('GET', POLICY, { token: 'not.a.jwt' });
    expect(garbage.status).toBe(401);
    expect(garbage.body.error.code).toBe('InvalidAuthenticationToken');
    const other = await (await import('../support/localService')).startTestService();
    try {
      const foreign = await other.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] });
      expect((await get(foreign)).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('answers 401 for an expired token', async () => {
    // jose allows 60 s of clock skew, so the token expired two minutes ago
    const claims = {
      oid: DemoTenant.admin.id,
      wids: ['62e90394-69f5-4237-9190-012177145e10'],
      scp: 'user_impersonation',
    };
    const past = await svc.app.tokens.devSigner.sign(claims, {
      lifetimeSeconds: -120,
      audience: svc.app.config.apiAudience,
      subject: DemoTenant.admin.id,
    });
    const fresh = await svc.app.tokens.devSigner.sign(claims, {
      lifetimeSeconds: 300,
      audience: svc.app.config.apiAudience,
      subject: DemoTenant.admin.id,
    });
    expect((await get(past)).status).toBe(401);
    expect((await get(fresh)).status).toBe(200);
  });

  it('answers 401 for a token with another audience', async () => {
    const claims = { oid: DemoTenant.admin.id, wids: ['62e90394-69f5-4237-9190-012177145e10'] };
    const wrongAudience = await svc.app.tokens.devSigner.sign(claims, {
      lifetimeSeconds: 300,
      audience: 'api://someone-else',
      subject: DemoTenant.admin.id,
    });
    expect((await get(wrongAudience)).status).toBe(401);
  });

  it.each([
    ['no @odata.type', { state: 'enabled' }, '@odata.type'],
    [
      'a bad AAGUID',
      { '@odata.type': seedPatch['@odata.type'], keyRestrictions: { aaGuids: ['not-a-guid'] } },
      'keyRestrictions.aaGuids[0]',
    ],
    [
      'a bad enforcementType',
      { '@odata.type': seedPatch['@odata.type'], keyRestrictions: { enforcementType: 'deny' } },
      'keyRestrictions.enforcementType',
    ],
    [
      'an unknown property',
      { '@odata.type': seedPatch['@odata.type'], isEverythingAllowed: true },
      'isEverythingAllowed',
    ],
    ['a bad state', { '@odata.type': seedPatch['@odata.type'], state: 'on' }, 'state'],
    [
      'an unknown group',
      {
        '@odata.type': seedPatch['@odata.type'],
        includeTargets: [{ targetType: 'group', id: '11111111-1111-4111-8111-111111111111' }],
      },
      '11111111-1111-4111-8111-111111111111',
    ],
    [
      'a duplicate target',
      {
        '@odata.type': seedPatch['@odata.type'],
        includeTargets: [
          { targetType: 'group', id: 'all_users' },
          { targetType: 'group', id: 'all_users' },
        ],
      },
      'more than once',
    ],
    [
      'a non-GUID exclude target',
      { '@odata.type': seedPatch['@odata.type'], excludeTargets: [{ targetType: 'group', id: 'all_users' }] },
      'excludeTargets[0].id',
    ],
    [
      'a bad passkeyTypes',
      {
        '@odata.type': seedPatch['@odata.type'],
        passkeyProfiles: [
          {
            id: '00000000-0000-0000-0000-000000000001',
            name: 'x',
            passkeyTypes: 'roaming',
            attestationEnforcement: 'disabled',
            keyRestrictions: { isEnforced: false, enforcementType: 'allow', aaGuids: [] },
          },
        ],
      },
      'passkeyTypes',
    ],
  ])('refuses a body with %s (400 naming the field) and changes nothing', async (_name, body, field) => {
    const before = await get();
    const res = await patch(body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(field);
    expect(res.body.error.innerError['request-id']).toBeTruthy();
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
    expect((await get()).body).toEqual(before.body);
  });

  it('refuses malformed JSON (400), a non-JSON content type (415) and a body over 1 MiB (413)', async () => {
    expect((await patch('{"@odata.type": ')).status).toBe(400);
    expect(
      (
        await svc.call('PATCH', POLICY, {
          token: admin,
          body: 'state=enabled',
          headers: { 'Content-Type': 'text/plain' },
        })
      ).status,
    ).toBe(415);
    const huge = { '@odata.type': seedPatch['@odata.type'], padding: 'x'.repeat(1024 * 1024 + 10) };
    expect((await patch(huge)).status).toBe(413);
  });

  it('answers 405 for a wrong method and 404 for an unknown route, in the Graph error shape', async () => {
    const res = await svc.call('DELETE', POLICY, { token: admin });
    expect(res.status).toBe(405);
    expect(res.body.error.code).toBeTruthy();
    const missing = await svc.call('GET', '/beta/nothing/here', { token: admin });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });

  it('targets several security groups in one PATCH, and refuses a non-security group', async () => {
    const g1 = await svc.call('POST', '/v1.0/groups', {
      token: await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] }),
      body: { displayName: 'Pilot 2', securityEnabled: true },
    });
    const m365 = await svc.call('POST', '/v1.0/groups', {
      token: await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] }),
      body: { displayName: 'Team', securityEnabled: false, mailEnabled: true },
    });
    const body = {
      '@odata.type': seedPatch['@odata.type'],
      includeTargets: [
        { targetType: 'group', id: DemoTenant.pilotGroup.id, isRegistrationRequired: false },
        { targetType: 'group', id: g1.body.id, isRegistrationRequired: true },
      ],
      excludeTargets: [{ targetType: 'group', id: g1.body.id }],
    };
    expect((await patch(body)).status).toBe(204);
    const after = await get();
    expect(after.body.includeTargets.map((t: { id: string }) => t.id)).toEqual([DemoTenant.pilotGroup.id, g1.body.id]);
    expect(after.body.excludeTargets).toEqual([{ targetType: 'group', id: g1.body.id }]);
    const bad = await patch({
      '@odata.type': seedPatch['@odata.type'],
      includeTargets: [{ targetType: 'group', id: m365.body.id }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('not a security group');
  });

  it('gives 412 on a stale If-Match and 204 on a current one', async () => {
    const { headers } = await get();
    const etag = headers.get('etag')!;
    const first = await patch(
      { '@odata.type': seedPatch['@odata.type'], isSelfServiceRegistrationAllowed: false },
      admin,
      { 'If-Match': etag },
    );
    expect(first.status).toBe(204);
    const stale = await patch(
      { '@odata.type': seedPatch['@odata.type'], isSelfServiceRegistrationAllowed: true },
      admin,
      { 'If-Match': etag },
    );
    expect(stale.status).toBe(412);
    expect((await get()).body.isSelfServiceRegistrationAllowed).toBe(false);
    const current = (await get()).headers.get('etag')!;
    expect(
      (
        await patch({ '@odata.type': seedPatch['@odata.type'], isSelfServiceRegistrationAllowed: true }, admin, {
          'If-Match': current,
        })
      ).status,
    ).toBe(204);
  });

  it('never loses an update when PATCHes race', async () => {
    const guids = Array.from({ length: 12 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    await patch({
      '@odata.type': seedPatch['@odata.type'],
      isAttestationEnforced: false,
      isSelfServiceRegistrationAllowed: true,
    });
    // Each PATCH sets a different property, so the final state shows whether any write was lost.
    const results = await Promise.all([
      patch({ '@odata.type': seedPatch['@odata.type'], isAttestationEnforced: true }),
      patch({ '@odata.type': seedPatch['@odata.type'], isSelfServiceRegistrationAllowed: false }),
      patch({ '@odata.type': seedPatch['@odata.type'], keyRestrictions: { aaGuids: guids } }),
      patch({ '@odata.type': seedPatch['@odata.type'], state: 'disabled' }),
    ]);
    expect(results.map((r) => r.status)).toEqual([204, 204, 204, 204]);
    const after = (await get()).body;
    expect(after).toMatchObject({
      isAttestationEnforced: true,
      isSelfServiceRegistrationAllowed: false,
      state: 'disabled',
    });
    expect(after.keyRestrictions.aaGuids).toEqual(guids);
  });

  it('records every change with who, when, before and after', async () => {
    const page = await svc.app.store.audit.list({ top: 50 });
    const policyChanges = page.items.filter((r) => r.category === 'Policy');
    expect(policyChanges.length).toBeGreaterThanOrEqual(5);
    const latest = policyChanges[0];
    expect(latest.activityDisplayName).toBe('Update authentication methods policy');
    expect(latest.initiatedBy.user?.userPrincipalName).toBe('admin@contoso.com');
    expect(latest.before).toBeTruthy();
    expect(latest.after).toBeTruthy();
    expect(latest.targetResources[0].modifiedProperties.length).toBeGreaterThan(0);
  });

  it('accepts and returns v1.0 passkeyProfiles and defaultPasskeyProfile', async () => {
    const profileId = '00000000-0000-0000-0000-000000000001';
    const res = await svc.call(
      'PATCH',
      '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2',
      {
        token: admin,
        body: {
          '@odata.type': seedPatch['@odata.type'],
          passkeyProfiles: [
            {
              id: profileId,
              name: 'Default passkey profile',
              passkeyTypes: 'deviceBound',
              attestationEnforcement: 'registrationOnly',
              keyRestrictions: {
                isEnforced: true,
                enforcementType: 'block',
                aaGuids: ['7E3F3D30-3557-4442-BDAE-139312178B39'],
              },
            },
          ],
          defaultPasskeyProfile: profileId,
        },
      },
    );
    expect(res.status).toBe(204);
    const after = (
      await get(admin, '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2')
    ).body;
    expect(after.passkeyProfiles).toEqual([
      expect.objectContaining({
        id: profileId,
        passkeyTypes: 'deviceBound',
        attestationEnforcement: 'registrationOnly',
      }),
    ]);
    expect(after.defaultPasskeyProfile).toBe(profileId);
    // the legacy top-level settings mirror the default profile
    expect(after.isAttestationEnforced).toBe(true);
    expect(after.keyRestrictions).toEqual({
      isEnforced: true,
      enforcementType: 'block',
      aaGuids: ['7e3f3d30-3557-4442-bdae-139312178b39'],
    });
  });

  it('attack: a PATCH that sets isAttestationEnforced with a new default-profile allow list must not drop the allow list', async () => {
    const unlistedAaguid = '5ca1ab1e-0000-4000-8000-00000000c0de';
    const profileId = '00000000-0000-0000-0000-000000000001';
    const allowList = { isEnforced: true, enforcementType: 'allow', aaGuids: [YUBIKEY_5] };
    const res = await svc.call(
      'PATCH',
      '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2',
      {
        token: admin,
        body: {
          '@odata.type': seedPatch['@odata.type'],
          state: 'enabled',
          isSelfServiceRegistrationAllowed: true,
          isAttestationEnforced: false,
          includeTargets: [{ targetType: 'group', id: 'all_users' }],
          excludeTargets: [],
          passkeyProfiles: [
            {
              id: profileId,
              name: 'Default passkey profile',
              passkeyTypes: 'deviceBound,synced',
              attestationEnforcement: 'disabled',
              keyRestrictions: allowList,
            },
          ],
          defaultPasskeyProfile: profileId,
        },
      },
    );
    expect(res.status).toBe(204);
    const after = (
      await get(admin, '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2')
    ).body;
    expect(after.keyRestrictions).toEqual(allowList);
    expect(after.passkeyProfiles[0].keyRestrictions).toEqual(allowList);
    // and the allow list is enforced: a passkey of another model is refused at registration
    const { res: registration } = await register(svc, alice, new SoftAuthenticator({ aaguid: unlistedAaguid }));
    expectRefused(registration, 403, 'fido2KeyRestrictionViolation', /not on the allow list/);
  });
});
