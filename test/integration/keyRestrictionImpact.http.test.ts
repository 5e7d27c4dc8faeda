import { SoftAuthenticator } from '../../cli/authenticators/soft';
import { MICROSOFT_AUTHENTICATOR_AAGUIDS } from '../../shared/domain/policy/microsoftAuthenticatorAaguids';
import { DemoTenant } from '../../shared/services/seedDemoTenant';
import {
  DEFAULT_PROFILE_ID,
  expectRefused,
  FIDO2_CONFIGURATION,
  POLICY_V1,
  register,
  setPolicy,
  signIn,
  StoreProbe,
  YUBIKEY_5,
} from '../support/ceremonies';
import { Roles, startTestService, TestService } from '../support/localService';

const FEITIAN = '12ded745-4bed-47d4-abaa-e713f51d6393';
const THIRD_MODEL = '5ca1ab1e-0000-4000-8000-00000000c0de';
const EVALUATE = `${POLICY_V1}/evaluateKeyRestrictions`;
const PROPOSAL = '/v1.0/reports/fido2/aaguids/proposedKeyRestrictions';
const allowOnly = (...aaGuids: string[]) => ({ isEnforced: true, enforcementType: 'allow', aaGuids });

/**
 * Issue 11 §5-7 acceptance: passkeys of three models across users with one and two passkeys; the
 * impact call for an allow list of one AAGUID names the right users and passkeys; the PATCH warns,
 * and exactly those sign-ins are then refused.
 */
