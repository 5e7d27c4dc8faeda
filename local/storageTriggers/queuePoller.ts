import { QueueClient, QueueServiceClient, type DequeuedMessageItem } from '@azure/storage-queue';
import type { StorageQueueFunction } from '../../functions/provisioningRequests.functions';
import type { App } from '../../shared/app';
import type { LocalDurableRuntime } from '../durableRuntime';
import type { Logger } from '../logger';
import { PollLoop, type PollPacing } from './pollLoop';
import { storageTriggerContext } from './triggerContext';

/** Messages taken per receive (the host's default `batchSize`), handled one after another. */
const BATCH_SIZE = 16;
/** How long a received message stays invisible to other receivers while it is handled. */
const LEASE_SECONDS = 5 * 60;
/** A failed delivery is visible again after this (host.json `extensions.queues.visibilityTimeout`). */
export const RETRY_VISIBILITY_SECONDS = 5;

/**
 * The queue trigger of the embedded runtime, as the Functions host runs it: receive a batch with a
 * lease, hand each message to the declared handler, delete it on success; a refused request goes to
 * the poison queue with its reason; a failed delivery becomes visible again after a short delay; a
 * message delivered more than maxDequeueCount times without finishing (the process died while on it)
 * is moved to the poison queue unchanged, as the host does.
 */
export class StorageQueuePoller {
  private readonly queue: QueueClient;
  private readonly poison: QueueClient;
  private readonly loop: PollLoop;
  private created = false;

  constructor(
    private readonly fn: StorageQueueFunction,
    connectionString: string,
    private readonly app: App,
    private readonly durable: Pick<LocalDurableRuntime, 'inputsFor' | 'attachClient'>,
    private readonly logger: Logger,
    pacing: PollPacing,
    private readonly retryVisibilitySeconds = RETRY_VISIBILITY_SECONDS,
  ) {
    const service = QueueServiceClient.fromConnectionString(connectionString);
    this.queue = service.getQueueClient(fn.queueName);
    this.poison = service.getQueueClient(fn.poisonQueueName);
    this.loop = new PollLoop(fn.name, () => this.pollOnce(), pacing, logger);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One receive and the work it brought; answers how many messages it handled. */
  async pollOnce(): Promise<number> {
    if (!this.created) {
      // As the Functions host does, the trigger creates the queue it reads and its poison queue.
      await this.queue.createIfNotExists();
      await this.poison.createIfNotExists();
      this.created = true;
    }
    const received = await this.queue.receiveMessages({
      numberOfMessages: BATCH_SIZE,
      visibilityTimeout: LEASE_SECONDS,
    });
    for (const message of received.receivedMessageItems) await this.handle(message);
    return received.receivedMessageItems.length;
  }

  private async handle(message: DequeuedMessageItem): Promise<void> {
    const { messageId, popReceipt, dequeueCount, messageText } = message;
    if (dequeueCount > this.fn.maxDequeueCount) {
      await this.poison.sendMessage(messageText);
      await this.queue.deleteMessage(messageId, popReceipt);
      this.logger.log(
        'warning',
        `[${this.fn.name}] message ${messageId} was delivered ${dequeueCount} times without completing; moved to ${this.fn.poisonQueueName} unchanged`,
      );
      return;
    }
    const context = storageTriggerContext(
      this.fn.name,
      { type: 'queueTrigger', name: 'message', queueName: this.fn.queueName, connection: this.fn.connection },
      { id: messageId, dequeueCount, insertedOn: message.insertedOn.toISOString() },
      this.durable,
      this.logger,
    );
    try {
      const result = await this.fn.handler(messageText, { app: this.app, context, attempt: dequeueCount, messageId });
      // Poison first, then delete: a crash between the two delivers the message again (at least once).
      if (result.outcome === 'refused') await this.poison.sendMessage(JSON.stringify(result.poison));
      await this.queue.deleteMessage(messageId, popReceipt);
    } catch (e) {
      this.logger.error(`[${this.fn.name}] message ${messageId} failed (delivery ${dequeueCount}); retried:`, e);
      await this.queue
        .updateMessage(messageId, popReceipt, messageText, this.retryVisibilitySeconds)
        .catch(() => undefined);
    }
  }
}
