import { InvocationContext } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { eventConsumers } from '../functions/consumers';
import { matchesEventType } from '../shared/domain/events/matchesEventType';
import type { App } from '../shared/app';
import { LocalEventBus } from '../shared/adapters/localbus/localEventBus';
import { EventBus } from '../shared/ports/eventBus.port';
import { OutboxRelay } from '../shared/services/events/outboxRelay';
import type { LocalDurableRuntime } from './durableRuntime';
import type { Logger } from './logger';

/**
 * The local bus's redelivery delay: `EVENT_RETRY_BASE_MS` (default 100) doubling per failed attempt,
 * at most 30 s. Tests set a small base so retries and dead-lettering take milliseconds.
 */
function retryBackoff(base: number): (attempt: number) => number {
  return (attempt) => Math.min(30_000, base * 2 ** (attempt - 1));
}

/**
 * Events on the embedded runtime: the local bus (durable, under DATA_DIR), the outbox relay that
 * publishes the audit log to it, and every consumer subscribed with the same handler Azure runs
 * on its Service Bus subscription.
 */
export class LocalEventRuntime {
  readonly bus: EventBus;
  private relay?: OutboxRelay;

  constructor(
    private readonly app: App,
    private readonly durable: LocalDurableRuntime,
    private readonly logger: Logger,
    bus?: EventBus,
  ) {
    this.bus = bus ?? LocalEventBus.open(join(app.config.dataDir, 'bus.db'), { backoffMs: retryBackoff(app.config.eventRetryBaseMs) });
  }

  async start(): Promise<void> {
    for (const consumer of eventConsumers()) {
      await this.bus.subscribe(
        consumer.subscription,
        async (event, delivery) => {
          if (!matchesEventType(consumer.eventTypes, event.type)) return;
          const context = new InvocationContext({
            invocationId: randomUUID(),
            functionName: consumer.name,
            logHandler: (level, ...args) => this.logger.log(level, `[${consumer.name}]`, ...args),
            options: { trigger: { type: 'serviceBusTrigger', name: 'message' }, extraInputs: this.durable.inputsFor(!!consumer.durableClient), extraOutputs: [] },
          });
          if (consumer.durableClient) this.durable.attachClient(context);
          await consumer.handler(event, { app: this.app, context, delivery });
        },
        { maxDeliveryCount: consumer.maxDeliveryCount },
      );
    }
    if (this.app.store.outbox) {
      this.relay = new OutboxRelay(this.app.store.outbox, this.bus, this.app.config.issuer);
      this.relay.start();
    }
  }

  /** Publishes everything written so far (tests use it to reach a quiet point). */
  async drain(): Promise<void> {
    await this.relay?.drain();
  }

  async stop(): Promise<void> {
    await this.relay?.stop();
    await this.bus.close();
  }
}
