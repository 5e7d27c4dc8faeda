import { InvocationContext } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { eventConsumers } from '../functions/consumers';
import { matchesEventType } from '../shared/domain/events/matchesEventType';
import type { ComposedApp } from '../shared/app';
import { EventBus } from '../shared/ports/eventBus.port';
import { OutboxRelay } from '../shared/services/events/outboxRelay';
import { registerRelayHealth } from '../shared/services/events/relayHealth';
import type { LocalDurableRuntime } from './durableRuntime';
import type { Logger } from './logger';

/** SQLite polls are two prepared point reads: every 25 ms keeps a PATCH-to-webhook p99 well under 200 ms (issue 10). */
const SQLITE_POLL_MS = 25;
const COSMOS_POLL_MS = 200;

/**
 * Events on the embedded runtime: the local bus (durable, under DATA_DIR), the outbox relay that
 * publishes the audit log to it, and every consumer subscribed with the same handler Azure runs
 * on its Service Bus subscription.
 */
export class LocalEventRuntime {
  private relay?: OutboxRelay;
  /** Publishes the sign-in log (`signIn.recorded`) the same way, from its own outbox and position. */
  private signInRelay?: OutboxRelay;
  private pendingRelay?: NodeJS.Immediate;

  /** `bus`: the composition's choice (adapterSelection's createEventBus for hosting 'local'); closed on stop. */
  constructor(
    readonly bus: EventBus,
    private readonly app: ComposedApp,
    private readonly durable: LocalDurableRuntime,
    private readonly logger: Logger,
  ) {}

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
            options: {
              trigger: { type: 'serviceBusTrigger', name: 'message' },
              extraInputs: this.durable.inputsFor(!!consumer.durableClient),
              extraOutputs: [],
            },
          });
          if (consumer.durableClient) this.durable.attachClient(context);
          await consumer.handler(event, { app: this.app, context, delivery });
        },
        { maxDeliveryCount: consumer.maxDeliveryCount },
      );
    }
    // From the next turn of the event loop: whoever started the runtime subscribes what it needs
    // (tests, a probe) before the first poll publishes what start-up wrote (the demo tenant).
    this.pendingRelay = setImmediate(() => {
      this.pendingRelay = undefined;
      this.startRelay();
    });
  }

  /**
   * The outbox relay of the store: SQLite's poller, or the query over Cosmos DB's audit container
   * (the local runtime has no change-feed trigger). Cosmos DB polls less often: each poll is a query.
   */
  private startRelay(): void {
    const outbox = this.app.store.outbox;
    if (!outbox) return;
    this.relay = new OutboxRelay(
      outbox,
      this.bus,
      this.app.config.issuer,
      outbox.relayKind === 'cosmos-query' ? COSMOS_POLL_MS : SQLITE_POLL_MS,
    );
    registerRelayHealth(this.app, this.relay.health);
    this.relay.start();
    const signIns = this.app.store.signInOutbox;
    if (!signIns) return;
    this.signInRelay = new OutboxRelay(
      signIns,
      this.bus,
      this.app.config.issuer,
      signIns.relayKind === 'cosmos-query' ? COSMOS_POLL_MS : SQLITE_POLL_MS,
      'sign-in-log',
    );
    this.signInRelay.start();
  }

  /** The relay, for tests that stop and restart it (a crash between write and publish). */
  get outboxRelay(): OutboxRelay | undefined {
    this.startPendingRelay();
    return this.relay;
  }

  private startPendingRelay(): void {
    if (!this.pendingRelay) return;
    clearImmediate(this.pendingRelay);
    this.pendingRelay = undefined;
    this.startRelay();
  }

  /** Publishes everything written so far (tests use it to reach a quiet point). */
  async drain(): Promise<void> {
    this.startPendingRelay();
    await this.relay?.drain();
    await this.signInRelay?.drain();
  }

  async stop(): Promise<void> {
    if (this.pendingRelay) clearImmediate(this.pendingRelay);
    this.pendingRelay = undefined;
    await this.relay?.stop();
    await this.signInRelay?.stop();
    await this.bus.close();
  }
}
