import { SoftAuthenticator } from '../../cli/authenticators/soft';
import type { AuditInput } from '../../shared/domain/auditRecords';
import { EventEnvelope } from '../../shared/ports/eventBus.port';
import { DemoTenant } from '../../shared/services/seedDemoTenant';
import { register, setPolicy, YUBIKEY_5 } from '../support/ceremonies';
import { eventually } from '../support/eventually';
import { Roles, startTestService, TestService } from '../support/localService';
import { startReceiver } from '../support/webhookReceiver';

/**
 * Every audit record the services write gets this display name instead of its own: a name the
 * display-text mapping of old would have published as `webhookSubscription.deleted`, whatever the
 * change. The events below must flow by the types the services declare.
 */
const REWORDED = 'Delete webhook subscription';
jest.mock('../../shared/domain/auditRecords', () => {
  const actual = jest.requireActual<typeof import('../../shared/domain/auditRecords')>(
    '../../shared/domain/auditRecords',
  );
  return {
    ...actual,
    auditRecord: (input: AuditInput) =>
      actual.auditRecord({ ...input, activityDisplayName: 'Delete webhook subscription' }),
  };
});

type Response = Awaited<ReturnType<TestService['call']>>;

describe('events are declared by the services, not read from the audit wording', () => {
  let svc: TestService;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let globalAdmin: string;
  const probe: EventEnvelope[] = [];

  beforeAll(async () => {
    receiver = await startReceiver();
    svc = await startTestService({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    await svc.events.bus.subscribe('probe', async (event) => void probe.push(event));
    globalAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] });
  });
  afterAll(async () => {
    await svc?.close();
    await receiver?.close();
  });

  const typesSeen = () => probe.map((e) => e.type);
  const methods = (upn: string) => () =>
    svc.call('GET', `/v1.0/users/${upn}/authentication/fido2Methods`, { token: globalAdmin });
  const reEnrolment = (upn: string) => () =>
    svc.call('GET', `/v1.0/users/${upn}/authentication/reEnrolment`, { token: globalAdmin });

  it('publishes policy updates, registrations and UPN changes by their declared types; the UPN re-enrolment flow runs; webhooks are delivered', async () => {
    const policyAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
    const hook = await svc.call('POST', '/webhooks/subscriptions', {
      token: policyAdmin,
      body: {
        url: receiver.url,
        eventTypes: ['fido2Policy.updated', 'fido2Method.*', 'user.upnChanged'],
        secret: 'at-least-16-characters',
      },
    });
    expect(hook.status).toBe(201);
    await setPolicy(svc, policyAdmin);

    const oldKey = await register(
      svc,
      await svc.token({ upn: 'alice@contoso.com' }),
      new SoftAuthenticator({ aaguid: YUBIKEY_5 }),
    );
    expect(oldKey.res.status).toBe(201);
    const patch = await svc.call('PATCH', '/v1.0/users/alice@contoso.com', {
      token: globalAdmin,
      body: { userPrincipalName: 'alice.smith@contoso.com' },
    });
    expect(patch.status).toBe(204);

    // user.upnChanged reached the re-enrolment consumer: the old passkey is marked and the flow waits.
    await eventually(
      methods('alice.smith@contoso.com'),
      (r) => r.body?.value?.[0]?.reEnrolmentRequired === true,
      'the old passkey to be marked',
    );
    await eventually(
      reEnrolment('alice.smith@contoso.com'),
      (r) => r.body?.state === 'waitingForNewPasskey',
      'the flow to wait',
    );

    // fido2Method.registered reached it too: the new passkey ends the wait and the old one is deleted.
    const newKey = await register(
      svc,
      await svc.token({ upn: 'alice.smith@contoso.com' }),
      new SoftAuthenticator({ aaguid: YUBIKEY_5 }),
    );
    expect(newKey.res.status).toBe(201);
    const done = await eventually(
      reEnrolment('alice.smith@contoso.com'),
      (r) => r.body?.status === 'Completed',
      'the flow to complete',
    );
    expect(done.body).toMatchObject({ state: 'completed', oldMethodIds: [oldKey.id], newMethodId: newKey.id });

    // Every record really carries the reworded name...
    const audit = await svc.call('GET', '/v1.0/auditLogs/directoryAudits?$top=200', { token: globalAdmin });
    const names = new Set(
      (audit.body.value as Array<{ activityDisplayName: string }>).map((r) => r.activityDisplayName),
    );
    expect([...names]).toEqual([REWORDED]);

    // ...and the bus carried each change under the type its service declared.
    const declared = [
      'user.created',
      'group.created',
      'webhookSubscription.created',
      'fido2Policy.updated',
      'fido2Method.registered',
      'user.upnChanged',
      'fido2Method.deleted',
    ];
    await eventually(
      async () => ({ status: 200, body: typesSeen() }) as Response,
      (r) => declared.every((t) => (r.body as string[]).includes(t)),
      'the declared types on the bus',
    );
    expect(typesSeen()).not.toContain('webhookSubscription.deleted');
    const upnChanged = probe.find((e) => e.type === 'user.upnChanged');
    expect(upnChanged?.data).toMatchObject({
      userId: DemoTenant.alice.id,
      oldUserPrincipalName: 'alice@contoso.com',
      newUserPrincipalName: 'alice.smith@contoso.com',
    });

    // The webhook receiver got the types it subscribed to, in order of the changes.
    const delivered = async () => ({ status: 200, body: receiver.events.map((e) => e.type) }) as Response;
    const wanted = [
      'fido2Policy.updated',
      'fido2Method.registered',
      'user.upnChanged',
      'fido2Method.registered',
      'fido2Method.deleted',
    ];
    const got = await eventually(
      delivered,
      (r) => wanted.every((t) => (r.body as string[]).includes(t)) && (r.body as string[]).length >= wanted.length,
      'the webhook deliveries',
    );
    expect(got.body).toEqual(wanted);
  });
});
