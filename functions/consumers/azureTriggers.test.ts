import type { App } from '../../shared/app';
import { InvocationContext } from '@azure/functions';
import { EventBus, EventEnvelope, UnprocessableEventError } from '../../shared/ports/eventBus.port';
import { relayHealthOf } from '../../shared/services/events/relayHealth';
import { outboxChangeFeedHandler, serviceBusConsumerHandler } from './azureTriggers';
import { EventConsumer } from './consumer';

const auditDocument = (id: string, at: string) => ({
  id,
  activityDateTime: at,
  category: 'Policy',
  activityDisplayName: 'Update authentication methods policy',
  operationType: 'Update',
  loggedByService: 'Authentication Methods',
  initiatedBy: { user: { id: 'u1', userPrincipalName: 'admin@contoso.com' }, app: null },
  targetResources: [{ id: 'fido2', displayName: null, type: 'Policy', modifiedProperties: [] }],
  result: 'success',
  resultReason: '',
  before: { state: 'disabled' },
  after: { state: 'enabled' },
  // What Cosmos DB and the adapter add to every audit document.
  sortKey: `${at}|${id}`,
  _rid: 'rid',
  _etag: '"etag"',
  _ts: 1,
});

/** Only `config.issuer` of the app is read by the relay core. */
const fakeApp = { config: { issuer: 'https://passkeys.example' } } as App;

function fakeBus() {
  const published: EventEnvelope[][] = [];
  const bus: EventBus = {
    kind: 'servicebus',
    publish: async (events) => void published.push(events),
    subscribe: async () => {},
    deadLetters: async () => [],
    close: async () => {},
  };
  return { bus, published };
}

describe('the change-feed trigger hands its batches to the relay core', () => {
  it('publishes a batch in write order (the feed orders per partition only), without Cosmos DB properties', async () => {
    const { bus, published } = fakeBus();
    const handler = outboxChangeFeedHandler(
      async () => fakeApp,
      async () => bus,
    );
    await handler([
      auditDocument('b', '2030-01-01T00:00:02.000Z'),
      auditDocument('a', '2030-01-01T00:00:01.000Z'),
      auditDocument('a', '2030-01-01T00:00:01.000Z'),
    ]);
    expect(published).toHaveLength(1);
    expect(published[0].map((e) => [e.id, e.type, e.source])).toEqual([
      ['a', 'fido2Policy.updated', 'https://passkeys.example'],
      ['b', 'fido2Policy.updated', 'https://passkeys.example'],
    ]);
    expect(JSON.stringify(published)).not.toMatch(/_rid|_etag|sortKey/);
    expect(relayHealthOf({})?.status()).toMatchObject({
      kind: 'cosmos-changefeed',
      running: true,
      consecutiveFailures: 0,
      lastPublishedAt: expect.any(String),
    });
  });

  it('fails the batch (so the lease does not move) on a document that is not an audit record, and when the bus refuses', async () => {
    const { bus, published } = fakeBus();
    const handler = outboxChangeFeedHandler(
      async () => fakeApp,
      async () => bus,
    );
    await expect(handler([{ id: 'x', _ts: 1 }])).rejects.toThrow();
    expect(published).toEqual([]);
    const refusing: EventBus = { ...bus, publish: async () => Promise.reject(new Error('Service Bus unavailable')) };
    const failing = outboxChangeFeedHandler(
      async () => fakeApp,
      async () => refusing,
    );
    await expect(failing([auditDocument('a', '2030-01-01T00:00:01.000Z')])).rejects.toThrow('Service Bus unavailable');
    expect(relayHealthOf({})?.status().consecutiveFailures).toBe(1);
  });
});

describe('the change-feed trigger reads every audit record the services write', () => {
  it('bug: publishes a role assignment record (category RoleManagement) instead of failing the batch, and so the relay, for good', async () => {
    const { bus, published } = fakeBus();
    const handler = outboxChangeFeedHandler(
      async () => fakeApp,
      async () => bus,
    );
    const target = { id: 'u-1', displayName: 'bob@contoso.com', type: 'User', modifiedProperties: [] };
    const roleRecord = {
      ...auditDocument('r', '2030-01-01T00:00:03.000Z'),
      category: 'RoleManagement',
      activityDisplayName: 'Add member to role',
      targetResources: [target],
    };
    await handler([roleRecord]);
    expect(published.flat().map((e) => [e.id, e.type])).toEqual([['r', 'audit.RoleManagement']]);
  });

  it('keeps the declared event type (not the display text) and the provisioning job of the actor', async () => {
    const { bus, published } = fakeBus();
    const handler = outboxChangeFeedHandler(
      async () => fakeApp,
      async () => bus,
    );
    const provisioningJob = {
      id: 'job-1',
      createdBy: { id: 'u1', userPrincipalName: 'admin@contoso.com', appId: null },
    };
    const document = {
      ...auditDocument('d', '2030-01-01T00:00:04.000Z'),
      activityDisplayName: 'Reworded',
      eventType: 'user.created',
      initiatedBy: { user: null, app: { appId: 'station' }, provisioningJob },
    };
    await handler([document]);
    expect(published.flat().map((e) => [e.id, e.type, (e.data as { initiatedBy: unknown }).initiatedBy])).toEqual([
      ['d', 'user.created', { user: null, app: { appId: 'station' }, provisioningJob }],
    ]);
  });
});

describe('the Service Bus trigger parses the message body', () => {
  const received: EventEnvelope[] = [];
  const consumer: EventConsumer = {
    name: 'probe',
    subscription: 'probe',
    eventTypes: ['*'],
    handler: async (event) => void received.push(event),
  };
  const context = () => new InvocationContext({ functionName: 'probe', logHandler: () => undefined });
  const event: EventEnvelope = {
    specversion: '1.0',
    id: 'e1',
    type: 'user.created',
    source: 's',
    subject: 'users/u',
    time: '2030-01-01T00:00:00.000Z',
    datacontenttype: 'application/json',
    data: {},
  };

  it('hands the consumer the envelope, from an object or from JSON text', async () => {
    const handler = serviceBusConsumerHandler(consumer, async () => fakeApp);
    await handler(event, context());
    await handler(JSON.stringify(event), context());
    expect(received).toEqual([event, event]);
  });

  it.each([
    ['text that is not JSON', 'not json'],
    ['an object that is not a CloudEvent', { id: 'e2' }],
    ['null', null],
  ])('refuses %s (UnprocessableEventError), without calling the consumer', async (_what, body) => {
    received.length = 0;
    const handler = serviceBusConsumerHandler(consumer, async () => fakeApp);
    await expect(handler(body, context())).rejects.toThrow(UnprocessableEventError);
    expect(received).toEqual([]);
  });
});