describe('lock-out impact of a policy change over HTTP (evaluateKeyRestrictions, PATCH ?dryRun, proposal)', () => {
  let svc: TestService;
  let admin: string;
  let reader: string;
  let probe: StoreProbe;
  const keys: Record<string, { key: SoftAuthenticator; id: string; upn: string }> = {};

  beforeAll(async () => {
    svc = await startTestService();
    admin = await svc.token({ upn: DemoTenant.admin.userPrincipalName, roles: [Roles.authPolicyAdmin] });
    reader = await svc.token({ upn: DemoTenant.admin.userPrincipalName, roles: [Roles.globalReader] });
    probe = new StoreProbe(svc.dataDir);
    await setPolicy(svc, admin);
    const holdings: Array<[string, string, string]> = [
      ['alice-yubikey', DemoTenant.alice.userPrincipalName, YUBIKEY_5],
      ['bob-yubikey', DemoTenant.bob.userPrincipalName, YUBIKEY_5],
      ['bob-feitian', DemoTenant.bob.userPrincipalName, FEITIAN],
      ['admin-third', DemoTenant.admin.userPrincipalName, THIRD_MODEL],
    ];
    for (const [name, upn, aaguid] of holdings) {
      const key = new SoftAuthenticator({ aaguid });
      const { res, id } = await register(svc, await svc.token({ upn }), key);
      if (res.status !== 200 && res.status !== 201)
        throw new Error(`${name}: ${res.status} ${JSON.stringify(res.body)}`);
      keys[name] = { key, id, upn };
    }
  });
  afterAll(() => probe?.close());
  afterAll(() => svc.close());

  const blockedOf = (body: { users: Array<{ userPrincipalName: string; passkeysBlocked: Array<{ id: string }> }> }) =>
    Object.fromEntries(
      body.users
        .filter((u) => u.passkeysBlocked.length)
        .map((u) => [u.userPrincipalName, u.passkeysBlocked.map((p) => p.id)]),
    );

  it('names the users and passkeys an allow list of one AAGUID would block, with totals (read role is enough)', async () => {
    const res = await svc.call('POST', EVALUATE, { token: reader, body: { keyRestrictions: allowOnly(YUBIKEY_5) } });
    expect(res.status).toBe(200);
    expect(res.body['@odata.context']).toMatch(/\/v1\.0\/\$metadata#microsoft\.graph\.fido2KeyRestrictionsImpact$/);
    expect(res.body['@odata.type']).toBe('#microsoft.graph.fido2KeyRestrictionsImpact');
    expect(blockedOf(res.body)).toEqual({
      [DemoTenant.admin.userPrincipalName]: [keys['admin-third'].id],
      [DemoTenant.bob.userPrincipalName]: [keys['bob-feitian'].id],
    });
    expect(res.body.usersLeftWithoutUsablePasskey).toEqual([
      { id: DemoTenant.admin.id, userPrincipalName: DemoTenant.admin.userPrincipalName, lockedOutByChange: true },
    ]);
    expect(res.body.totals).toEqual({
      users: 3,
      passkeys: 4,
      passkeysBlocked: 2,
      passkeysKept: 2,
      usersLeftWithoutUsablePasskey: 1,
      usersLockedOutByChange: 1,
    });
    const bob = res.body.users.find((u: { id: string }) => u.id === DemoTenant.bob.id);
    expect(bob.passkeysKept.map((p: { id: string }) => p.id)).toEqual([keys['bob-yubikey'].id]);
    expect(bob.passkeysBlocked[0]).toMatchObject({
      aaGuid: FEITIAN,
      errorCode: 'fido2KeyRestrictionViolation',
      blockedToday: false,
    });
    expect(res.body.proposedPolicy.keyRestrictions).toEqual(allowOnly(YUBIKEY_5));
  });

  it('refuses callers without a policy read role, and an invalid proposal with a Graph error', async () => {
    const alice = await svc.token({ upn: DemoTenant.alice.userPrincipalName });
    expect((await svc.call('POST', EVALUATE, { token: alice, body: {} })).status).toBe(403);
    const bad = await svc.call('POST', EVALUATE, { token: reader, body: { keyRestrictions: { aaGuids: ['nope'] } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBeTruthy();
  });

  it('covers profile edits: a default profile for synced passkeys only blocks every device-bound passkey', async () => {
    const profile = {
      id: DEFAULT_PROFILE_ID,
      name: 'Default passkey profile',
      passkeyTypes: 'synced',
      attestationEnforcement: 'disabled',
      keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
    };
    const res = await svc.call('POST', EVALUATE, { token: reader, body: { passkeyProfiles: [profile] } });
    expect(res.status).toBe(200);
    expect(res.body.totals).toMatchObject({ passkeysBlocked: 4, usersLockedOutByChange: 3 });
    expect(res.body.users[0].passkeysBlocked[0].errorCode).toBe('fido2PasskeyTypeNotAllowed');
  });

  it('addMicrosoftAuthenticatorAaguids adds both Authenticator AAGUIDs to the evaluated allow list', async () => {
    const res = await svc.call('POST', EVALUATE, {
      token: reader,
      body: { keyRestrictions: allowOnly(YUBIKEY_5), addMicrosoftAuthenticatorAaguids: true },
    });
    expect(res.status).toBe(200);
    expect(res.body.proposedPolicy.keyRestrictions.aaGuids).toEqual([
      YUBIKEY_5,
      MICROSOFT_AUTHENTICATOR_AAGUIDS.iOS,
      MICROSOFT_AUTHENTICATOR_AAGUIDS.android,
    ]);
  });

  it('PATCH ?dryRun=true answers the impact and saves nothing: no write, no audit record, no event', async () => {
    const before = await svc.call('GET', POLICY_V1, { token: admin });
    const audits = await svc.call('GET', '/v1.0/auditLogs/directoryAudits', { token: admin });
    const version = probe.dataVersion();
    const counts = probe.counts();
    const res = await svc.call('PATCH', `${POLICY_V1}?dryRun=true`, {
      token: admin,
      body: { '@odata.type': FIDO2_CONFIGURATION, keyRestrictions: allowOnly(YUBIKEY_5) },
    });
    expect(res.status).toBe(200);
    expect(res.body.totals.usersLockedOutByChange).toBe(1);
    expect(res.headers.get('warning')).toBe('199 - "1 user would be left without a usable passkey"');
    expect(probe.dataVersion()).toBe(version);
    expect(probe.counts()).toEqual(counts);
    const stale = await svc.call('PATCH', `${POLICY_V1}?dryRun=true`, {
      token: admin,
      headers: { 'If-Match': '"stale"' },
      body: { '@odata.type': FIDO2_CONFIGURATION, keyRestrictions: allowOnly(YUBIKEY_5) },
    });
    expect(stale.status).toBe(412);
    const after = await svc.call('GET', POLICY_V1, { token: admin });
    expect(after.body).toEqual(before.body);
    expect(after.headers.get('etag')).toBe(before.headers.get('etag'));
    expect((await svc.call('GET', '/v1.0/auditLogs/directoryAudits', { token: admin })).body.value).toEqual(
      audits.body.value,
    );
  });

  it('attack: a policy reader cannot save through PATCH ?dryRun, and a misspelt dryRun value saves nothing (400)', async () => {
    const version = probe.dataVersion();
    const body = { '@odata.type': FIDO2_CONFIGURATION, state: 'disabled' };
    for (const query of ['?dryRun=false', '?dryRun=true', '']) {
      const res = await svc.call('PATCH', `${POLICY_V1}${query}`, { token: reader, body });
      expect({ query, status: res.status }).toEqual({ query, status: 403 });
    }
    for (const query of ['?dryRun=yes', '?dryRun=TRUE', '?dryRun=1']) {
      const res = await svc.call('PATCH', `${POLICY_V1}${query}`, { token: admin, body });
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
    expect(probe.dataVersion()).toBe(version);
    expect((await svc.call('GET', POLICY_V1, { token: admin })).body.state).toBe('enabled');
  });

  it('PATCH to the allow list warns and audits the impact; then exactly those sign-ins are refused', async () => {
    const res = await svc.call('PATCH', POLICY_V1, {
      token: admin,
      body: { '@odata.type': FIDO2_CONFIGURATION, keyRestrictions: allowOnly(YUBIKEY_5) },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('warning')).toBe('199 - "1 user would be left without a usable passkey"');

    const audits = await svc.call('GET', '/v1.0/auditLogs/directoryAudits', { token: admin });
    const record = audits.body.value.find(
      (r: { activityDisplayName: string }) => r.activityDisplayName === 'Update authentication methods policy',
    );
    const details = Object.fromEntries(
      record.additionalDetails.map((d: { key: string; value: string }) => [d.key, d.value]),
    );
    expect(details).toMatchObject({
      usersLockedOutByChange: '1',
      usersLeftWithoutUsablePasskey: '1',
      passkeysBlocked: '2',
    });
    expect(JSON.parse(details.lockOutImpact).usersLockedOutByChange).toEqual([
      { id: DemoTenant.admin.id, userPrincipalName: DemoTenant.admin.userPrincipalName },
    ]);

    for (const name of ['alice-yubikey', 'bob-yubikey']) {
      const { key, upn } = keys[name];
      expect({ name, status: (await signIn(svc, key, upn)).status }).toEqual({ name, status: 200 });
    }
    for (const name of ['bob-feitian', 'admin-third']) {
      const { key, upn } = keys[name];
      expectRefused(await signIn(svc, key, upn), 403, 'fido2KeyRestrictionViolation', /not on the allow list/);
    }

    // ... and counted: the inventory per model, and the sign-in log per passkey.
    const inventory = await svc.call('GET', '/v1.0/reports/fido2/aaguids', { token: reader });
    expect(inventory.status).toBe(200);
    const rows = Object.fromEntries(
      inventory.body.value.map(
        (r: { aaGuid: string; successfulSignIns: number; refusedSignIns: number; isAllowedByPolicy: boolean }) => [
          r.aaGuid,
          { ok: r.successfulSignIns, refused: r.refusedSignIns, allowed: r.isAllowedByPolicy },
        ],
      ),
    );
    expect(rows).toEqual({
      [YUBIKEY_5]: { ok: 2, refused: 0, allowed: true },
      [FEITIAN]: { ok: 0, refused: 1, allowed: false },
      [THIRD_MODEL]: { ok: 0, refused: 1, allowed: false },
    });
    const log = await svc.call('GET', '/v1.0/auditLogs/signIns', { token: reader });
    expect(log.status).toBe(200);
    const refusedIds = log.body.value
      .filter(
        (r: { status: { failureReason: string | null } }) => r.status.failureReason === 'fido2KeyRestrictionViolation',
      )
      .map((r: { authenticationDetails: Array<{ credentialId: string }> }) => r.authenticationDetails[0].credentialId)
      .sort();
    expect(refusedIds).toEqual([keys['bob-feitian'].id, keys['admin-third'].id].sort());
  });

  it('a PATCH that locks nobody out carries no Warning', async () => {
    const res = await svc.call('PATCH', POLICY_V1, {
      token: admin,
      body: { '@odata.type': FIDO2_CONFIGURATION, isSelfServiceRegistrationAllowed: true },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('warning')).toBeNull();
  });

  it('the proposal round trip: apply the proposed keyRestrictions and nobody who signs in today is locked out', async () => {
    await setPolicy(svc, admin, {
      keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [FEITIAN] },
    });
    const res = await svc.call('GET', PROPOSAL, { token: reader });
    expect(res.status).toBe(200);
    expect(res.body['@odata.context']).toMatch(/\$metadata#microsoft\.graph\.fido2ProposedKeyRestrictions$/);
    // FEITIAN is blocked today, so it is not "in use"; Authenticator's AAGUIDs are proposed anyway.
    expect(res.body.keyRestrictions).toEqual(
      allowOnly(
        ...[
          YUBIKEY_5,
          THIRD_MODEL,
          MICROSOFT_AUTHENTICATOR_AAGUIDS.iOS,
          MICROSOFT_AUTHENTICATOR_AAGUIDS.android,
        ].sort(),
      ),
    );
    expect(res.body.models.find((m: { aaGuid: string }) => m.aaGuid === YUBIKEY_5)).toMatchObject({
      passkeys: 2,
      users: 2,
    });
    expect(res.body.impact.totals.usersLockedOutByChange).toBe(0);

    const patch = await svc.call('PATCH', POLICY_V1, {
      token: admin,
      body: { '@odata.type': FIDO2_CONFIGURATION, keyRestrictions: res.body.keyRestrictions },
    });
    expect(patch.status).toBe(204);
    expect(patch.headers.get('warning')).toBeNull();
    for (const name of ['alice-yubikey', 'bob-yubikey', 'admin-third']) {
      const { key, upn } = keys[name];
      expect({ name, status: (await signIn(svc, key, upn)).status }).toEqual({ name, status: 200 });
    }
  });

  it('refuses a fourth passkey profile and a policy past 20 KB with a clear 400', async () => {
    const profile = (n: number, aaGuids: string[] = []) => ({
      id: n === 1 ? DEFAULT_PROFILE_ID : `bbbbbbbb-0000-4000-8000-00000000000${n}`,
      name: `Profile ${n}`,
      passkeyTypes: 'deviceBound,synced',
      attestationEnforcement: 'disabled',
      keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids },
    });
    const four = await svc.call('PATCH', POLICY_V1, {
      token: admin,
      body: { '@odata.type': FIDO2_CONFIGURATION, passkeyProfiles: [1, 2, 3, 4].map((n) => profile(n)) },
    });
    expect(four.status).toBe(400);
    expect(four.body.error.message).toMatch(/at most 3 passkey profiles/);

    const guids = (from: number) =>
      Array.from({ length: 300 }, (_, i) => `cccccccc-0000-4000-8000-${String(from + i).padStart(12, '0')}`);
    const large = await svc.call('PATCH', POLICY_V1, {
      token: admin,
      body: { '@odata.type': FIDO2_CONFIGURATION, passkeyProfiles: [profile(1, guids(0)), profile(2, guids(300))] },
    });
    expect(large.status).toBe(400);
    expect(large.body.error.message).toMatch(/expected at most 20480 bytes \(20 KB\)/);
  });
});

/** The same impact and PATCH on the Cosmos DB store (cosmosdb-server over the wire): scanPage's keyset paging there. */
describe('lock-out impact on the Cosmos DB store', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({}, undefined, { store: 'cosmos' });
  });
  afterAll(() => svc?.close());

  it('names the blocked passkeys, the PATCH warns, and the refused sign-in is the named one', async () => {
    const admin = await svc.token({ upn: DemoTenant.admin.userPrincipalName, roles: [Roles.authPolicyAdmin] });
    await setPolicy(svc, admin);
    const upn = DemoTenant.bob.userPrincipalName;
    const kept = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
    const blocked = new SoftAuthenticator({ aaguid: FEITIAN });
    await register(svc, await svc.token({ upn }), kept);
    const { id: blockedId } = await register(svc, await svc.token({ upn }), blocked);
    const { id: aliceId } = await register(
      svc,
      await svc.token({ upn: DemoTenant.alice.userPrincipalName }),
      new SoftAuthenticator({ aaguid: THIRD_MODEL }),
    );

    const res = await svc.call('POST', EVALUATE, { token: admin, body: { keyRestrictions: allowOnly(YUBIKEY_5) } });
    expect(res.status).toBe(200);
    const blockedIds = res.body.users.flatMap((u: { passkeysBlocked: Array<{ id: string }> }) =>
      u.passkeysBlocked.map((p) => p.id),
    );
    expect(blockedIds.sort()).toEqual([aliceId, blockedId].sort());
    expect(res.body.usersLeftWithoutUsablePasskey.map((u: { id: string }) => u.id)).toEqual([DemoTenant.alice.id]);

    const patch = await svc.call('PATCH', POLICY_V1, {
      token: admin,
      body: { '@odata.type': FIDO2_CONFIGURATION, keyRestrictions: allowOnly(YUBIKEY_5) },
    });
    expect(patch.status).toBe(204);
    expect(patch.headers.get('warning')).toBe('199 - "1 user would be left without a usable passkey"');
    expect((await signIn(svc, kept, upn)).status).toBe(200);
    expectRefused(await signIn(svc, blocked, upn), 403, 'fido2KeyRestrictionViolation', /not on the allow list/);
  });
});
