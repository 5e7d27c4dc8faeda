import { ServiceBusClient } from '@azure/service-bus';
import { CLOUDEVENTS_CONTENT_TYPE } from '../../shared/adapters/servicebus/eventMessage.servicebus';
import { PASSKEY_EVENTS_TOPIC, ServiceBusEventBus } from '../../shared/adapters/servicebus/serviceBus.eventBus';
import { AmqpBroker, startAmqpBroker } from '../support/amqpBroker';
import { describeEventBusContract, domainEvent } from './eventBusContract';

/*
 * The EventBus contract over the Service Bus adapter, the real @azure/service-bus SDK talking AMQP to
 * the test broker (test/support/amqpBroker): a fresh broker per test, its subscriptions provisioned up
 * front as Bicep provisions them on Azure.
 */

const SDK_RETRIES = { maxRetries: 2, retryDelayInMs: 20, timeoutInMs: 5000 };

/** A bus on the broker whose receive and settle errors land in `errors` (a test fails on any). */
const openBus = (broker: AmqpBroker, errors: string[]) =>
  new ServiceBusEventBus({
    connectionString: broker.connectionString,
    retryDelayMs: () => 20,
    retryOptions: SDK_RETRIES,
    onError: (error, where) => errors.push(`${where.subscription} (${where.source}): ${error.message}`),
  });

describeEventBusContract(
  'servicebus (test broker)',
  async (subscriptions) => {
    const broker = await startAmqpBroker({ topics: { [PASSKEY_EVENTS_TOPIC]: subscriptions } });
    const errors: string[] = [];
    return {
      open: async () => openBus(broker, errors),
      dispose: async () => {
        await broker.close();
        expect(errors).toEqual([]);
      },
    };
  },
  { maxDeliveryCount: 3 },
);

/** What the contract cannot see: the messages on the wire. */
describe('Service Bus event bus specifics (test broker)', () => {
  let broker: AmqpBroker;
  let bus: ServiceBusEventBus;
  let client: ServiceBusClient;
  let errors: string[];

  beforeEach(async () => {
    broker = await startAmqpBroker({ topics: { [PASSKEY_EVENTS_TOPIC]: ['audit'] } });
    errors = [];
    bus = openBus(broker, errors);
    client = new ServiceBusClient(broker.connectionString, { retryOptions: SDK_RETRIES });
  });
  afterEach(async () => {
    await bus.close();
    await client.close();
    await broker.close();
    expect(errors).toEqual([]);
  });

  it('publishes each event as a CloudEvents message: id as message id, type as subject', async () => {
    const event = domainEvent(1, 'fido2Method.registered');
    await bus.publish([event]);

    const receiver = client.createReceiver(PASSKEY_EVENTS_TOPIC, 'audit');
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect(message).toMatchObject({
      messageId: event.id,
      contentType: CLOUDEVENTS_CONTENT_TYPE,
      subject: event.type,
      body: event,
    });
    await receiver.completeMessage(message);
  });

  it('dead-letters a message that is not a CloudEvent at once, without calling the handler', async () => {
    const sender = client.createSender(PASSKEY_EVENTS_TOPIC);
    await sender.sendMessages({ messageId: 'not-an-event', body: { hello: 'world' } });
    const handler = jest.fn(async () => undefined);
    await bus.subscribe('audit', handler);

    const dlq = client.createReceiver(PASSKEY_EVENTS_TOPIC, 'audit', { subQueueType: 'deadLetter' });
    const [deadLetter] = await dlq.receiveMessages(1, { maxWaitTimeInMs: 3000 });
    expect(deadLetter).toMatchObject({ messageId: 'not-an-event', deadLetterReason: 'MalformedEvent' });
    expect(deadLetter.deadLetterErrorDescription).toContain('not a CloudEvent');
    expect(handler).not.toHaveBeenCalled();
  });

  it('sends a publish larger than one batch in several, in order', async () => {
    const big = (n: number) => ({ ...domainEvent(n), data: { padding: 'x'.repeat(100 * 1024) } });
    const events = [big(1), big(2), big(3)]; // ~300 KiB: more than the broker's 256 KiB message size
    await bus.publish(events);

    const receiver = client.createReceiver(PASSKEY_EVENTS_TOPIC, 'audit');
    const messages = await receiver.receiveMessages(3, { maxWaitTimeInMs: 2000 });
    expect(messages.map((m) => m.messageId)).toEqual(events.map((e) => e.id));
  });
});
