import { app, output } from '@azure/functions';
import { durableFunctions } from '../orchestrations/registry';
import { createEventBus } from '../shared/adapterSelection';
import { getDefaultApp, getDefaultConfig } from '../shared/app';
import { EVENTS_TOPIC } from '../shared/eventTopology';
import type { EventBus } from '../shared/ports/eventBus.port';
import { SCHEDULED_WORK } from '../shared/scheduledWork';
import { outboxChangeFeedHandler, serviceBusConsumerHandler, signInChangeFeedHandler } from './consumers/azureTriggers';
import { eventConsumers } from './consumers';
import { buildHttpRegistry, storageTriggerFunctions } from './registry';
import { storageBlobHandler, storageQueueHandler } from './storage/azureStorageTriggers';
import { durableClientInput, registerActivity, registerOrchestration } from './durable/lazyDurableFunctions';

// Azure Functions entry point (`npm run build` bundles it into the package.json "main", dist/azure/index.js;
// scripts/build.js): registers every declared function with the real programming model. The local host
// mounts the same registries instead (local/startLocal.ts). The adapters are the composition root's choice
// (shared/adapterSelection.ts) for hosting 'azure': nothing here loads the embedded store, bus or durable
// engine, and nothing the first request of a path does not need (issue 10: cold start).
for (const { definition, handler } of buildHttpRegistry(getDefaultApp)) {
  app.http(definition.name, {
    route: definition.route,
    methods: definition.methods,
    authLevel: 'anonymous', // our pipeline checks bearer tokens on every admin route
    extraInputs: definition.durableClient ? [durableClientInput()] : [],
    handler,
  });
}

const durable = durableFunctions(getDefaultApp);
// df.app.orchestration / df.app.activity, without loading durable-functions at import (lazyDurableFunctions.ts).
for (const [name, handler] of Object.entries(durable.orchestrations)) registerOrchestration(name, handler);
for (const [name, handler] of Object.entries(durable.activities)) registerActivity(name, handler);

// Event consumers: one Service Bus subscription each, the same handlers the local bus calls.
for (const consumer of eventConsumers()) {
  app.serviceBusTopic(consumer.name, {
    connection: 'SERVICEBUS_CONNECTION',
    topicName: EVENTS_TOPIC,
    subscriptionName: consumer.subscription,
    extraInputs: consumer.durableClient ? [durableClientInput()] : [],
    handler: serviceBusConsumerHandler(consumer, getDefaultApp),
  });
}

// Bulk jobs that arrive through Azure Storage: a queue message or a CSV blob starts a job (the
// durable client starts its orchestration); a refused request goes to the poison queue with its reason.
const storageTriggers = storageTriggerFunctions();
for (const fn of storageTriggers.queues) {
  const poison = output.storageQueue({ queueName: fn.poisonQueueName, connection: fn.connection });
  app.storageQueue(fn.name, {
    queueName: fn.queueName,
    connection: fn.connection,
    extraInputs: [durableClientInput()],
    extraOutputs: [poison],
    handler: storageQueueHandler(fn, getDefaultApp, poison),
  });
}
for (const fn of storageTriggers.blobs) {
  const poison = output.storageQueue({ queueName: fn.poisonQueueName, connection: fn.connection });
  app.storageBlob(fn.name, {
    path: fn.path,
    connection: fn.connection,
    // Flex Consumption runs the Event Grid blob trigger only (the container scan is not offered there).
    source: 'EventGrid',
    extraInputs: [durableClientInput()],
    extraOutputs: [poison],
    handler: storageBlobHandler(fn, getDefaultApp, poison),
  });
}

// The outbox relay: the audit container's change feed publishes every recorded change as an event.
let bus: Promise<EventBus> | undefined;
app.cosmosDB('outboxRelay', {
  connection: 'COSMOS_CONNECTION',
  databaseName: process.env.COSMOS_DATABASE || 'passkeys',
  containerName: 'audit',
  leaseContainerName: 'leases',
  createLeaseContainerIfNotExists: true,
  // Without a retry policy a failed batch is skipped (the lease moves on): retry until it is published.
  retry: { strategy: 'exponentialBackoff', maxRetryCount: -1, minimumInterval: 1000, maximumInterval: 60_000 },
  handler: outboxChangeFeedHandler(getDefaultApp, async () => (bus ??= createEventBus(getDefaultConfig(), 'azure'))),
});

// The sign-in log's change feed publishes each sign-in as a `signIn.recorded` event (own lease prefix).
app.cosmosDB('signInLogRelay', {
  connection: 'COSMOS_CONNECTION',
  databaseName: process.env.COSMOS_DATABASE || 'passkeys',
  containerName: 'signIns',
  leaseContainerName: 'leases',
  leaseContainerPrefix: 'signIns-',
  createLeaseContainerIfNotExists: true,
  retry: { strategy: 'exponentialBackoff', maxRetryCount: -1, minimumInterval: 1000, maximumInterval: 60_000 },
  handler: signInChangeFeedHandler(getDefaultApp, async () => (bus ??= createEventBus(getDefaultConfig(), 'azure'))),
});

// Housekeeping on a schedule: the same jobs the embedded runtime runs on an interval.
for (const work of SCHEDULED_WORK) {
  app.timer(work.name, {
    schedule: work.schedule,
    handler: async () => {
      await work.run(await getDefaultApp());
    },
  });
}
