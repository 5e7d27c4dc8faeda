/**
 * Issue 11 §3 and §4 over HTTP on the local host: every sign-in attempt in the sign-in log (fields,
 * filters, paging), the AAGUID inventory (numbers after registrations and sign-ins of several
 * models, refusals counted, CSV) and who may read them. Runs on SQLite and on Cosmos DB.
 */
import { randomUUID } from 'node:crypto';
import { SoftAuthenticator } from '../../cli/authenticators/soft';
import { SCHEDULED_WORK } from '../../shared/scheduledWork';
import { PASSKEY_METHOD, SignInRecord } from '../../shared/domain/signIns/signInRecord';
import { authenticationOptions, register, setPolicy, YUBIKEY_5 } from '../support/ceremonies';
import type { EventEnvelope } from '../../shared/ports/eventBus.port';
import { FRONTEND_ORIGIN, Roles, startTestService, TEST_STORES, TestService } from '../support/localService';

const WINDOWS_HELLO = '08987058-cadc-4b81-b6e1-30de50dcbe96';
const ICLOUD = 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd';
const ALICE = 'alice@contoso.com';
const BOB = 'bob@contoso.com';
const SIGN_INS = '/v1.0/auditLogs/signIns';
const INVENTORY = '/beta/reports/fido2/aaguids';
const USER_AGENT = 'Mozilla/5.0 (signInLog test)';

type Row = Record<string, unknown> & { aaGuid: string };

