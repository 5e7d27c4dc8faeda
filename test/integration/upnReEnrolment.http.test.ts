import { InvocationContext } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { ReEnrolmentOrchestrator, reEnrolmentInstanceId } from '../../orchestrations/reenrolment/names';
import type { DomainEvent } from '../../shared/ports/eventBus.port';
import { reEnrolmentConsumer } from '../../functions/consumers/reenrolment.consumer';
import { eventFromAudit } from '../../shared/domain/events/eventFromAudit';
import { DemoTenant } from '../../shared/services/seedDemoTenant';
import { register, setPolicy, signIn, YUBIKEY_5 } from '../support/ceremonies';
import { eventually } from '../support/eventually';
import { Roles, startTestService, TEST_STORES, TestService } from '../support/localService';
import { SoftAuthenticator } from '../../cli/authenticators/soft';

type Response = Awaited<ReturnType<TestService['call']>>;
type DirectoryAudit = {
  id: string;
  activityDisplayName: string;
  activityDateTime: string;
  initiatedBy: { user: { userPrincipalName: string } | null; app: { appId: string } | null };
  targetResources: Array<{ id: string; modifiedProperties: Array<{ displayName: string; newValue: string | null }> }>;
};

const ids = (res: Response) => (res.body?.value ?? []).map((m: { id: string }) => m.id);

/** Renames a user (PATCH userPrincipalName) and answers the response status. */
async function renameStatus(svc: TestService, token: string, from: string, to: string): Promise<number> {
  return (await svc.call('PATCH', `/v1.0/users/${from}`, { token, body: { userPrincipalName: to } })).status;
}

/** The directoryAudits of one user, oldest first. */
async function auditStory(svc: TestService, token: string, userId: string): Promise<DirectoryAudit[]> {
  const res = await svc.call('GET', '/v1.0/auditLogs/directoryAudits?$top=200', { token });
  expect(res.status).toBe(200);
  return (res.body.value as DirectoryAudit[]).filter((r) => r.targetResources[0]?.id === userId).reverse();
}

