import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventConsumers } from '../../functions/consumers';
import { buildHttpRegistry } from '../../functions/registry';
import { TASK_HUB } from '../../local/durableRuntime';
import { durableFunctions } from '../../orchestrations/registry';
import { EVENTS_TOPIC } from '../../shared/eventTopology';
import { SCHEDULED_WORK } from '../../shared/scheduledWork';
import { MAX_DEQUEUE_COUNT } from '../../functions/provisioningRequests.functions';
import { RETRY_VISIBILITY_SECONDS } from '../../local/storageTriggers/queuePoller';

/** What functions/index.ts registers, by trigger kind: `[name, options]`. */
const mockRegistered: Record<string, Array<[string, Record<string, unknown>]>> = {};
const registered = mockRegistered;
// Called only when functions/index.ts registers (the mock factories run before this line).
const mockRecord =
  (kind: string) =>
  (name: string, options: Record<string, unknown> = {}) =>
    void (mockRegistered[kind] ??= []).push([name, options]);

/** The kind a durable function is registered as, from its `app.generic` trigger (what df.app.* registers). */
const mockDurableKinds: Record<string, string> = { orchestrationTrigger: 'orchestration', activityTrigger: 'activity' };
jest.mock('@azure/functions', () => ({
  ...jest.requireActual('@azure/functions'),
  app: {
    ...Object.fromEntries(
      ['http', 'serviceBusTopic', 'cosmosDB', 'timer', 'storageQueue', 'storageBlob'].map((kind) => [
        kind,
        (name: string, options: Record<string, unknown>) => mockRecord(kind)(name, options),
      ]),
    ),
    // Orchestrations and activities (df.app.orchestration/activity, or functions/durable/lazyDurableFunctions).
    generic: (name: string, options: { trigger: { type: string } }) =>
      mockRecord(mockDurableKinds[options.trigger.type] ?? `generic:${options.trigger.type}`)(name, options),
  },
}));

describe('the Azure entry (functions/index.ts) registers every declared function once', () => {
  const names = (kind: string) => (registered[kind] ?? []).map(([name]) => name).sort();
  beforeAll(() => {
    // Registering builds nothing: the app is built on the first invocation.
    jest.isolateModules(() => require('../../functions/index'));
  });

  it('every HTTP function of the registry, with its route and methods', () => {
    const registry = buildHttpRegistry(() => Promise.reject(new Error('not built')));
    expect(registered.http).toHaveLength(registry.length);
    for (const { definition } of registry) {
      expect(registered.http).toContainEqual([
        definition.name,
        expect.objectContaining({ route: definition.route, methods: definition.methods, authLevel: 'anonymous' }),
      ]);
    }
  });

  it('every orchestration and activity of the durable registry', () => {
    const durable = durableFunctions(() => Promise.reject(new Error('not built')));
    expect(names('orchestration')).toEqual(Object.keys(durable.orchestrations).sort());
    expect(names('activity')).toEqual(Object.keys(durable.activities).sort());
  });

  it('every consumer on its own subscription of the topic', () => {
    expect(registered.serviceBusTopic.map(([name, o]) => [name, o.topicName, o.subscriptionName])).toEqual(
      eventConsumers().map((c) => [c.name, EVENTS_TOPIC, c.subscription]),
    );
  });

  it('the change-feed outbox relays on the audit and sign-in log containers, retried until they publish', () => {
    expect(registered.cosmosDB).toEqual([
      [
        'outboxRelay',
        expect.objectContaining({
          containerName: 'audit',
          leaseContainerName: 'leases',
          retry: expect.objectContaining({ maxRetryCount: -1 }),
        }),
      ],
      [
        'signInLogRelay',
        expect.objectContaining({
          containerName: 'signIns',
          leaseContainerName: 'leases',
          // Its own lease documents in the shared lease container.
          leaseContainerPrefix: 'signIns-',
          retry: expect.objectContaining({ maxRetryCount: -1 }),
        }),
      ],
    ]);
  });

  it('the provisioning-requests queue and blob triggers, with the durable client and the poison queue as output', () => {
    const poison = expect.objectContaining({
      type: 'queue',
      queueName: 'provisioning-requests-poison',
      connection: 'AzureWebJobsStorage',
    });
    const durableClient = expect.objectContaining({ type: 'durableClient' });
    expect(registered.storageQueue).toEqual([
      [
        'provisioningRequestsQueue',
        expect.objectContaining({
          queueName: 'provisioning-requests',
          connection: 'AzureWebJobsStorage',
          extraInputs: [durableClient],
          extraOutputs: [poison],
        }),
      ],
    ]);
    expect(registered.storageBlob).toEqual([
      [
        'provisioningRequestsBlob',
        expect.objectContaining({
          path: 'provisioning-requests/{name}',
          connection: 'AzureWebJobsStorage',
          source: 'EventGrid',
          extraInputs: [durableClient],
          extraOutputs: [poison],
        }),
      ],
    ]);
  });

  it('the scheduled work as timer triggers', () => {
    expect(registered.timer.map(([name, o]) => [name, o.schedule])).toEqual(
      SCHEDULED_WORK.map((w) => [w.name, w.schedule]),
    );
  });
});