/** Polls `probe` until it returns a value (events arrive on the relay's next pass). */
async function waitFor<T>(probe: () => T | undefined, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`nothing arrived within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.each(TEST_STORES)('sign-in log and AAGUID inventory over HTTP (%s)', (store) => {
  let svc: TestService;
  let policyAdmin: string;
  let reader: string;
  let alice: string;
  let bob: string;
  const aliceYubiKey = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
  const aliceHello = new SoftAuthenticator({ aaguid: WINDOWS_HELLO });
  const bobICloud = new SoftAuthenticator({ aaguid: ICLOUD, flags: { be: true, bs: true } });
  const stranger = new SoftAuthenticator({ aaguid: YUBIKEY_5 });

  /** Posts an assertion for options of `upn` (or usernameless) with a user agent header. */
  async function verify(key: SoftAuthenticator, upn?: string, signCount?: number) {
    const options = await authenticationOptions(svc, upn);
    const assertion = await key.getAssertion(options.body, { origin: FRONTEND_ORIGIN, signCount });
    const post = () =>
      svc.call('POST', '/webauthn/authentication/verify', {
        body: { credential: assertion },
        headers: { 'User-Agent': USER_AGENT },
      });
    return { res: await post(), replay: post };
  }
  const log = async (query = ''): Promise<SignInRecord[]> => {
    const res = await svc.call('GET', `${SIGN_INS}${query}`, { token: reader });
    expect(res.status).toBe(200);
    return res.body.value;
  };

  beforeAll(async () => {
    svc = await startTestService({}, undefined, { store });
    policyAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
    reader = await svc.token({ upn: 'admin@contoso.com', roles: ['Reports Reader'] });
    [alice, bob] = await Promise.all([ALICE, BOB].map((upn) => svc.token({ upn })));
    await setPolicy(svc, policyAdmin);
    for (const [token, key] of [
      [alice, aliceYubiKey],
      [alice, aliceHello],
      [bob, bobICloud],
    ] as const)
      expect((await register(svc, token, key)).res.status).toBe(201);
    // A stranger's key makes a credential the service never registered.
    await stranger.createCredential(
      (await svc.call('POST', '/webauthn/registration/options', { token: bob, body: {} })).body,
      { origin: FRONTEND_ORIGIN },
    );
  }, 60_000);
  afterAll(async () => {
    await svc?.close();
  });

  it('publishes each recorded sign-in as one signIn.recorded event (from the sign-in log, not the audit log)', async () => {
    const seen: EventEnvelope[] = [];
    await svc.events.bus.subscribe(`probe-${randomUUID()}`, async (event) => {
      if (event.type === 'signIn.recorded') seen.push(event);
    });
    const audits = (await svc.app.store.audit.list({ top: 1000 })).items.length;
    const { res } = await verify(aliceYubiKey, ALICE);
    expect(res.status).toBe(200);
    const [record] = await log('?$top=1');
    const event = await waitFor(() => seen.find((e) => e.id === record.id));
    expect(event).toMatchObject({
      type: 'signIn.recorded',
      subject: `signins/${record.id}`,
      data: { signIn: record, result: 'success', initiatedBy: { user: { id: res.body.user.id } } },
    });
    await svc.events.drain();
    expect(seen.filter((e) => e.id === record.id)).toHaveLength(1);
    // A successful sign-in adds nothing to the audit log (refusals keep their audit record, as before).
    expect((await svc.app.store.audit.list({ top: 1000 })).items.length).toBe(audits);
  });

  it('records a successful sign-in with Graph signIn fields: who, which passkey, from where, status 0', async () => {
    const { res } = await verify(aliceYubiKey, ALICE);
    expect(res.status).toBe(200);
    const [record] = await log('?$top=1');
    expect(record).toEqual({
      id: expect.any(String),
      createdDateTime: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      userId: res.body.user.id,
      userPrincipalName: ALICE,
      userDisplayName: res.body.user.displayName,
      appId: 'api://passkey-service',
      resourceId: 'api://passkey-service',
      ipAddress: '127.0.0.1',
      clientAppUsed: 'Browser',
      userAgent: USER_AGENT,
      isInteractive: true,
      status: { errorCode: 0, failureReason: null, additionalDetails: null },
      authenticationMethodsUsed: [PASSKEY_METHOD],
      authenticationDetails: [
        {
          authenticationMethod: PASSKEY_METHOD,
          authenticationMethodDetail: res.body.method.model,
          authenticationStepDateTime: record.createdDateTime,
          authenticationStepResultDetail: 'MFA successfully completed',
          succeeded: true,
          aaGuid: YUBIKEY_5,
          credentialId: aliceYubiKey.credentials[0].id,
        },
      ],
      conditionalAccessStatus: 'notApplied',
      appliedConditionalAccessPolicies: [],
    });
  });

  it('records each refusal once with its numeric errorCode and domain code: unknown passkey, replay, clone, key restriction', async () => {
    const before = (await log('?$top=1000')).length;

    const unknown = await verify(stranger);
    expect(unknown.res.status).toBe(401);

    const ok = await verify(aliceHello, ALICE);
    expect(ok.res.status).toBe(200);
    expect((await ok.replay()).status).toBe(401);

    const clone = await verify(aliceHello, ALICE, 1);
    expect(clone.res.status).toBe(403);

    await setPolicy(svc, policyAdmin, {
      keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [YUBIKEY_5, WINDOWS_HELLO] },
    });
    const restricted = await verify(bobICloud, BOB);
    expect(restricted.res.status).toBe(403);

    const records = (await log('?$top=1000')).slice(0, 5).reverse();
    expect((await log('?$top=1000')).length).toBe(before + 5);
    expect(
      records.map((r) => [
        r.status.errorCode,
        r.status.failureReason,
        r.userPrincipalName,
        r.authenticationDetails[0].aaGuid,
      ]),
    ).toEqual([
      [90001, 'fido2SignInFailed', null, null],
      [0, null, ALICE, WINDOWS_HELLO],
      [90004, 'challengeAlreadyUsed', ALICE, WINDOWS_HELLO],
      [90030, 'fido2PossibleClonedAuthenticator', ALICE, WINDOWS_HELLO],
      [90023, 'fido2KeyRestrictionViolation', BOB, ICLOUD],
    ]);
    expect(records[0].authenticationDetails[0]).toMatchObject({
      succeeded: false,
      credentialId: stranger.credentials[0].id,
    });
    expect(records[4].status.additionalDetails).toMatch(/not on the allow list/);
  });

  it('filters on status/errorCode, userPrincipalName (any case) and createdDateTime, and pages newest first with @odata.nextLink', async () => {
    const all = await log('?$top=1000');
    expect((await log('?$filter=status/errorCode eq 0')).every((r) => r.status.errorCode === 0)).toBe(true);
    const bobs = await log(`?$filter=${encodeURIComponent("userPrincipalName eq 'BOB@contoso.com'")}`);
    expect(bobs.map((r) => r.id)).toEqual(all.filter((r) => r.userPrincipalName === BOB).map((r) => r.id));
    const combined = await log(
      `?$filter=${encodeURIComponent(`userPrincipalName eq '${ALICE}' and status/errorCode eq 90030 and createdDateTime ge ${all[all.length - 1].createdDateTime}`)}`,
    );
    expect(combined.map((r) => r.status.errorCode)).toEqual([90030]);
    expect(await log(`?$filter=${encodeURIComponent('createdDateTime lt 2000-01-01T00:00:00Z')}`)).toEqual([]);

    const seen: string[] = [];
    let next: string | undefined = `${SIGN_INS}?$top=2`;
    while (next) {
      const res = await svc.call('GET', next, { token: reader });
      expect(res.status).toBe(200);
      expect(res.body.value.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.value.map((r: SignInRecord) => r.id));
      next = res.body['@odata.nextLink']
        ? new URL(res.body['@odata.nextLink']).pathname + new URL(res.body['@odata.nextLink']).search
        : undefined;
    }
    expect(seen).toEqual(all.map((r) => r.id));
    const times = all.map((r) => r.createdDateTime);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('refuses a $filter outside the supported subset with a Graph 400', async () => {
    const res = await svc.call('GET', `${SIGN_INS}?$filter=${encodeURIComponent("appId eq 'x'")}`, { token: reader });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BadRequest');
  });

  it('inventory: one row per AAGUID with passkeys, users, types, last use, sign-ins (refused ones counted) and the policy verdict', async () => {
    const res = await svc.call('GET', INVENTORY, { token: reader });
    expect(res.status).toBe(200);
    const rows: Row[] = res.body.value;
    const byAaguid = Object.fromEntries(rows.map((r) => [r.aaGuid, r]));
    expect(Object.keys(byAaguid).sort()).toEqual([WINDOWS_HELLO, YUBIKEY_5, ICLOUD].sort());
    expect(byAaguid[YUBIKEY_5]).toMatchObject({
      passkeys: 1,
      users: 1,
      notAttested: 1,
      deviceBound: 1,
      synced: 0,
      successfulSignIns: 2, // the event test and the fields test
      refusedSignIns: 0,
      isAllowedByPolicy: true,
      lastUsedDateTime: expect.any(String),
    });
    expect(byAaguid[WINDOWS_HELLO]).toMatchObject({
      passkeys: 1,
      users: 1,
      successfulSignIns: 1,
      refusedSignIns: 2,
      isAllowedByPolicy: true,
    });
    expect(byAaguid[ICLOUD]).toMatchObject({
      passkeys: 1,
      users: 1,
      deviceBound: 0,
      synced: 1,
      successfulSignIns: 0,
      refusedSignIns: 1,
      isAllowedByPolicy: false,
      lastUsedDateTime: null,
    });
    for (const row of rows) expect(row.firstRegisteredDateTime).toEqual(expect.any(String));
  });

  it('attack: a model name made to be a spreadsheet formula is neutralised in the CSV (same rows as text/csv, RFC 4180 escaping)', async () => {
    const carol = (await svc.app.store.credentials.listByUser((await svc.app.directory.findUser(BOB))!.value.id))[0];
    const hostile = '5ca1ab1e-0000-4000-8000-0000000c5f00';
    await svc.app.store.credentials.create(
      { ...carol, id: `hostile-${randomUUID()}`, aaGuid: hostile, model: '=HYPERLINK("http://evil"),\n"x"' },
      {
        ...(await svc.app.store.audit.list({ top: 1 })).items[0],
        id: randomUUID(),
      },
    );
    const json = (await svc.call('GET', INVENTORY, { token: reader })).body.value as Row[];
    const res = await svc.call('GET', `${INVENTORY}?format=csv`, { token: reader });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = String(res.body);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(
      'aaGuid,model,passkeys,users,attested,notAttested,deviceBound,synced,firstRegisteredDateTime,lastUsedDateTime,successfulSignIns,refusedSignIns,isAllowedByPolicy',
    );
    expect(text).toContain(`${hostile},"'=HYPERLINK(""http://evil""),\n""x""",1,1,`);
    // Header + one line per row (the hostile model's newline is inside quotes) + the final CRLF.
    expect(text.match(/\r\n/g)?.length).toBe(json.length + 1);
  });

  it('attack: a caller without a reports or audit role reads neither the sign-in log nor the inventory', async () => {
    const userAdmin = await svc.token({ upn: 'admin@contoso.com', roles: ['User Administrator'] });
    for (const token of [alice, userAdmin])
      for (const path of [SIGN_INS, INVENTORY, `${INVENTORY}?format=csv`]) {
        const res = await svc.call('GET', path, { token });
        expect({ path, status: res.status, code: res.body?.error?.code }).toEqual({
          path,
          status: 403,
          code: 'Authorization_RequestDenied',
        });
      }
    expect((await svc.call('GET', SIGN_INS)).status).toBe(401);
    const globalReader = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalReader] });
    expect((await svc.call('GET', SIGN_INS, { token: globalReader })).status).toBe(200);
    expect((await svc.call('GET', INVENTORY, { token: globalReader })).status).toBe(200);
  });

  it('retention: the scheduled purge forgets sign-ins older than SIGNIN_LOG_RETENTION_DAYS and keeps the rest', async () => {
    const [latest] = await log('?$top=1');
    const old = {
      ...latest,
      id: randomUUID(),
      createdDateTime: new Date(Date.now() - 31 * 24 * 3600 * 1000).toISOString(),
    };
    await svc.app.store.signInLog.append(old);
    const count = (await log('?$top=1000')).length;
    await SCHEDULED_WORK.find((w) => w.name === 'purgeSignInLog')!.run(svc.app);
    const after = await log('?$top=1000');
    expect(after.length).toBe(count - 1);
    expect(after.map((r) => r.id)).not.toContain(old.id);
  });
});

describe('sign-in log through a trusted proxy', () => {
  it('attack: a forged X-Forwarded-For is not recorded without TRUST_PROXY; with it, the address the proxy appended', async () => {
    for (const trust of ['true', 'false']) {
      const svc = await startTestService({ TRUST_PROXY: trust });
      try {
        const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
        const admin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
        await setPolicy(svc, admin);
        await register(svc, await svc.token({ upn: ALICE }), key);
        const options = await authenticationOptions(svc, ALICE);
        const assertion = await key.getAssertion(options.body, { origin: FRONTEND_ORIGIN });
        await svc.call('POST', '/webauthn/authentication/verify', {
          body: { credential: assertion },
          headers: { 'X-Forwarded-For': '198.51.100.1, 203.0.113.9' },
        });
        const reader = await svc.token({ upn: 'admin@contoso.com', roles: ['Reports Reader'] });
        const [record] = (await svc.call('GET', `${SIGN_INS}?$top=1`, { token: reader })).body.value;
        expect({ trust, ip: record.ipAddress }).toEqual({ trust, ip: trust === 'true' ? '203.0.113.9' : '127.0.0.1' });
      } finally {
        await svc.close();
      }
    }
  });
});