describe.each(TEST_STORES)('UPN change: delete and re-enrol passkeys over HTTP (%s store)', (store) => {
  let svc: TestService;
  let globalAdmin: string;

  beforeAll(async () => {
    svc = await startTestService({}, undefined, { store });
    globalAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] });
    await setPolicy(svc, await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] }));
  });
  afterAll(() => svc.close());

  const methods = (upn: string) => () =>
    svc.call('GET', `/v1.0/users/${upn}/authentication/fido2Methods`, { token: globalAdmin });
  const reEnrolment = (upn: string) => () =>
    svc.call('GET', `/v1.0/users/${upn}/authentication/reEnrolment`, { token: globalAdmin });

  it("re-enrols alice's passkey: marked, still signs in with the new name, deleted once she registers a new one", async () => {
    const oldKey = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
    const first = await register(svc, await svc.token({ upn: 'alice@contoso.com' }), oldKey);
    expect(first.res.status).toBe(201);
    expect((await reEnrolment('alice@contoso.com')()).status).toBe(404);

    const patch = await svc.call('PATCH', '/v1.0/users/alice@contoso.com', {
      token: globalAdmin,
      body: { userPrincipalName: 'alice.smith@contoso.com' },
    });
    expect(patch.status).toBe(204);

    const marked = await eventually(
      methods('alice.smith@contoso.com'),
      (r) => r.body?.value?.[0]?.reEnrolmentRequired === true,
      'the old passkey to be marked',
    );
    expect(ids(marked)).toEqual([first.id]);
    const waiting = await eventually(
      reEnrolment('alice.smith@contoso.com'),
      (r) => r.body?.state === 'waitingForNewPasskey',
      'the flow to wait',
    );
    expect(waiting.body).toMatchObject({
      userId: DemoTenant.alice.id,
      instanceId: `reenrol-${DemoTenant.alice.id}`,
      status: 'Running',
      oldMethodIds: [first.id],
      oldUserPrincipalName: 'alice@contoso.com',
      newUserPrincipalName: 'alice.smith@contoso.com',
    });
    const graceMs = Date.parse(waiting.body.deadline) - Date.now();
    expect(graceMs).toBeGreaterThan(71 * 3600_000);
    expect(graceMs).toBeLessThanOrEqual(72 * 3600_000);

    // The old passkey still works during the grace period, and tells the frontend what to do.
    const signedIn = await signIn(svc, oldKey, 'alice.smith@contoso.com');
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatchObject({
      user: { userPrincipalName: 'alice.smith@contoso.com' },
      reEnrolmentRequired: true,
      signalCurrentUserDetails: {
        rpId: 'localhost',
        userId: first.options.user.id,
        name: 'alice.smith@contoso.com',
        displayName: 'Alice Smith',
      },
    });
    const newToken = await svc.token({ upn: 'alice.smith@contoso.com' });
    const mine = await svc.call('GET', '/v1.0/me/authentication/fido2Methods', { token: newToken });
    expect(mine.body).toMatchObject({
      reEnrolmentRequired: true,
      value: [{ id: first.id, reEnrolmentRequired: true }],
    });

    const newKey = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
    const second = await register(svc, newToken, newKey);
    expect(second.res.status).toBe(201);
    expect(second.options.user).toMatchObject({ id: first.options.user.id, name: 'alice.smith@contoso.com' });
    expect(second.res.body.reEnrolmentRequired).toBe(false);

    const after = await eventually(
      methods('alice.smith@contoso.com'),
      (r) => ids(r).length === 1 && ids(r)[0] === second.id,
      'the old passkey to be deleted',
    );
    expect(after.body.value[0].reEnrolmentRequired).toBe(false);
    const done = await eventually(
      reEnrolment('alice.smith@contoso.com'),
      (r) => r.body?.status === 'Completed',
      'the flow to complete',
    );
    expect(done.body).toMatchObject({ state: 'completed', oldMethodIds: [first.id], newMethodId: second.id });
    expect(
      (await svc.call('GET', '/v1.0/me/authentication/fido2Methods', { token: newToken })).body.reEnrolmentRequired,
    ).toBe(false);

    expect((await signIn(svc, oldKey, 'alice.smith@contoso.com', { credentialId: first.id })).status).toBe(401);
    const fresh = await signIn(svc, newKey, 'alice.smith@contoso.com');
    expect(fresh.body).toMatchObject({ reEnrolmentRequired: false, method: { id: second.id } });

    const story = await auditStory(svc, globalAdmin, DemoTenant.alice.id);
    const steps = story.filter((r) => /^(Update user|Add Passkey|Delete Passkey)/.test(r.activityDisplayName));
    expect(steps.map((r) => r.activityDisplayName)).toEqual([
      'Add Passkey (device-bound) security key',
      'Update user',
      'Add Passkey (device-bound) security key',
      'Delete Passkey (device-bound) security key',
    ]);
    expect(steps[1].targetResources[0].modifiedProperties).toContainEqual(
      expect.objectContaining({ displayName: 'userPrincipalName', newValue: '"alice.smith@contoso.com"' }),
    );
    expect(steps[1].initiatedBy.user?.userPrincipalName).toBe('admin@contoso.com');
    expect(steps[3].initiatedBy).toMatchObject({ user: null, app: { appId: 'upn-reenrolment' } });
  });

  it('restarts cleanly on a second UPN change during the flow (one instance, the latest event), and ignores a redelivery', async () => {
    const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
    const old = await register(svc, await svc.token({ upn: 'bob@contoso.com' }), key);
    expect(old.res.status).toBe(201);

    expect(await renameStatus(svc, globalAdmin, 'bob@contoso.com', 'bob.jones@contoso.com')).toBe(204);
    const first = await eventually(
      reEnrolment('bob.jones@contoso.com'),
      (r) => r.body?.state === 'waitingForNewPasskey',
      'the first flow to wait',
    );
    expect(await renameStatus(svc, globalAdmin, 'bob.jones@contoso.com', 'robert.jones@contoso.com')).toBe(204);

    const updates = (await auditStory(svc, globalAdmin, DemoTenant.bob.id)).filter(
      (r) => r.activityDisplayName === 'Update user',
    );
    expect(updates).toHaveLength(2);
    expect(first.body.eventId).toBe(updates[0].id);
    const second = await eventually(
      reEnrolment('robert.jones@contoso.com'),
      (r) => r.body?.eventId === updates[1].id && r.body?.state === 'waitingForNewPasskey',
      'the flow to restart for the second change',
    );
    expect(second.body).toMatchObject({
      status: 'Running',
      oldUserPrincipalName: 'bob.jones@contoso.com',
      newUserPrincipalName: 'robert.jones@contoso.com',
      oldMethodIds: [old.id],
    });
    const bobs = (await svc.durable.engine.listInstances({ instanceIdPrefix: `reenrol-${DemoTenant.bob.id}` })).filter(
      (i) => ['Pending', 'Running'].includes(i.runtimeStatus),
    );
    expect(bobs).toHaveLength(1);

    // The first change's event delivered again (at least once) starts nothing.
    const record = (await svc.app.store.audit.list({ top: 200 })).items.find((r) => r.id === updates[0].id)!;
    const context = new InvocationContext({
      functionName: reEnrolmentConsumer.name,
      options: {
        trigger: { type: 'serviceBusTrigger', name: 'message' },
        extraInputs: svc.durable.extraInputsOf({ definition: { durableClient: true } } as never),
        extraOutputs: [],
      },
    });
    svc.durable.decorateContext({ definition: { durableClient: true } } as never, context);
    await reEnrolmentConsumer.handler(eventFromAudit(record, svc.app.config.issuer)!, {
      app: svc.app,
      context,
      delivery: { deliveryCount: 2, subscription: reEnrolmentConsumer.subscription },
    });
    const unchanged = await reEnrolment('robert.jones@contoso.com')();
    expect(unchanged.body).toMatchObject({
      eventId: updates[1].id,
      createdDateTime: second.body.createdDateTime,
      state: 'waitingForNewPasskey',
    });

    const renewed = await register(
      svc,
      await svc.token({ upn: 'robert.jones@contoso.com' }),
      new SoftAuthenticator({ aaguid: YUBIKEY_5 }),
    );
    expect(renewed.res.status).toBe(201);
    await eventually(
      methods('robert.jones@contoso.com'),
      (r) => ids(r).length === 1 && ids(r)[0] === renewed.id,
      "bob's old passkey to be deleted",
    );
  });
});