describe('infra/main.bicep and host.json provide what the Azure entry binds to', () => {
  const bicep = readFileSync(join(__dirname, '..', '..', 'infra', 'main.bicep'), 'utf8');
  const appSettings = [...bicep.matchAll(/\{ name: '([A-Za-z0-9_]+)', value: /g)].map((m) => m[1]);
  const containers = [...bicep.matchAll(/\{ name: '([A-Za-z]+)', pk: '/g)].map((m) => m[1]);
  beforeAll(() => {
    if (!registered.http) jest.isolateModules(() => require('../../functions/index'));
  });

  it('every connection setting a trigger names is an app setting of the Function App', () => {
    const connections = [
      ...new Set(
        Object.values(registered).flatMap((list) =>
          list.map(([, o]) => o.connection).filter((c): c is string => typeof c === 'string'),
        ),
      ),
    ];
    expect(connections.sort()).toEqual(['AzureWebJobsStorage', 'COSMOS_CONNECTION', 'SERVICEBUS_CONNECTION']);
    // A connection string (NAME) or an identity-based connection (NAME__fullyQualifiedNamespace, NAME__accountEndpoint).
    for (const connection of connections)
      expect(appSettings.filter((s) => s === connection || s.startsWith(`${connection}__`))).not.toEqual([]);
  });

  it("the change feed's container and lease container are provisioned", () => {
    const [[, relay]] = registered.cosmosDB;
    expect(containers).toEqual(expect.arrayContaining([relay.containerName, relay.leaseContainerName]));
  });

  it("host.json's queue settings are the ones the handler and the local queue poller count with", () => {
    const host = JSON.parse(readFileSync(join(__dirname, '..', '..', 'host.json'), 'utf8')) as {
      extensions: { queues: { maxDequeueCount: number; visibilityTimeout: string; messageEncoding: string } };
    };
    expect(host.extensions.queues.maxDequeueCount).toBe(MAX_DEQUEUE_COUNT);
    expect(host.extensions.queues.visibilityTimeout).toBe(`00:00:${String(RETRY_VISIBILITY_SECONDS).padStart(2, '0')}`);
    // The handler decodes base64 itself, so plain JSON messages are accepted on Azure too.
    expect(host.extensions.queues.messageEncoding).toBe('none');
  });

  it("host.json's durable task hub is the one the embedded engine's links name", () => {
    const host = JSON.parse(readFileSync(join(__dirname, '..', '..', 'host.json'), 'utf8')) as {
      extensions: { durableTask: { hubName: string } };
    };
    expect(host.extensions.durableTask.hubName).toBe(TASK_HUB);
  });
});
