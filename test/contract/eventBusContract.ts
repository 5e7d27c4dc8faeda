import { randomUUID } from 'node:crypto';
import {
  DeliveryContext,
  EventBus,
  EventEnvelope,
  EventHandler,
  UnprocessableEventError,
} from '../../shared/ports/eventBus.port';

/** What an adapter's test gives the suite for one test: a fresh, empty backend (a broker namespace, a store). */
export interface EventBusBackend {
  /**
   * Opens a bus over this backend. The suite may open several in one test: they share the backend the
   * way two processes share a namespace or a database (one publishes while another has closed).
   */
  open(): Promise<EventBus>;
  /** Releases the backend; the suite has closed its buses by then. */
  dispose(): Promise<void>;
}

export interface EventBusContractOptions {
  /** Passed to every subscribe (default 3): small, so dead-lettering takes few deliveries. */
  maxDeliveryCount?: number;
  /** How long a delivery the suite waits for may take, retry backoff included (default 5000 ms). */
  deliveryTimeoutMs?: number;
  /** How long the suite watches for a delivery that must not come (default 300 ms). */
  quietMs?: number;
}

/** The subscriptions the suite uses; an adapter whose subscriptions are provisioned (Service Bus) provisions these. */
export const EVENT_BUS_CONTRACT_SUBSCRIPTIONS = ['contract-audit', 'contract-webhooks'] as const;
const [AUDIT, WEBHOOKS] = EVENT_BUS_CONTRACT_SUBSCRIPTIONS;

/**
 * The one contract every EventBus adapter must meet (local bus, Service Bus), as the store contract is
 * for stores (STYLE.md §8). At least once, per subscription: every event published reaches every
 * subscription, unchanged, in publish order; a handler that throws sees the event again with the
 * delivery count up by one, and after `maxDeliveryCount` failures the event is dead-lettered with the
 * handler's error in its reason.
 *
 * @param createBackend a fresh backend in which `subscriptions` exist (before anything is published)
 */