describe('UPN change: the re-enrolment deadline passes', () => {
  let svc: TestService;
  let globalAdmin: string;

  beforeAll(async () => {
    svc = await startTestService({ REENROLMENT_GRACE_HOURS: '0.0003' }); // about 1.1 seconds
    globalAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] });
    await setPolicy(svc, await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] }));
  });
  afterAll(() => svc.close());

  it('deletes the old passkeys anyway and records that the user must register again', async () => {
    const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
    const old = await register(svc, await svc.token({ upn: 'alice@contoso.com' }), key);
    expect(old.res.status).toBe(201);
    expect(await renameStatus(svc, globalAdmin, 'alice@contoso.com', 'alice.smith@contoso.com')).toBe(204);

    const done = await eventually(
      () => svc.call('GET', '/beta/users/alice.smith@contoso.com/authentication/reEnrolment', { token: globalAdmin }),
      (r) => r.body?.status === 'Completed',
      'the flow to pass its deadline',
    );
    expect(done.body).toMatchObject({
      state: 'deadlinePassed',
      oldMethodIds: [old.id],
      newMethodId: null,
      message: 'deadlinePassed — old passkeys deleted, user must register again',
    });
    const list = await svc.call('GET', '/v1.0/users/alice.smith@contoso.com/authentication/fido2Methods', {
      token: globalAdmin,
    });
    expect(list.body.value).toEqual([]);
    expect((await signIn(svc, key, 'alice.smith@contoso.com', { credentialId: old.id })).status).toBe(401);

    const story = await auditStory(svc, globalAdmin, DemoTenant.alice.id);
    const tail = story.slice(-2);
    expect(tail.map((r) => r.activityDisplayName)).toEqual([
      'Delete Passkey (device-bound) security key',
      'Passkey re-enrolment deadline passed',
    ]);
    expect(tail.every((r) => r.initiatedBy.app?.appId === 'upn-reenrolment')).toBe(true);
    expect(tail[1].activityDateTime).toBe(done.body.deadline);
  });
});

