import {
  ProcessErrorArgs,
  RetryOptions,
  ServiceBusClient,
  ServiceBusReceivedMessage,
  ServiceBusReceiver,
  ServiceBusSender,
} from '@azure/service-bus';
import type { TokenCredential } from '@azure/core-auth';
import Long from 'long';
import {
  EventBus,
  EventEnvelope,
  EventHandler,
  SubscriptionOptions,
  UnprocessableEventError,
} from '../../ports/eventBus.port';
import { toDomainEvent, toServiceBusMessage } from './eventMessage.servicebus';
import { EVENTS_TOPIC } from '../../eventTopology';

export const PASSKEY_EVENTS_TOPIC = EVENTS_TOPIC;

/** The port's default: deliveries before an event is dead-lettered. */
const DEFAULT_MAX_DELIVERY_COUNT = 5;

/**
 * How to reach the namespace: a connection string (with `UseDevelopmentEmulator=true` for a plain-TCP
 * emulator or test broker), or its host name and an Entra credential (managed identity, no key).
 */
export type ServiceBusConnection =
  { connectionString: string } | { fullyQualifiedNamespace: string; credential: TokenCredential };

export type ServiceBusEventBusOptions = ServiceBusConnection & ServiceBusEventBusSettings;

/** Everything but the connection. */
export interface ServiceBusEventBusSettings {
  /** Default `passkey-events`. Its subscriptions are provisioned by infrastructure (Bicep), not here. */
  topic?: string;
  /**
   * How long a failed delivery waits, holding its lock, before it is abandoned and redelivered; by the
   * delivery count (1 for the first). Service Bus redelivers an abandoned message at once, which would
   * spend every attempt within milliseconds. Default 500 ms doubling, at most 10 s (well inside the lock,
   * which the receiver also renews).
   */
  retryDelayMs?: (deliveryCount: number) => number;
  /** SDK retries of sends, receives and settlements. */
  retryOptions?: RetryOptions;
  /** Errors the SDK reports while receiving (it reconnects by itself) or while settling. Default: console.warn. */
  onError?: (error: Error, where: { subscription: string; source: string }) => void;
}

const defaultRetryDelayMs = (deliveryCount: number) => Math.min(500 * 2 ** (deliveryCount - 1), 10_000);

/** Kept in the dead-lettered message's application properties: how many deliveries the handler failed. */
const DELIVERY_COUNT_PROPERTY = 'passkeyDeliveryCount';

/**
 * The EventBus on Azure Service Bus: topic `passkey-events`, one subscription per consumer, peek-lock.
 * A handler that returns completes the message; one that throws has it abandoned (redelivered with the
 * delivery count up by one) after a backoff, or dead-lettered once it has failed `maxDeliveryCount` times.
 * The subscription's own MaxDeliveryCount (infrastructure) is a backstop that should be higher.
 */
export class ServiceBusEventBus implements EventBus {
  readonly kind = 'servicebus' as const;
  private readonly client: ServiceBusClient;
  private readonly topic: string;
  private sender?: ServiceBusSender;
  private readonly receivers = new Map<string, { receiver: ServiceBusReceiver; close(): Promise<void> }>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly closing = new AbortController();
  private closed = false;

  constructor(private readonly options: ServiceBusEventBusOptions) {
    const clientOptions = { retryOptions: options.retryOptions };
    this.client =
      'connectionString' in options
        ? new ServiceBusClient(options.connectionString, clientOptions)
        : new ServiceBusClient(options.fullyQualifiedNamespace, options.credential, clientOptions);
    this.topic = options.topic ?? PASSKEY_EVENTS_TOPIC;
  }

  /** Sends the events in as few batches as fit, in order. Not atomic across batches: publishers retry, consumers dedupe by id. */
  async publish(events: EventEnvelope[]): Promise<void> {
    this.assertOpen();
    if (events.length === 0) return;
    this.sender ??= this.client.createSender(this.topic);
    let batch = await this.sender.createMessageBatch();
    for (const event of events) {
      if (batch.tryAddMessage(toServiceBusMessage(event))) continue;
      if (batch.count === 0) {
        throw new Error(
          `Event ${event.id} (${event.type}) does not fit in a message: more than ${batch.maxSizeInBytes} bytes`,
        );
      }
      await this.sender.sendMessages(batch);
      batch = await this.sender.createMessageBatch();
      if (!batch.tryAddMessage(toServiceBusMessage(event))) {
        throw new Error(
          `Event ${event.id} (${event.type}) does not fit in a message: more than ${batch.maxSizeInBytes} bytes`,
        );
      }
    }
    await this.sender.sendMessages(batch);
  }