export function describeEventBusContract(
  name: string,
  createBackend: (subscriptions: readonly string[]) => Promise<EventBusBackend>,
  options: EventBusContractOptions = {},
): void {
  const maxDeliveryCount = options.maxDeliveryCount ?? 3;
  const timeoutMs = options.deliveryTimeoutMs ?? 5000;
  const quietMs = options.quietMs ?? 300;

  describe(`EventBus contract: ${name}`, () => {
    let backend: EventBusBackend;
    let open: Set<EventBus>;

    /** Opens a bus the suite closes after the test, unless the test closes it first. */
    const openBus = async () => {
      const bus = await backend.open();
      open.add(bus);
      return bus;
    };
    const closeBus = async (bus: EventBus) => {
      open.delete(bus);
      await bus.close();
    };
    const subscribe = (bus: EventBus, subscription: string, handler: EventHandler) =>
      bus.subscribe(subscription, handler, { maxDeliveryCount });
    const waitFor = (what: string, done: () => boolean | Promise<boolean>) => poll(what, done, timeoutMs);

    beforeEach(async () => {
      backend = await createBackend(EVENT_BUS_CONTRACT_SUBSCRIPTIONS);
      open = new Set();
    });

    afterEach(async () => {
      await Promise.all([...open].map((bus) => bus.close()));
      await backend?.dispose();
    });

    it('delivers every event published before subscribe once, unchanged, with delivery count 1', async () => {
      const bus = await openBus();
      const events = [domainEvent(1), domainEvent(2, 'fido2Method.registered'), domainEvent(3, 'user.upnChanged')];
      await bus.publish(events);
      const log = recorder();
      await subscribe(bus, AUDIT, log.handler);

      await waitFor('3 deliveries', () => log.deliveries.length >= 3);
      await sleep(quietMs);
      expect(log.deliveries.map((d) => d.event)).toEqual(events);
      expect(log.deliveries.map((d) => d.context)).toEqual(
        events.map(() => ({ deliveryCount: 1, subscription: AUDIT })),
      );
    });

    it('delivers events published after subscribe', async () => {
      const bus = await openBus();
      const log = recorder();
      await subscribe(bus, AUDIT, log.handler);
      const event = domainEvent(1);
      await bus.publish([event]);

      await waitFor('the delivery', () => log.deliveries.length >= 1);
      await sleep(quietMs);
      expect(log.deliveries.map((d) => d.event)).toEqual([event]);
    });

    it('accepts an empty publish', async () => {
      const bus = await openBus();
      await expect(bus.publish([])).resolves.toBeUndefined();
    });

    it('gives every subscription its own copy of every event', async () => {
      const bus = await openBus();
      const audit = recorder();
      const webhooks = recorder();
      await subscribe(bus, AUDIT, audit.handler);
      await subscribe(bus, WEBHOOKS, webhooks.handler);
      const events = [domainEvent(1), domainEvent(2)];
      await bus.publish(events);

      await waitFor(
        '2 deliveries to each subscription',
        () => audit.deliveries.length >= 2 && webhooks.deliveries.length >= 2,
      );
      await sleep(quietMs);
      expect(audit.deliveries.map((d) => d.event)).toEqual(events);
      expect(webhooks.deliveries.map((d) => d.event)).toEqual(events);
      expect(webhooks.deliveries.every((d) => d.context.subscription === WEBHOOKS)).toBe(true);
    });

    it('delivers an event again, delivery count 2, after its handler threw once, and then completes it', async () => {
      const bus = await openBus();
      const event = domainEvent(1);
      const log = recorder((_event, context) => {
        if (context.deliveryCount === 1) throw new Error('transient failure');
      });
      await subscribe(bus, AUDIT, log.handler);
      await bus.publish([event]);

      await waitFor('the redelivery', () => log.deliveries.length >= 2);
      await sleep(quietMs);
      expect(log.deliveries.map((d) => [d.event.id, d.context.deliveryCount])).toEqual([
        [event.id, 1],
        [event.id, 2],
      ]);
      expect(await bus.deadLetters(AUDIT, 10)).toEqual([]);
    });

    it('redelivers only the event whose handler threw, not the ones completed around it', async () => {
      const bus = await openBus();
      const events = [domainEvent(1), domainEvent(2), domainEvent(3), domainEvent(4)];
      const failing = events[1].id;
      const log = recorder((event, context) => {
        if (event.id === failing && context.deliveryCount === 1) throw new Error('transient failure');
      });
      await bus.publish(events);
      await subscribe(bus, AUDIT, log.handler);

      await waitFor('5 deliveries', () => log.deliveries.length >= 5);
      await sleep(quietMs);
      const counts = (id: string) =>
        log.deliveries.filter((d) => d.event.id === id).map((d) => d.context.deliveryCount);
      expect(events.map((e) => counts(e.id))).toEqual([[1], [1, 2], [1], [1]]);
    });

    it(`dead-letters an event after ${maxDeliveryCount} failed deliveries, with the error as reason, oldest first`, async () => {
      const bus = await openBus();
      const events = [domainEvent(1), domainEvent(2)];
      const failing = recorder(() => {
        throw new Error('webhook receiver answered 503');
      });
      const healthy = recorder();
      await subscribe(bus, AUDIT, failing.handler);
      await subscribe(bus, WEBHOOKS, healthy.handler);
      await bus.publish(events);

      await waitFor('2 dead letters', async () => (await bus.deadLetters(AUDIT, 10)).length >= 2);
      await sleep(quietMs);
      const attempts = (id: string) =>
        failing.deliveries.filter((d) => d.event.id === id).map((d) => d.context.deliveryCount);
      const everyAttempt = Array.from({ length: maxDeliveryCount }, (_, i) => i + 1);
      expect(attempts(events[0].id)).toEqual(everyAttempt);
      expect(attempts(events[1].id)).toEqual(everyAttempt);

      const deadLetters = await bus.deadLetters(AUDIT, 10);
      expect(deadLetters.map((d) => d.event)).toEqual(events);
      for (const deadLetter of deadLetters) {
        expect(deadLetter.deliveryCount).toBe(maxDeliveryCount);
        expect(deadLetter.reason).toContain('webhook receiver answered 503');
      }
      expect((await bus.deadLetters(AUDIT, 1)).map((d) => d.event.id)).toEqual([events[0].id]);
      // One consumer's failures are not another's.
      expect(healthy.deliveries.map((d) => d.event)).toEqual(events);
      expect(await bus.deadLetters(WEBHOOKS, 10)).toEqual([]);
    });

    it('dead-letters at once an event its handler cannot process (UnprocessableEventError): a retry cannot help', async () => {
      const bus = await openBus();
      const event = domainEvent(1);
      const refusing = recorder(() => {
        throw new UnprocessableEventError('Event has data that does not match its schema');
      });
      await subscribe(bus, AUDIT, refusing.handler);
      await bus.publish([event]);

      await waitFor('the dead letter', async () => (await bus.deadLetters(AUDIT, 10)).length >= 1);
      await sleep(quietMs);
      expect(refusing.deliveries.map((d) => d.context.deliveryCount)).toEqual([1]);
      const [deadLetter] = await bus.deadLetters(AUDIT, 10);
      expect(deadLetter.event).toEqual(event);
      expect(deadLetter.reason).toMatch(/UnprocessableEvent/);
    });

    it('keeps the order of sequential publishes within a subscription', async () => {
      const bus = await openBus();
      const log = recorder();
      await subscribe(bus, AUDIT, log.handler);
      const oneByOne = Array.from({ length: 8 }, (_, i) => domainEvent(i));
      for (const event of oneByOne) await bus.publish([event]);
      const batch = Array.from({ length: 5 }, (_, i) => domainEvent(100 + i));
      await bus.publish(batch);

      await waitFor('13 deliveries', () => log.deliveries.length >= 13);
      expect(log.deliveries.map((d) => d.event.id)).toEqual([...oneByOne, ...batch].map((e) => e.id));
    });

    it('stops delivering after close, and a later subscriber gets what was not delivered', async () => {
      const first = await openBus();
      const before = recorder();
      await subscribe(first, AUDIT, before.handler);
      const delivered = domainEvent(1);
      await first.publish([delivered]);
      await waitFor('the first delivery', () => before.deliveries.length >= 1);
      await closeBus(first);

      const second = await openBus();
      const pending = domainEvent(2);
      await second.publish([pending]);
      await sleep(quietMs);
      expect(before.deliveries.map((d) => d.event.id)).toEqual([delivered.id]);

      const after = recorder();
      await subscribe(second, AUDIT, after.handler);
      await waitFor('the pending delivery', () => after.deliveries.length >= 1);
      await sleep(quietMs);
      expect(after.deliveries.map((d) => d.event)).toEqual([pending]);
    });
  });
}

/** A CloudEvent with JSON data of several shapes, so a lossy encoding shows. */
export function domainEvent(n: number, type = 'fido2Policy.updated'): EventEnvelope {
  return {
    specversion: '1.0',
    id: randomUUID(),
    type,
    source: '/tenants/contoso/passkey-service',
    subject: type.startsWith('user.') ? `users/${n}` : 'policies/fido2',
    time: new Date(Date.UTC(2025, 0, 1, 0, 0, n % 60)).toISOString(),
    datacontenttype: 'application/json',
    data: {
      n,
      before: { state: 'disabled' },
      after: { state: 'enabled', aaguids: ['cb69481e-8ff7-4039-93ec-0a2729a154a8'] },
      note: null,
      flag: true,
    },
  };
}

/** Records each delivery, then runs `behaviour` (which may throw to fail the delivery). */
function recorder(behaviour: (event: EventEnvelope, context: DeliveryContext) => void = () => undefined) {
  const deliveries: Array<{ event: EventEnvelope; context: DeliveryContext }> = [];
  const handler: EventHandler = async (event, context) => {
    deliveries.push({ event, context: { ...context } });
    behaviour(event, context);
  };
  return { deliveries, handler };
}

async function poll(what: string, done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
