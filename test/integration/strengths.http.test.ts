import { decodeJwt } from 'jose';
import { SoftAuthenticator } from '../../cli/authenticators/soft';
import { authenticationOptions, register, setPolicy, YUBIKEY_5 } from '../support/ceremonies';
import { FRONTEND_ORIGIN, Roles, startTestService, TestService } from '../support/localService';

const BASE = '/v1.0/policies/authenticationStrengthPolicies';
const OTHER_MODEL = '2fc0579f-8113-47ea-b116-bb5a8db9202a';
const HR = 'api://contoso-hr';
const WIKI = 'https://wiki.contoso.com';
const BUILT_INS = [
  '00000000-0000-0000-0000-000000000002',
  '00000000-0000-0000-0000-000000000003',
  '00000000-0000-0000-0000-000000000004',
];
const enc = encodeURIComponent;

describe('authentication strengths and protected resources (issue 11 items 1-2)', () => {
  let svc: TestService;
  let caAdmin: string;
  let reader: string;
  let securityAdmin: string;
  let policyAdmin: string;
  const yubiKey = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
  const otherKey = new SoftAuthenticator({ aaguid: OTHER_MODEL });

  beforeAll(async () => {
    svc = await startTestService({ ALLOWED_AUDIENCES: WIKI });
    caAdmin = await svc.token({ upn: 'admin@contoso.com', roles: ['Conditional Access Administrator'] });
    reader = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalReader] });
    securityAdmin = await svc.token({ upn: 'admin@contoso.com', roles: ['Security Administrator'] });
    policyAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
    await setPolicy(svc, policyAdmin);
    expect((await register(svc, await svc.token({ upn: 'alice@contoso.com' }), yubiKey)).res.status).toBe(201);
    expect((await register(svc, await svc.token({ upn: 'bob@contoso.com' }), otherKey)).res.status).toBe(201);
  });
  afterAll(async () => svc?.close());

  async function signIn(key: SoftAuthenticator, upn: string, resource?: string) {
    const options = await authenticationOptions(svc, upn);
    const credential = await key.getAssertion(options.body, { origin: FRONTEND_ORIGIN });
    return svc.call('POST', '/webauthn/authentication/verify', {
      body: resource === undefined ? { credential } : { credential, resource },
    });
  }

  const createStrength = (body: Record<string, unknown>, token = caAdmin) =>
    svc.call('POST', BASE, { token, body: { displayName: 'YubiKeys only', allowedCombinations: ['fido2'], ...body } });

  it('lists the built-ins with Graph ids, names and policyType builtIn, readable by a Global Reader and a Security Administrator', async () => {
    for (const token of [reader, securityAdmin, caAdmin]) {
      const res = await svc.call('GET', BASE, { token });
      expect(res.status).toBe(200);
      expect(res.body.value.slice(0, 3).map((s: { id: string }) => s.id)).toEqual(BUILT_INS);
    }
    const phishingResistant = await svc.call('GET', `${BASE}/${BUILT_INS[2]}`, { token: reader });
    expect(phishingResistant.body).toMatchObject({
      displayName: 'Phishing resistant MFA',
      policyType: 'builtIn',
      requirementsSatisfied: 'mfa',
      allowedCombinations: ['windowsHelloForBusiness', 'fido2', 'x509CertificateMultiFactor'],
    });
  });

  it('refuses to change or delete a built-in (400, Graph error)', async () => {
    const id = BUILT_INS[2];
    for (const [method, path, body] of [
      ['PATCH', `${BASE}/${id}`, { displayName: 'Mine now' }],
      ['DELETE', `${BASE}/${id}`, undefined],
      ['POST', `${BASE}/${id}/updateAllowedCombinations`, { allowedCombinations: ['password,sms'] }],
      [
        'POST',
        `${BASE}/${id}/combinationConfigurations`,
        {
          '@odata.type': '#microsoft.graph.fido2CombinationConfiguration',
          appliesToCombinations: ['fido2'],
          allowedAAGUIDs: [YUBIKEY_5],
        },
      ],
    ] as const) {
      const res = await svc.call(method, path, { token: caAdmin, body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('builtInAuthenticationStrengthReadOnly');
      expect(res.body.error.message).toContain('Phishing resistant MFA');
    }
  });

  it('attack: a Global Reader, a Security Administrator, an Authentication Policy Administrator cannot create or change strengths or resources', async () => {
    for (const token of [reader, securityAdmin, policyAdmin]) {
      expect((await createStrength({}, token)).status).toBe(403);
      const put = await svc.call('PUT', `/protectedResources/${enc(HR)}`, {
        token,
        body: { authenticationStrengthId: BUILT_INS[2] },
      });
      expect(put.status).toBe(403);
    }
    expect((await svc.call('GET', '/protectedResources', { token: policyAdmin })).status).toBe(403);
  });

  it('acceptance: a custom strength allowing one AAGUID protects a resource; another model is refused for it, allowed elsewhere; the token carries acrs', async () => {
    const created = await createStrength({
      description: 'Sensitive apps',
      combinationConfigurations: [
        {
          '@odata.type': '#microsoft.graph.fido2CombinationConfiguration',
          appliesToCombinations: ['fido2'],
          allowedAAGUIDs: [YUBIKEY_5],
        },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      policyType: 'custom',
      requirementsSatisfied: 'mfa',
      allowedCombinations: ['fido2'],
      combinationConfigurations: [{ appliesToCombinations: ['fido2'], allowedAAGUIDs: [YUBIKEY_5] }],
    });
    expect(created.body.createdDateTime).toBe(created.body.modifiedDateTime);
    const strengthId: string = created.body.id;

    const put = await svc.call('PUT', `/protectedResources/${enc(HR)}`, {
      token: caAdmin,
      body: { authenticationStrengthId: strengthId },
    });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ name: HR, authenticationStrengthId: strengthId });
    expect((await svc.call('GET', '/protectedResources', { token: reader })).body.value).toEqual([put.body]);

    // Another model: refused for the protected resource, the strength named.
    const refused = await signIn(otherKey, 'bob@contoso.com', HR);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('authenticationStrengthNotSatisfied');
    expect(refused.body.error.message).toContain(`'YubiKeys only' (${strengthId})`);
    // ... and allowed for an unprotected resource (an allowed audience), as today.
    const elsewhere = await signIn(otherKey, 'bob@contoso.com', WIKI);
    expect(elsewhere.status).toBe(200);
    expect(decodeJwt(elsewhere.body.token)).toMatchObject({ aud: WIKI, acrs: BUILT_INS });

    // The allowed model: aud is the resource (itself an allowed audience), acrs names the strength.
    const allowed = await signIn(yubiKey, 'alice@contoso.com', HR);
    expect(allowed.status).toBe(200);
    expect(decodeJwt(allowed.body.token)).toMatchObject({ aud: HR, acrs: [...BUILT_INS, strengthId] });
    expect(allowed.body.requiredAuthenticationStrengthId).toBe(strengthId);
    expect(elsewhere.body.requiredAuthenticationStrengthId).toBeUndefined();

    // The refusal is in the audit log like the policy refusals.
    const audits = await svc.call('GET', '/v1.0/auditLogs/directoryAudits', {
      token: await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] }),
    });
    const refusal = audits.body.value.find(
      (r: { activityDisplayName: string; resultReason: string }) =>
        r.activityDisplayName === 'Sign-in with passkey refused' &&
        r.resultReason.startsWith('authenticationStrengthNotSatisfied'),
    );
    expect(refusal).toBeDefined();

    // In use: the strength cannot be deleted (409) until the resource is gone.
    const inUse = await svc.call('DELETE', `${BASE}/${strengthId}`, { token: caAdmin });
    expect(inUse.status).toBe(409);
    expect(inUse.body.error.code).toBe('authenticationStrengthInUse');
    expect(inUse.body.error.message).toContain(HR);

    // updateAllowedCombinations names the resource that requires it.
    const update = await svc.call('POST', `${BASE}/${strengthId}/updateAllowedCombinations`, {
      token: caAdmin,
      body: { allowedCombinations: ['fido2', 'password, sms'] },
    });
    expect(update.status).toBe(200);
    expect(update.body).toMatchObject({
      previousCombinations: ['fido2'],
      currentCombinations: ['fido2', 'password,sms'],
      conditionalAccessReferences: [HR],
    });

    expect((await svc.call('DELETE', `/protectedResources/${enc(HR)}`, { token: caAdmin })).status).toBe(204);
    // Unprotected again, and not an allowed audience: today's invalidResource.
    const unknown = await signIn(otherKey, 'bob@contoso.com', HR);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('invalidResource');
    expect((await svc.call('DELETE', `${BASE}/${strengthId}`, { token: caAdmin })).status).toBe(204);
    expect((await svc.call('GET', `${BASE}/${strengthId}`, { token: caAdmin })).status).toBe(404);
  });

  it('edits combination configurations (GET, PATCH, DELETE) and refuses an AAGUID once it is removed', async () => {
    const { body: strength } = await createStrength({ displayName: 'Configured' });
    const path = `${BASE}/${strength.id}/combinationConfigurations`;
    const created = await svc.call('POST', path, {
      token: caAdmin,
      body: {
        '@odata.type': '#microsoft.graph.fido2CombinationConfiguration',
        appliesToCombinations: ['fido2'],
        allowedAAGUIDs: [OTHER_MODEL],
      },
    });
    expect(created.status).toBe(201);
    expect(created.body['@odata.type']).toBe('#microsoft.graph.fido2CombinationConfiguration');
    const cid: string = created.body.id;
    expect((await svc.call('GET', path, { token: reader })).body.value).toHaveLength(1);
    const patched = await svc.call('PATCH', `${path}/${cid}`, {
      token: caAdmin,
      body: { '@odata.type': '#microsoft.graph.fido2CombinationConfiguration', allowedAAGUIDs: [YUBIKEY_5] },
    });
    expect(patched.status).toBe(200);
    expect((await svc.call('GET', `${path}/${cid}`, { token: reader })).body.allowedAAGUIDs).toEqual([YUBIKEY_5]);
    const renamed = await svc.call('PATCH', `${BASE}/${strength.id}`, {
      token: caAdmin,
      body: { displayName: 'Renamed' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.displayName).toBe('Renamed');
    expect((await svc.call('DELETE', `${path}/${cid}`, { token: caAdmin })).status).toBe(204);
    expect((await svc.call('GET', `${path}/${cid}`, { token: reader })).status).toBe(404);
    expect((await svc.call('DELETE', `${BASE}/${strength.id}`, { token: caAdmin })).status).toBe(204);
  });

  it('refuses unknown combinations and allows at most 15 custom strengths', async () => {
    const bad = await createStrength({ allowedCombinations: ['passkey'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalidAllowedCombinations');
    const before = (await svc.call('GET', BASE, { token: caAdmin })).body.value.length - 3;
    for (let i = before; i < 15; i++) expect((await createStrength({ displayName: `S${i}` })).status).toBe(201);
    const sixteenth = await createStrength({ displayName: 'One too many' });
    expect(sixteenth.status).toBe(400);
    expect(sixteenth.body.error.code).toBe('tooManyAuthenticationStrengths');
  });
});