  async subscribe(subscription: string, handler: EventHandler, options: SubscriptionOptions = {}): Promise<void> {
    this.assertOpen();
    if (this.receivers.has(subscription))
      throw new Error(`Already subscribed to "${subscription}" on this bus, expected one handler per subscription`);
    const maxDeliveryCount = options.maxDeliveryCount ?? DEFAULT_MAX_DELIVERY_COUNT;
    const receiver = this.client.createReceiver(this.topic, subscription, { receiveMode: 'peekLock' });
    const handle = receiver.subscribe(
      {
        processMessage: (message) =>
          this.track(subscription, this.deliver(receiver, subscription, message, handler, maxDeliveryCount)),
        processError: async (args: ProcessErrorArgs) => this.reportError(args.error, subscription, args.errorSource),
      },
      // One at a time keeps a subscription's events in order; settling is ours, after the handler.
      { autoCompleteMessages: false, maxConcurrentCalls: 1 },
    );
    this.receivers.set(subscription, { receiver, close: () => handle.close() });
  }

  /** Peeks the subscription's dead-letter queue from its first message: nothing is locked or removed. */
  async deadLetters(
    subscription: string,
    top: number,
  ): Promise<Array<{ event: EventEnvelope; reason: string; deliveryCount: number }>> {
    this.assertOpen();
    const receiver = this.client.createReceiver(this.topic, subscription, { subQueueType: 'deadLetter' });
    try {
      const messages: ServiceBusReceivedMessage[] = [];
      let from = Long.ZERO;
      // Service Bus may answer a peek with fewer messages than asked for: ask again from where it stopped.
      while (messages.length < top) {
        const page = await receiver.peekMessages(top - messages.length, { fromSequenceNumber: from });
        if (page.length === 0) break;
        messages.push(...page);
        from = Long.fromValue(page[page.length - 1].sequenceNumber!).add(1);
      }
      return messages.flatMap((message) => {
        const parsed = toDomainEvent(message);
        if (!('event' in parsed)) return [];
        const counted = Number(message.applicationProperties?.[DELIVERY_COUNT_PROPERTY]);
        return [
          {
            event: parsed.event,
            reason: reasonOf(message),
            deliveryCount: Number.isFinite(counted) ? counted : (message.deliveryCount ?? 0),
          },
        ];
      });
    } finally {
      await receiver.close();
    }
  }

  /** Stops receiving, lets the deliveries in progress settle, then closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    const receivers = [...this.receivers.values()];
    this.receivers.clear();
    await Promise.all(receivers.map((r) => r.close()));
    await Promise.allSettled([...this.inFlight]);
    await Promise.all(receivers.map((r) => r.receiver.close()));
    await this.sender?.close();
    await this.client.close();
  }

  private async deliver(
    receiver: ServiceBusReceiver,
    subscription: string,
    message: ServiceBusReceivedMessage,
    handler: EventHandler,
    maxDeliveryCount: number,
  ): Promise<void> {
    const parsed = toDomainEvent(message);
    if (!('event' in parsed)) {
      await receiver.deadLetterMessage(message, {
        deadLetterReason: 'MalformedEvent',
        deadLetterErrorDescription: parsed.malformed,
      });
      return;
    }
    // The SDK counts earlier deliveries (AMQP's delivery-count); the port counts this one too.
    const deliveryCount = (message.deliveryCount ?? 0) + 1;
    try {
      await handler(parsed.event, { deliveryCount, subscription });
    } catch (error) {
      const description = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      // An event its consumer cannot parse fails every retry alike: dead-letter it now.
      const unprocessable = error instanceof UnprocessableEventError;
      if (deliveryCount >= maxDeliveryCount || unprocessable) {
        await receiver.deadLetterMessage(message, {
          deadLetterReason: unprocessable ? 'UnprocessableEvent' : 'MaxDeliveryCountExceeded',
          deadLetterErrorDescription: truncate(description, 1024),
          [DELIVERY_COUNT_PROPERTY]: deliveryCount,
        });
      } else {
        await delay((this.options.retryDelayMs ?? defaultRetryDelayMs)(deliveryCount), this.closing.signal);
        await receiver.abandonMessage(message);
      }
      return;
    }
    await receiver.completeMessage(message);
  }

  /** Keeps a delivery's promise until it settles (close waits for them); a settle failure goes to onError, not to the SDK. */
  private track(subscription: string, delivery: Promise<void>): Promise<void> {
    const tracked = delivery.catch((error: Error) => this.reportError(error, subscription, 'settle'));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
    return tracked;
  }

  private reportError(error: Error, subscription: string, source: string): void {
    if (this.options.onError) this.options.onError(error, { subscription, source });
    else console.warn(`[servicebus ${this.topic}/${subscription}] ${source}: ${error.message}`);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The Service Bus event bus is closed');
  }
}

function reasonOf(message: ServiceBusReceivedMessage): string {
  const reason = message.deadLetterReason ?? 'unknown';
  return message.deadLetterErrorDescription ? `${reason}: ${message.deadLetterErrorDescription}` : reason;
}

const truncate = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** Waits, or stops waiting when the bus closes (the delivery is then abandoned at once). */
const delay = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