/** Calls the re-enrolment consumer as the bus delivers an event, and waits for it. */
async function deliver(svc: TestService, event: DomainEvent): Promise<void> {
  const context = new InvocationContext({
    functionName: reEnrolmentConsumer.name,
    options: {
      trigger: { type: 'serviceBusTrigger', name: 'message' },
      extraInputs: svc.durable.inputsFor(true),
      extraOutputs: [],
    },
  });
  svc.durable.attachClient(context);
  await reEnrolmentConsumer.handler(event, {
    app: svc.app,
    context,
    delivery: { deliveryCount: 1, subscription: reEnrolmentConsumer.subscription },
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('UPN change: the grace period comes from configuration, not the orchestration input', () => {
  let svc: TestService;
  let globalAdmin: string;

  beforeAll(async () => {
    svc = await startTestService(); // REENROLMENT_GRACE_HOURS defaults to 72
    globalAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] });
    await setPolicy(svc, await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] }));
  });
  afterAll(() => svc.close());

  it('attack: start upnReEnrolment with graceHours 0 in the input → the deadline is the configured 72 hours and nothing is deleted', async () => {
    const old = await register(
      svc,
      await svc.token({ upn: 'bob@contoso.com' }),
      new SoftAuthenticator({ aaguid: YUBIKEY_5 }),
    );
    expect(old.res.status).toBe(201);
    expect(await renameStatus(svc, globalAdmin, 'bob@contoso.com', 'bob.jones@contoso.com')).toBe(204);
    const genuine = await eventually(
      () => svc.call('GET', '/v1.0/users/bob.jones@contoso.com/authentication/reEnrolment', { token: globalAdmin }),
      (r) => r.body?.state === 'waitingForNewPasskey',
      'the genuine flow to wait',
    );
    const realInstance = await svc.durable.engine.getStatus(genuine.body.instanceId, { showInput: true });
    await svc.durable.engine.terminate(genuine.body.instanceId, 'making room for the attack');
    await svc.durable.engine.waitForCompletion(genuine.body.instanceId, 5000);

    // The genuine change's input, with a zero grace period smuggled in (what a caller of the management API would send).
    const id = await svc.durable.engine.startNew(ReEnrolmentOrchestrator, {
      instanceId: 'attack-grace-0',
      input: { ...(realInstance!.input as object), graceHours: 0 },
    });
    const waiting = await waitForState(svc, id, 'waitingForNewPasskey');
    const graceMs = Date.parse((waiting.customStatus as { deadline: string }).deadline) - Date.now();
    expect(graceMs).toBeGreaterThan(71 * 3600_000);
    await sleep(300);
    expect(
      ids(
        await svc.call('GET', '/v1.0/users/bob.jones@contoso.com/authentication/fido2Methods', { token: globalAdmin }),
      ),
    ).toEqual([old.id]);
    await svc.durable.engine.terminate(id, 'done');
  });

  it('attack: a forged fido2Method.registered event does not cut the grace period short (old passkey kept)', async () => {
    const old = await register(
      svc,
      await svc.token({ upn: 'alice@contoso.com' }),
      new SoftAuthenticator({ aaguid: YUBIKEY_5 }),
    );
    expect(await renameStatus(svc, globalAdmin, 'alice@contoso.com', 'alice.smith@contoso.com')).toBe(204);
    const status = () =>
      svc.call('GET', '/v1.0/users/alice.smith@contoso.com/authentication/reEnrolment', { token: globalAdmin });
    await eventually(status, (r) => r.body?.state === 'waitingForNewPasskey', 'the flow to wait');
    await deliver(svc, {
      specversion: '1.0',
      id: randomUUID(),
      type: 'fido2Method.registered',
      source: svc.app.config.issuer,
      subject: `users/${DemoTenant.alice.id}`,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: {
        userId: DemoTenant.alice.id,
        userPrincipalName: 'alice.smith@contoso.com',
        method: { id: 'forged-passkey-id' },
        initiatedBy: { user: null, app: { appId: 'forger' } },
        result: 'success',
      },
    });
    await sleep(300);
    expect((await status()).body).toMatchObject({ state: 'waitingForNewPasskey', newMethodId: null });
    expect(
      ids(
        await svc.call('GET', '/v1.0/users/alice.smith@contoso.com/authentication/fido2Methods', {
          token: globalAdmin,
        }),
      ),
    ).toEqual([old.id]);
  });
});

/** Polls the engine until the instance reports `state` in its custom status. */
async function waitForState(svc: TestService, instanceId: string, state: string, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const status = await svc.durable.engine.getStatus(instanceId);
    if ((status?.customStatus as { state?: string } | null)?.state === state) return status!;
    if (Date.now() > until)
      throw new Error(`Timed out waiting for ${instanceId} to reach ${state}; last ${JSON.stringify(status)}`);
    await sleep(25);
  }
}

