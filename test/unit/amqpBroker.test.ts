/**
 * Proves the AMQP test broker (test/support/amqpBroker) against the REAL @azure/service-bus SDK: what
 * the Service Bus adapter's tests rely on it for.
 */
import { ServiceBusClient, ServiceBusReceivedMessage } from '@azure/service-bus';
import { AmqpBroker, AmqpBrokerOptions, startAmqpBroker } from '../support/amqpBroker';

const TOPIC = 'passkey-events';
const AUDIT = `${TOPIC}/Subscriptions/audit`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let broker: AmqpBroker;
let client: ServiceBusClient;

async function start(options: Partial<AmqpBrokerOptions> = {}) {
  broker = await startAmqpBroker({ topics: { [TOPIC]: ['audit', 'webhooks'] }, ...options });
  client = new ServiceBusClient(broker.connectionString, {
    retryOptions: { maxRetries: 1, retryDelayInMs: 20, timeoutInMs: 5000 },
  });
}

afterEach(async () => {
  await client?.close();
  await broker?.close();
});

const send = (...bodies: unknown[]) => client.createSender(TOPIC).sendMessages(bodies.map((body) => ({ body })));
const receiveFrom = (subscription: string, options: Parameters<ServiceBusClient['createReceiver']>[2] = {}) =>
  client.createReceiver(TOPIC, subscription, { maxAutoLockRenewalDurationInMs: 0, ...options });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('takes a single message, an array and a batch, and gives every subscription a numbered, locked copy', async () => {
  await start();
  const sender = client.createSender(TOPIC);
  const before = Date.now();
  await sender.sendMessages({
    body: { n: 1 },
    messageId: 'event-1',
    subject: 'fido2Policy.updated',
    contentType: 'application/cloudevents+json',
    applicationProperties: { tenant: 'contoso' },
  });
  await sender.sendMessages([{ body: { n: 2 } }, { body: { n: 3 } }]);
  const batch = await sender.createMessageBatch();
  expect(batch.maxSizeInBytes).toBe(256 * 1024); // the broker's advertised max_message_size
  expect(batch.tryAddMessage({ body: { n: 4 } }) && batch.tryAddMessage({ body: { n: 5 } })).toBe(true);
  await sender.sendMessages(batch);

  const copies: ServiceBusReceivedMessage[][] = [];
  for (const subscription of ['audit', 'webhooks']) {
    const received = await receiveFrom(subscription).receiveMessages(5, { maxWaitTimeInMs: 2000 });
    expect(received.map((m) => m.body)).toEqual([1, 2, 3, 4, 5].map((n) => ({ n })));
    copies.push(received);
  }
  const [audit, webhooks] = copies;
  expect(audit[0]).toMatchObject({
    messageId: 'event-1',
    subject: 'fido2Policy.updated',
    contentType: 'application/cloudevents+json',
    applicationProperties: { tenant: 'contoso' },
    deliveryCount: 0,
  });
  const ids = audit.map((m) => m.messageId);
  expect(new Set(ids).size).toBe(5); // the broker gave the others ids
  expect(webhooks.map((m) => m.messageId)).toEqual(ids);
  const sequenceNumbers = audit.map((m) => m.sequenceNumber!.toNumber());
  expect(sequenceNumbers).toEqual([...sequenceNumbers].sort((a, b) => a - b));
  expect(webhooks.map((m) => m.sequenceNumber!.toNumber())).toEqual(sequenceNumbers);
  for (const message of [...audit, ...webhooks]) {
    expect(message.lockToken).toMatch(UUID);
    expect(message.enqueuedTimeUtc!.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(message.lockedUntilUtc!.getTime()).toBeGreaterThan(Date.now());
  }
  expect(new Set([...audit, ...webhooks].map((m) => m.lockToken)).size).toBe(10);
});

it('removes a completed message', async () => {
  await start();
  await send('done');
  const receiver = receiveFrom('audit');
  const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
  await receiver.completeMessage(message);

  expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 200 })).toEqual([]);
  expect(broker.messageCount(AUDIT)).toBe(0);
  expect(broker.messageCount(`${TOPIC}/Subscriptions/webhooks`)).toBe(1); // the other copy is untouched
});

it('redelivers an abandoned message with delivery count 1', async () => {
  await start();
  await send('again');
  const receiver = receiveFrom('audit');
  const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
  await receiver.abandonMessage(first);

  const [second] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
  expect(second).toMatchObject({ body: 'again', messageId: first.messageId, deliveryCount: 1 });
  expect(second.sequenceNumber!.equals(first.sequenceNumber!)).toBe(true);
  expect(second.lockToken).not.toBe(first.lockToken);
});

