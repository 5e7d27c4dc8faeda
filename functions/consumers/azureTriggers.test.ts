import type { App } from '../../shared/app';
import type { EventBus, EventEnvelope } from '../../shared/ports/eventBus.port';
import { relayHealthOf } from '../../shared/services/events/relayHealth';
import { outboxChangeFeedHandler } from './azureTriggers';

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
    const handler = outboxChangeFeedHandler(async () => fakeApp, async () => bus);
    await handler([auditDocument('b', '2030-01-01T00:00:02.000Z'), auditDocument('a', '2030-01-01T00:00:01.000Z'), auditDocument('a', '2030-01-01T00:00:01.000Z')]);
    expect(published).toHaveLength(1);
    expect(published[0].map((e) => [e.id, e.type, e.source])).toEqual([
      ['a', 'fido2Policy.updated', 'https://passkeys.example'],
      ['b', 'fido2Policy.updated', 'https://passkeys.example'],
    ]);
    expect(JSON.stringify(published)).not.toMatch(/_rid|_etag|sortKey/);
    expect(relayHealthOf({})?.status()).toMatchObject({ kind: 'cosmos-changefeed', running: true, consecutiveFailures: 0, lastPublishedAt: expect.any(String) });
  });

  it('fails the batch (so the lease does not move) on a document that is not an audit record, and when the bus refuses', async () => {
    const { bus, published } = fakeBus();
    const handler = outboxChangeFeedHandler(async () => fakeApp, async () => bus);
    await expect(handler([{ id: 'x', _ts: 1 }])).rejects.toThrow();
    expect(published).toEqual([]);
    const refusing: EventBus = { ...bus, publish: async () => Promise.reject(new Error('Service Bus unavailable')) };
    const failing = outboxChangeFeedHandler(async () => fakeApp, async () => refusing);
    await expect(failing([auditDocument('a', '2030-01-01T00:00:01.000Z')])).rejects.toThrow('Service Bus unavailable');
    expect(relayHealthOf({})?.status().consecutiveFailures).toBe(1);
  });
});