describe('UPN change: a forged or stale change deletes nothing', () => {
  let svc: TestService;
  let globalAdmin: string;
  const GRACE_MS = 1_100;

  beforeAll(async () => {
    svc = await startTestService({ REENROLMENT_GRACE_HOURS: '0.0003' }); // about 1.1 seconds: an accepted forgery would delete at once
    globalAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] });
    await setPolicy(svc, await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] }));
  });
  afterAll(() => svc.close());

  const methodsOf = async (upn: string) =>
    (await svc.call('GET', `/v1.0/users/${upn}/authentication/fido2Methods`, { token: globalAdmin })).body
      .value as Array<{ id: string; reEnrolmentRequired: boolean }>;

  it('attack: a forged user.upnChanged event for a user whose UPN did not change → no flow, nothing deleted', async () => {
    const key = await register(
      svc,
      await svc.token({ upn: 'bob@contoso.com' }),
      new SoftAuthenticator({ aaguid: YUBIKEY_5 }),
    );
    expect(key.res.status).toBe(201);
    const forged: DomainEvent = {
      specversion: '1.0',
      id: randomUUID(),
      type: 'user.upnChanged',
      source: svc.app.config.issuer,
      subject: `users/${DemoTenant.bob.id}`,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: {
        userId: DemoTenant.bob.id,
        oldUserPrincipalName: 'bob.before@contoso.com',
        newUserPrincipalName: 'bob@contoso.com',
        initiatedBy: { user: null, app: { appId: 'forger' } },
        result: 'success',
      },
    };
    await deliver(svc, forged);
    await svc.events.bus.publish([{ ...forged, id: randomUUID() }]); // and on the bus, as a holder of its connection string would
    expect(await svc.durable.engine.getStatus(reEnrolmentInstanceId(DemoTenant.bob.id))).toBeUndefined();
    await sleep(GRACE_MS * 2);
    expect(await svc.durable.engine.getStatus(reEnrolmentInstanceId(DemoTenant.bob.id))).toBeUndefined();
    expect(await methodsOf('bob@contoso.com')).toEqual([
      expect.objectContaining({ id: key.id, reEnrolmentRequired: false }),
    ]);
  });

  it('attack: upnReEnrolment started directly with a forged input (past the consumer) marks and deletes nothing', async () => {
    const [bobsKey] = await methodsOf('bob@contoso.com');
    const id = await svc.durable.engine.startNew(ReEnrolmentOrchestrator, {
      instanceId: 'attack-forged-input',
      input: {
        eventId: randomUUID(),
        userId: DemoTenant.bob.id,
        changedAt: new Date().toISOString(),
        oldUserPrincipalName: 'bob.before@contoso.com',
        newUserPrincipalName: 'bob@contoso.com',
        graceHours: 0,
      },
    });
    const done = await svc.durable.engine.waitForCompletion(id, 10_000);
    expect(done).toMatchObject({
      runtimeStatus: 'Completed',
      output: { state: 'changeNotConfirmed', oldMethodIds: [] },
    });
    expect(await methodsOf('bob@contoso.com')).toEqual([
      expect.objectContaining({ id: bobsKey.id, reEnrolmentRequired: false }),
    ]);
  });

  it('a UPN changed and changed back before the deadline deletes nothing and unmarks the passkey', async () => {
    const key = await register(
      svc,
      await svc.token({ upn: 'alice@contoso.com' }),
      new SoftAuthenticator({ aaguid: YUBIKEY_5 }),
    );
    expect(key.res.status).toBe(201);
    expect(await renameStatus(svc, globalAdmin, 'alice@contoso.com', 'alice.smith@contoso.com')).toBe(204);
    expect(await renameStatus(svc, globalAdmin, 'alice.smith@contoso.com', 'alice@contoso.com')).toBe(204);
    const updates = (await auditStory(svc, globalAdmin, DemoTenant.alice.id)).filter(
      (r) => r.activityDisplayName === 'Update user',
    );
    const back = await eventually(
      () => svc.call('GET', '/v1.0/users/alice@contoso.com/authentication/reEnrolment', { token: globalAdmin }),
      (r) => r.body?.eventId === updates[1].id && r.body?.status === 'Completed',
      'the flow of the change back to finish',
    );
    expect(back.body).toMatchObject({ state: 'nothingToReEnrol', oldMethodIds: [] });
    await sleep(GRACE_MS * 2);
    expect(await methodsOf('alice@contoso.com')).toEqual([
      expect.objectContaining({ id: key.id, reEnrolmentRequired: false }),
    ]);
  });
});
