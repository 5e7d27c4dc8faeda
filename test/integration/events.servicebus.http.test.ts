import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../../shared/domain/events/webhookSignature';
import { PASSKEY_EVENTS_TOPIC } from '../../shared/adapters/servicebus/serviceBus.eventBus';
import { EVENT_SUBSCRIPTIONS } from '../../shared/eventTopology';
import { AmqpBroker, startAmqpBroker } from '../support/amqpBroker';
import { Roles, startTestService, TEST_STORES, TestService } from '../support/localService';

const SECRET = 'servicebus-receiver-secret-42';

/**
 * The whole service with its events on Service Bus: the real @azure/service-bus SDK over AMQP to the
 * test broker, the outbox relay publishing to the topic, the webhooks consumer on its subscription.
 */
describe.each(TEST_STORES)('events on the Service Bus adapter (test broker, %s store)', (store) => {
  let broker: AmqpBroker;
  let svc: TestService;
  let receiver: Server;
  let receiverUrl: string;
  const received: Array<{ headers: IncomingHttpHeaders; body: string; at: number }> = [];

  beforeAll(async () => {
    broker = await startAmqpBroker({ topics: { [PASSKEY_EVENTS_TOPIC]: [...EVENT_SUBSCRIPTIONS] } });
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body, at: Date.now() });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    svc = await startTestService(
      { SERVICEBUS_CONNECTION: broker.connectionString, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' },
      undefined,
      { store },
    );
  });
  afterAll(async () => {
    await svc?.close();
    await new Promise((r) => receiver.close(r));
    await broker?.close();
  });

  it('delivers a policy PATCH to a webhook receiver within a second, signed, through Service Bus', async () => {
    expect(svc.events.bus.kind).toBe('servicebus');
    const admin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
    const sub = await svc.call('POST', '/webhooks/subscriptions', {
      token: admin,
      body: { url: receiverUrl, eventTypes: ['fido2Policy.updated'], secret: SECRET },
    });
    expect(sub.status).toBe(201);
    const started = Date.now();
    const patch = await svc.call(
      'PATCH',
      '/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2',
      {
        token: admin,
        body: { '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration', state: 'enabled' },
      },
    );
    expect(patch.status).toBe(204);
    for (let i = 0; i < 300 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(received).toHaveLength(1);
    expect(received[0].at - started).toBeLessThan(1000);
    const { headers, body } = received[0];
    expect(verifyWebhookSignature({ secret: SECRET, headers, body, nowSeconds: Math.floor(Date.now() / 1000) })).toBe(
      true,
    );
    const event = JSON.parse(body);
    expect(event).toMatchObject({ type: 'fido2Policy.updated', data: { after: { state: 'enabled' } } });

    const audit = await svc.call('GET', '/v1.0/auditLogs/directoryAudits?$top=1', { token: admin });
    expect(audit.body.value[0]).toMatchObject({
      id: event.id,
      activityDisplayName: 'Update authentication methods policy',
    });
  });
});
