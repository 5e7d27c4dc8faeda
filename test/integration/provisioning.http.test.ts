import { eventTypeOf } from '../../shared/domain/events/eventFromAudit';
import { LOCAL_CLI_APP_ID } from '../../shared/services/devTokenService';
import { DemoTenant } from '../../shared/services/seedDemoTenant';
import { SoftAuthenticator } from '../../cli/authenticators/soft';
import { FRONTEND_ORIGIN, Roles, startTestService, TestService } from '../support/localService';
import type { TestJson } from '../support/testJson';
import { toGraphCredential } from '../../cli/provision/credential';

const POLICY = '/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';
const ALLOWED = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
const BLOCKED = 'ee882879-721c-4913-9775-3dfcce97072a';
const ODATA_TYPE = '#microsoft.graph.fido2AuthenticationMethodConfiguration';

/** What a provisioning station sends: Graph's webauthnPublicKeyCredential. */
async function createOnKey(aaguid: string, publicKey: TestJson) {
  const credential = await new SoftAuthenticator({ aaguid }).createCredential(publicKey, { origin: FRONTEND_ORIGIN });
  return toGraphCredential(credential);
}

describe('provisioning on behalf of users over HTTP', () => {
  let svc: TestService;
  let authAdmin: string;
  let policyAdmin: string;

  beforeAll(async () => {
    svc = await startTestService();
    policyAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin, Roles.globalAdmin] });
    authAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authAdmin] });
    const enable = await svc.call('PATCH', POLICY, {
      token: policyAdmin,
      body: {
        '@odata.type': ODATA_TYPE,
        state: 'enabled',
        isSelfServiceRegistrationAllowed: false,
        keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [BLOCKED] },
      },
    });
    expect(enable.status).toBe(204);
  });
  afterAll(() => svc.close());

  it("runs the seed's three Graph provisioning steps, with self-service off", async () => {
    const options = await svc.call(
      'GET',
      '/beta/users/bob@contoso.com/authentication/fido2Methods/creationOptions(challengeTimeoutInMinutes=10)',
      { token: authAdmin },
    );
    expect(options.status).toBe(200);
    expect(options.body['@odata.type']).toBe('#microsoft.graph.webauthnCredentialCreationOptions');
    const expires = Date.parse(options.body.challengeTimeoutDateTime);
    expect(expires - Date.now()).toBeGreaterThan(9 * 60_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(10 * 60_000);
    expect(options.body.publicKey).toMatchObject({
      rp: { id: 'localhost' },
      user: { name: 'bob@contoso.com' },
      attestation: 'direct',
    });

    const publicKeyCredential = await createOnKey(ALLOWED, options.body.publicKey);
    const created = await svc.call('POST', '/beta/users/bob@contoso.com/authentication/fido2Methods', {
      token: authAdmin,
      body: { displayName: "Bob's key", publicKeyCredential },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: publicKeyCredential.id, displayName: "Bob's key", aaGuid: ALLOWED });

    const replay = await svc.call('POST', '/beta/users/bob@contoso.com/authentication/fido2Methods', {
      token: authAdmin,
      body: { displayName: 'again', publicKeyCredential },
    });
    expect(replay.status).toBeGreaterThanOrEqual(400);
    const list = await svc.call('GET', '/beta/users/bob@contoso.com/authentication/fido2Methods', { token: authAdmin });
    expect(list.body.value).toHaveLength(1);
  });

  it('accepts plain creationOptions (5 minutes) and refuses an out-of-range timeout, guests, key restrictions and plain users', async () => {
    const plain = await svc.call('GET', '/v1.0/users/alice@contoso.com/authentication/fido2Methods/creationOptions', {
      token: authAdmin,
    });
    expect(plain.status).toBe(200);
    expect(Date.parse(plain.body.challengeTimeoutDateTime) - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    expect(
      (
        await svc.call(
          'GET',
          '/v1.0/users/alice@contoso.com/authentication/fido2Methods/creationOptions(challengeTimeoutInMinutes=4)',
          { token: authAdmin },
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await svc.call(
          'GET',
          '/v1.0/users/alice@contoso.com/authentication/fido2Methods/creationOptions(challengeTimeoutInMinutes=43201)',
          { token: authAdmin },
        )
      ).status,
    ).toBe(400);
    const guest = await svc.call('GET', '/v1.0/users/guest@fabrikam.com/authentication/fido2Methods/creationOptions', {
      token: authAdmin,
    });
    expect(guest.status).toBe(403);
    expect(guest.body.error.code).toBe('guestRegistrationNotAllowed');
    const alice = await svc.token({ upn: 'alice@contoso.com' });
    expect(
      (
        await svc.call('GET', '/v1.0/users/alice@contoso.com/authentication/fido2Methods/creationOptions', {
          token: alice,
        })
      ).status,
    ).toBe(403);

    const blocked = await createOnKey(BLOCKED, plain.body.publicKey);
    const refused = await svc.call('POST', '/v1.0/users/alice@contoso.com/authentication/fido2Methods', {
      token: authAdmin,
      body: { displayName: 'blocked', publicKeyCredential: blocked },
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('fido2KeyRestrictionViolation');
    expect(await svc.app.store.credentials.listByUser(DemoTenant.alice.id)).toEqual([]);
  });

  it('runs a 200-user job: provisioned, a guest skipped, one refused by a key restriction; no user twice', async () => {
    const group = await svc.call('POST', '/v1.0/groups', {
      token: policyAdmin,
      body: { displayName: 'Bulk 200', securityEnabled: true },
    });
    const upns: string[] = [];
    for (let i = 0; i < 198; i++) {
      const user = await svc.call('POST', '/v1.0/users', {
        token: policyAdmin,
        body: { userPrincipalName: `bulk${i}@contoso.com`, displayName: `Bulk ${i}` },
      });
      upns.push(user.body.userPrincipalName);
    }
    upns.push('guest@fabrikam.com', 'alice@contoso.com');
    const job = await svc.call('POST', '/provisioning/jobs', {
      token: authAdmin,
      body: { users: upns, challengeTimeoutInMinutes: 10, displayName: '{displayName} key' },
    });
    expect(job.status).toBe(202);
    expect(job.body).toMatchObject({ status: 'running', totalUsers: 200 });
    expect(job.headers.get('location')).toContain(`/provisioning/jobs/${job.body.id}`);
    expect(group.status).toBe(201);

    const outcomes = new Map<string, string>();
    for (let idle = 0; idle < 400;) {
      const next = await svc.call('POST', `/provisioning/jobs/${job.body.id}/next`, { token: authAdmin, body: {} });
      if (next.status === 204) {
        const status = await svc.call('GET', `/provisioning/jobs/${job.body.id}`, { token: authAdmin });
        if (status.body.counts.pending + status.body.counts.ready + status.body.counts.claimed === 0) break;
        idle++;
        await new Promise((r) => setTimeout(r, 25));
        continue;
      }
      if (next.status === 409) break; // the job completed: every user has an outcome
      expect(next.status).toBe(200);
      expect(outcomes.has(next.body.userId)).toBe(false);
      const aaguid = next.body.userPrincipalName === 'alice@contoso.com' ? BLOCKED : ALLOWED;
      const publicKeyCredential = await createOnKey(aaguid, next.body.publicKey);
      const result = await svc.call('POST', `/provisioning/jobs/${job.body.id}/users/${next.body.userId}/credential`, {
        token: authAdmin,
        body: { publicKeyCredential },
      });
      expect(result.status).toBe(200);
      outcomes.set(next.body.userId, result.body.state);
    }

    const final = await svc.call('GET', `/provisioning/jobs/${job.body.id}?$top=1000`, { token: authAdmin });
    expect(final.body.counts).toMatchObject({
      provisioned: 198,
      skippedGuest: 1,
      refusedByPolicy: 1,
      pending: 0,
      ready: 0,
      claimed: 0,
    });
    const byUpn = new Map(final.body.users.map((u: { userPrincipalName: string }) => [u.userPrincipalName, u]));
    expect(byUpn.get('guest@fabrikam.com')).toMatchObject({ state: 'skippedGuest' });
    expect(byUpn.get('alice@contoso.com')).toMatchObject({
      state: 'refusedByPolicy',
      reason: expect.stringContaining('key restrictions'),
    });
    expect(byUpn.get('bulk7@contoso.com')).toMatchObject({ state: 'provisioned', methodId: expect.any(String) });
    const bulk7 = await svc.call('GET', '/v1.0/users/bulk7@contoso.com/authentication/fido2Methods', {
      token: authAdmin,
    });
    expect(bulk7.body.value).toEqual([expect.objectContaining({ displayName: 'Bulk 7 key', aaGuid: ALLOWED })]);

    // the job completes on its own once every user has an outcome
    for (let i = 0; i < 100; i++) {
      const again = await svc.call('GET', `/provisioning/jobs/${job.body.id}`, { token: authAdmin });
      if (again.body.status !== 'running') {
        expect(again.body.status).toBe('completed');
        expect(again.body.runtimeStatus).toBe('Completed');
        const completed = (await svc.app.store.audit.list({ top: 20 })).items.find(
          (r) => r.activityDisplayName === 'Provisioning job completed' && r.targetResources[0].id === job.body.id,
        );
        expect(completed?.after).toMatchObject({ counts: { provisioned: 198, skippedGuest: 1, refusedByPolicy: 1 } });
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('job did not complete');
    // 200 users through the durable engine: seconds on a quiet machine, more on a loaded CI runner.
  }, 120_000);

  it('cancels a job: unclaimed users are cancelled and the station is told to stop', async () => {
    const job = await svc.call('POST', '/provisioning/jobs', {
      token: authAdmin,
      body: { groupId: DemoTenant.pilotGroup.id },
    });
    expect(job.status).toBe(202);
    const cancel = await svc.call('POST', `/provisioning/jobs/${job.body.id}/cancel`, { token: authAdmin });
    expect(cancel.status).toBe(202);
    const next = await svc.call('POST', `/provisioning/jobs/${job.body.id}/next`, { token: authAdmin, body: {} });
    expect(next.status).toBe(409);
    expect(next.body.error.code).toBe('jobNotRunning');
    const status = await svc.call('GET', `/provisioning/jobs/${job.body.id}`, { token: authAdmin });
    expect(status.body.status).toBe('cancelled');
    expect(status.body.counts.cancelled + status.body.counts.refusedByPolicy + status.body.counts.provisioned).toBe(1);

    // The job's lifecycle is recorded, and so published as provisioningJob.created / .cancelled events.
    const audit = await svc.app.store.audit.list({ top: 50 });
    const steps = audit.items
      .filter((r) => r.targetResources[0]?.id === job.body.id)
      .map((r) => [r.activityDisplayName, eventTypeOf(r)]);
    expect(steps).toEqual([
      ['Provisioning job cancelled', 'provisioningJob.cancelled'],
      ['Provisioning job created', 'provisioningJob.created'],
    ]);
  });

  /** Claims and delivers until the job has no open user; returns each delivered user's outcome. */
  async function runStation(jobId: string, token: string, stationId?: string): Promise<Map<string, string>> {
    const outcomes = new Map<string, string>();
    for (let idle = 0; idle < 200;) {
      const next = await svc.call('POST', `/provisioning/jobs/${jobId}/next`, {
        token,
        body: stationId ? { stationId } : {},
      });
      if (next.status === 409) break;
      if (next.status === 204) {
        const status = await svc.call('GET', `/provisioning/jobs/${jobId}`, { token: authAdmin });
        if (status.body.counts.pending + status.body.counts.ready + status.body.counts.claimed === 0) break;
        idle++;
        await new Promise((r) => setTimeout(r, 25));
        continue;
      }
      expect(next.status).toBe(200);
      const publicKeyCredential = await createOnKey(ALLOWED, next.body.publicKey);
      const result = await svc.call('POST', `/provisioning/jobs/${jobId}/users/${next.body.userId}/credential`, {
        token,
        body: { publicKeyCredential },
      });
      expect(result.status).toBe(200);
      outcomes.set(next.body.userPrincipalName, result.body.state);
    }
    return outcomes;
  }

  const jobRows = async (jobId: string) => {
    const job = await svc.call('GET', `/provisioning/jobs/${jobId}?$top=1000`, { token: authAdmin });
    return new Map<string, { state: string; reason: string | null }>(
      job.body.users.map((u: { userPrincipalName: string; state: string; reason: string | null }) => [
        u.userPrincipalName,
        u,
      ]),
    );
  };

  it("attack: an Authentication Administrator's job provisions a Global Administrator; that user is refused with its reason, the others go on", async () => {
    const job = await svc.call('POST', '/provisioning/jobs', {
      token: authAdmin,
      body: { users: ['admin@contoso.com', 'bob@contoso.com'], challengeTimeoutInMinutes: 10 },
    });
    expect(job.status).toBe(202);
    const outcomes = await runStation(job.body.id, authAdmin);
    expect([...outcomes]).toEqual([['bob@contoso.com', 'provisioned']]);
    const rows = await jobRows(job.body.id);
    expect(rows.get('admin@contoso.com')).toMatchObject({
      state: 'refusedByPolicy',
      reason: expect.stringMatching(
        /admin@contoso\.com.*privileged directory role.*Privileged Authentication Administrator or Global Administrator/,
      ),
    });
    expect(await svc.app.store.credentials.listByUser(DemoTenant.admin.id)).toEqual([]);
  });

  it('attack: a station without PAA or GA claims a user who became Global Administrator after the job started; refused with its reason', async () => {
    const paa = await svc.token({ upn: 'admin@contoso.com', roles: ['Privileged Authentication Administrator'] });
    const job = await svc.call('POST', '/provisioning/jobs', {
      token: paa,
      body: { users: ['bob@contoso.com'], challengeTimeoutInMinutes: 10 },
    });
    expect(job.status).toBe(202);
    const assigned = await svc.app.directory.createRoleAssignment(
      { principalId: DemoTenant.bob.id, roleDefinitionId: '62e90394-69f5-4237-9190-012177145e10' },
      { user: null, app: { appId: 'test' } },
    );
    try {
      const outcomes = await runStation(job.body.id, authAdmin);
      expect(outcomes.size).toBe(0);
      expect((await jobRows(job.body.id)).get('bob@contoso.com')).toMatchObject({
        state: 'refusedByPolicy',
        reason: expect.stringMatching(/privileged directory role/),
      });
    } finally {
      await svc.app.directory.deleteRoleAssignment(assigned.id, { user: null, app: { appId: 'test' } });
    }
  });

  it("attack: a station names someone else as deliverer in the body; the passkey's audit names the calling principal, with the job's creator beside it", async () => {
    const job = await svc.call('POST', '/provisioning/jobs', {
      token: authAdmin,
      body: { users: ['alice@contoso.com'], challengeTimeoutInMinutes: 10 },
    });
    const app = await svc.token({ permissions: ['UserAuthenticationMethod.ReadWrite.All'] });
    // Alice's key would be refused by the key restriction only for BLOCKED; runStation uses ALLOWED.
    const outcomes = await runStation(job.body.id, app, 'admin@contoso.com');
    expect([...outcomes]).toEqual([['alice@contoso.com', 'provisioned']]);
    const added = (await svc.app.store.audit.list({ top: 20 })).items.find(
      (r) => r.activityDisplayName.startsWith('Add Passkey') && r.targetResources[0].id === DemoTenant.alice.id,
    );
    expect(added?.initiatedBy).toEqual({
      user: null,
      app: { appId: LOCAL_CLI_APP_ID },
      provisioningJob: {
        id: job.body.id,
        createdBy: { id: DemoTenant.admin.id, userPrincipalName: 'admin@contoso.com', appId: null },
      },
    });
  });

  it('validates job requests', async () => {
    expect((await svc.call('POST', '/provisioning/jobs', { token: authAdmin, body: {} })).status).toBe(400);
    expect(
      (await svc.call('POST', '/provisioning/jobs', { token: authAdmin, body: { users: ['nobody@contoso.com'] } }))
        .status,
    ).toBe(400);
    expect(
      (
        await svc.call('POST', '/provisioning/jobs', {
          token: authAdmin,
          body: { users: ['bob@contoso.com'], challengeTimeoutInMinutes: 1 },
        })
      ).status,
    ).toBe(400);
    expect(
      (await svc.call('GET', '/provisioning/jobs/00000000-0000-4000-8000-000000000999', { token: authAdmin })).status,
    ).toBe(404);
    const alice = await svc.token({ upn: 'alice@contoso.com' });
    expect(
      (await svc.call('POST', '/provisioning/jobs', { token: alice, body: { users: ['bob@contoso.com'] } })).status,
    ).toBe(403);
  });
});
