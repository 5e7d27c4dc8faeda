import { AuditRecord } from '../../shared/domain/audit';
import { GraphTestServer, startGraphTestServer, testCredential } from '../support/graphTestServer';
import { startTestService, TestService } from '../support/localService';
import { startTlsProxy, TlsProxy } from '../support/tlsProxy';
import { eventually } from '../support/eventually';

const CLIENT_STATE = 'client-state-secret-0123456789';

describe('DIRECTORY=entra: change notifications, delta and subscriptions (Graph test server through TLS)', () => {
  let graph: GraphTestServer;
  let proxy: TlsProxy;
  let svc: TestService;

  beforeAll(async () => {
    graph = await startGraphTestServer();
    proxy = await startTlsProxy(graph.port);
    svc = await startTestService(
      {
        DIRECTORY: 'entra',
        GRAPH_BASE_URL: proxy.url,
        GRAPH_TENANT_ID: 'contoso-tenant',
        GRAPH_CLIENT_STATE: CLIENT_STATE,
        GRAPH_NOTIFICATION_URL: 'https://passkeys.contoso.com/notifications/graph',
      },
      { graph: { credential: testCredential(graph.token), ca: proxy.cert } },
    );
  });
  afterAll(async () => {
    await svc.close();
    await proxy.close();
    await graph.close();
  });

  async function records(eventType: string): Promise<AuditRecord[]> {
    const page = await svc.app.store.audit.list({ top: 500 });
    return page.items.filter((r) => r.eventType === eventType);
  }
  const sync = () => svc.app.directorySync!;

  it('answers the validationToken handshake as plain text, 200, at once', async () => {
    const started = Date.now();
    const res = await svc.call('POST', '/notifications/graph?validationToken=Validation%3A%20Testing%20client', {
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.body).toBe('Validation: Testing client');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('turns a notified UPN change into user.upnChanged, once', async () => {
    const dana = graph.addUser({ userPrincipalName: 'dana@contoso.com' });
    await sync().runDelta(); // the store learns of the tenant's users
    graph.updateUser(dana.id, { userPrincipalName: 'dana.smith@contoso.com' });
    const notification = {
      value: [
        {
          subscriptionId: 'sub',
          clientState: CLIENT_STATE,
          changeType: 'updated',
          resource: `Users/${dana.id}`,
          resourceData: { id: dana.id },
        },
      ],
    };
    expect((await svc.call('POST', '/notifications/graph', { body: notification })).status).toBe(202);
    const changed = (await records('user.upnChanged')).filter((r) => r.targetResources[0]?.id === dana.id);
    expect(changed).toHaveLength(1);
    expect(changed[0]!.before).toMatchObject({ userPrincipalName: 'dana@contoso.com' });
    expect(changed[0]!.after).toMatchObject({ userPrincipalName: 'dana.smith@contoso.com' });
    // A redelivered notification changes nothing more.
    await svc.call('POST', '/notifications/graph', { body: notification });
    expect((await records('user.upnChanged')).filter((r) => r.targetResources[0]?.id === dana.id)).toHaveLength(1);
    // The directory reads the tenant: the new UPN is found through Graph.
    expect((await svc.app.directory.getUser('dana.smith@contoso.com')).value.id).toBe(dana.id);
    // The event reaches the re-enrolment flow, as an embedded UPN change does.
    const reader = await svc.token({ permissions: ['UserAuthenticationMethod.Read.All'] });
    const flow = await eventually(
      () => svc.call('GET', `/v1.0/users/${dana.id}/authentication/reEnrolment`, { token: reader }),
      (r) => r.status === 200,
      'the re-enrolment flow of the notified UPN change',
    );
    expect(flow.body).toMatchObject({ newUserPrincipalName: 'dana.smith@contoso.com' });
  });

  it('attack: a notification with a wrong clientState is ignored, with no event', async () => {
    const eve = graph.addUser({ userPrincipalName: 'eve@contoso.com' });
    await sync().runDelta();
    graph.updateUser(eve.id, { userPrincipalName: 'eve.renamed@contoso.com' });
    const forged = {
      value: [{ subscriptionId: 'sub', clientState: 'not-the-secret-at-all', resourceData: { id: eve.id } }],
    };
    expect((await svc.call('POST', '/notifications/graph', { body: forged })).status).toBe(202);
    const missing = { value: [{ subscriptionId: 'sub', resourceData: { id: eve.id } }] };
    expect((await svc.call('POST', '/notifications/graph', { body: missing })).status).toBe(202);
    expect((await records('user.upnChanged')).filter((r) => r.targetResources[0]?.id === eve.id)).toHaveLength(0);
  });

  it('delta: the persisted token brings only what changed since, and catches missed changes', async () => {
    const frank = graph.addUser({ userPrincipalName: 'frank@contoso.com' });
    await sync().runDelta();
    const link = (await svc.app.store.directorySync.get())?.deltaLink;
    expect(link).toMatch(/\$deltatoken=/);
    expect(new URL(link!).origin).toBe(new URL(proxy.url).origin);
    graph.updateUser(frank.id, { userPrincipalName: 'frank.jones@contoso.com' });
    const before = graph.wire('/v1.0/users/delta').length;
    expect(await sync().runDelta()).toBe(1);
    expect(graph.wire('/v1.0/users/delta').slice(before)[0]!.url).toContain(new URL(link!).search.slice(1));
    expect((await records('user.upnChanged')).filter((r) => r.targetResources[0]?.id === frank.id)).toHaveLength(1);
    expect(await sync().runDelta()).toBe(0);
  });

  it('lifecycle: creates the subscription, renews it before expiry and on reauthorizationRequired, recreates it when removed', async () => {
    await sync().renewSubscription();
    const created = (await svc.app.store.directorySync.get())!;
    const sub = graph.subscriptions.get(created.subscriptionId!)!;
    expect(sub).toMatchObject({
      resource: '/users',
      changeType: 'updated',
      clientState: CLIENT_STATE,
      notificationUrl: 'https://passkeys.contoso.com/notifications/graph',
      lifecycleNotificationUrl: 'https://passkeys.contoso.com/notifications/graph',
    });
    // Far from expiry: the timer leaves it.
    const patches = () => graph.wire('/v1.0/subscriptions/').filter((r) => r.method === 'PATCH').length;
    await sync().renewSubscription();
    expect(patches()).toBe(0);

    const lifecycle = (lifecycleEvent: string, subscriptionId = sub.id) => ({
      value: [{ subscriptionId, clientState: CLIENT_STATE, lifecycleEvent }],
    });
    await svc.call('POST', '/notifications/graph', { body: lifecycle('reauthorizationRequired') });
    expect(patches()).toBe(1);

    // Close to expiry: the timer renews.
    await svc.app.store.directorySync.put({
      ...(await svc.app.store.directorySync.get()),
      subscriptionExpiresAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    await sync().renewSubscription();
    expect(patches()).toBe(2);
    expect(Date.parse((await svc.app.store.directorySync.get())!.subscriptionExpiresAt!)).toBeGreaterThan(
      Date.now() + 2 * 86_400_000,
    );

    graph.subscriptions.delete(sub.id);
    await svc.call('POST', '/notifications/graph', { body: lifecycle('subscriptionRemoved') });
    const now = (await svc.app.store.directorySync.get())!;
    expect(now.subscriptionId).not.toBe(sub.id);
    expect(graph.subscriptions.has(now.subscriptionId!)).toBe(true);
  });

  it('refuses writes Entra owns with directoryManagedByEntra (403)', async () => {
    const token = await svc.token({ permissions: ['User.ReadWrite.All'] });
    const res = await svc.call('POST', '/v1.0/users', {
      token,
      body: { userPrincipalName: 'new@contoso.com', displayName: 'New', accountEnabled: true },
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: { code: 'directoryManagedByEntra' } });
  });
});
