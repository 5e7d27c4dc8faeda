import { ServiceBusClient } from '@azure/service-bus';
import { startAmqpBroker } from '../support/amqpBroker';

it('smoke', async () => {
  const broker = await startAmqpBroker({ topics: { t: ['a', 'b'] } });
  const client = new ServiceBusClient(broker.connectionString, { retryOptions: { maxRetries: 0, timeoutInMs: 3000 } });
  const sender = client.createSender('t');
  await sender.sendMessages({ body: { hello: 1 }, messageId: 'm1' });
  await sender.sendMessages([{ body: 'x' }, { body: 'y' }]);
  const receiver = client.createReceiver('t', 'a');
  const msgs = await receiver.receiveMessages(3, { maxWaitTimeInMs: 1000 });
  console.log(msgs.map((m) => [m.body, m.messageId, m.deliveryCount, m.sequenceNumber?.toString(), m.lockToken, m.lockedUntilUtc, m.enqueuedTimeUtc]));
  await receiver.completeMessage(msgs[0]);
  await receiver.abandonMessage(msgs[1]);
  await receiver.deadLetterMessage(msgs[2], { deadLetterReason: 'r', deadLetterErrorDescription: 'd' });
  console.log(await receiver.renewMessageLock(msgs[1]).catch((e) => e.code));
  const again = await receiver.receiveMessages(3, { maxWaitTimeInMs: 500 });
  console.log(again.map((m) => [m.body, m.deliveryCount]));
  console.log(await receiver.renewMessageLock(again[0]));
  const dlq = client.createReceiver('t', 'a', { subQueueType: 'deadLetter' });
  console.log((await dlq.peekMessages(5)).map((m) => [m.body, m.deadLetterReason, m.deadLetterErrorDescription, m.deliveryCount]));
  await client.close();
  await broker.close();
});