it('moves a dead-lettered message to the dead-letter queue with its reason', async () => {
  await start();
  await send('poison');
  const receiver = receiveFrom('audit');
  const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
  await receiver.deadLetterMessage(message, {
    deadLetterReason: 'HandlerFailed',
    deadLetterErrorDescription: 'Error: boom',
    attempt: 1,
  });
  expect(broker.messageCount(AUDIT)).toBe(0);
  expect(broker.messageCount(`${AUDIT}/$deadletterqueue`)).toBe(1);

  const dlq = receiveFrom('audit', { subQueueType: 'deadLetter' });
  const [peeked] = await dlq.peekMessages(10);
  expect(peeked).toMatchObject({
    body: 'poison',
    deadLetterReason: 'HandlerFailed',
    deadLetterErrorDescription: 'Error: boom',
    deliveryCount: 1,
  });
  const [deadLetter] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 2000 });
  expect(deadLetter).toMatchObject({
    body: 'poison',
    messageId: message.messageId,
    deadLetterReason: 'HandlerFailed',
    deadLetterErrorDescription: 'Error: boom',
    deadLetterSource: AUDIT,
    applicationProperties: expect.objectContaining({ attempt: 1 }), // the dead-letter call's properties to modify
  });
  await dlq.completeMessage(deadLetter);
  expect(broker.messageCount(`${AUDIT}/$deadletterqueue`)).toBe(0);
});

it('dead-letters a message delivered the max delivery count times, with reason MaxDeliveryCountExceeded', async () => {
  await start({ maxDeliveryCount: 2 });
  await send('flaky');
  const receiver = receiveFrom('audit');
  for (let i = 0; i < 2; i++) {
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.abandonMessage(message);
  }

  expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 200 })).toEqual([]);
  const [deadLetter] = await receiveFrom('audit', { subQueueType: 'deadLetter' }).peekMessages(1);
  expect(deadLetter).toMatchObject({ body: 'flaky', deadLetterReason: 'MaxDeliveryCountExceeded', deliveryCount: 2 });
});

it('renews a lock, and redelivers a message whose lock expired', async () => {
  await start({ lockDurationMs: 300 });
  await send('slow');
  const receiver = receiveFrom('audit');
  const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
  const lockedUntil = message.lockedUntilUtc!.getTime();
  await sleep(100);
  const renewed = await receiver.renewMessageLock(message);
  expect(renewed.getTime()).toBeGreaterThanOrEqual(lockedUntil + 90);
  expect(message.lockedUntilUtc).toEqual(renewed);

  await sleep(450);
  await expect(receiver.completeMessage(message)).rejects.toMatchObject({ code: 'MessageLockLost' });
  const [again] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
  expect(again).toMatchObject({ body: 'slow', deliveryCount: 1 });
});

it('streams messages to subscribe() in order until the subscription is closed', async () => {
  await start();
  const receiver = receiveFrom('audit');
  const bodies: unknown[] = [];
  const errors: Error[] = [];
  const subscription = receiver.subscribe(
    {
      processMessage: async (message) => {
        bodies.push(message.body);
        await receiver.completeMessage(message);
      },
      processError: async ({ error }) => {
        errors.push(error);
      },
    },
    { autoCompleteMessages: false },
  );
  await send(1, 2, 3);
  for (const deadline = Date.now() + 3000; bodies.length < 3 && Date.now() < deadline;) await sleep(10);
  expect(bodies).toEqual([1, 2, 3]);

  await subscription.close();
  await send(4);
  await sleep(200);
  expect(bodies).toEqual([1, 2, 3]);
  expect(broker.messageCount(AUDIT)).toBe(1);
  expect(errors).toEqual([]);
});

it('peeks without locking, and deletes on delivery in receiveAndDelete mode', async () => {
  await start();
  await send('a', 'b');
  const peeked = await receiveFrom('audit').peekMessages(10);
  expect(peeked.map((m) => [m.body, m.deliveryCount])).toEqual([
    ['a', 0],
    ['b', 0],
  ]);

  const received = await receiveFrom('audit', { receiveMode: 'receiveAndDelete' }).receiveMessages(2, {
    maxWaitTimeInMs: 2000,
  });
  expect(received.map((m) => m.body)).toEqual(['a', 'b']);
  expect(broker.messageCount(AUDIT)).toBe(0);
});

it('refuses a topic it does not have', async () => {
  await start();
  await expect(client.createSender('no-such-topic').sendMessages({ body: 'x' })).rejects.toMatchObject({
    code: 'MessagingEntityNotFound',
  });
});
