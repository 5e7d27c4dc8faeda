import { randomUUID } from 'node:crypto';
import { WebhookDelivery, WebhookSubscription } from '../../shared/ports/webhooks.port';
import { ContractContext, expectConflict, idsOf } from './storeContract.fixtures';

/**
 * Webhook subscriptions and their delivery log: subscriptions read back unchanged (secret included:
 * the service signs with it), the log newest first per subscription, the already-delivered check
 * per subscription and event, and a delete that takes the log with it.
 */
export function webhookContract(ctx: ContractContext): void {
  describe('webhooks', () => {
    const webhooks = () => ctx.store.webhooks;

    function subscription(overrides: Partial<WebhookSubscription> = {}): WebhookSubscription {
      return {
        id: randomUUID(),
        url: `https://hooks.example.com/${randomUUID()}`,
        eventTypes: ['fido2Policy.updated', 'fido2Method.*'],
        secret: `secret-${randomUUID()}`,
        createdDateTime: ctx.data.nextTime(),
        createdBy: { id: randomUUID(), userPrincipalName: 'admin@contoso.com', appId: null },
        enabled: true,
        ...overrides,
      };
    }

    function delivery(subscriptionId: string, overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
      return {
        id: randomUUID(),
        subscriptionId,
        eventId: randomUUID(),
        eventType: 'fido2Policy.updated',
        attempt: 1,
        status: 'delivered',
        httpStatus: 204,
        error: null,
        durationMs: 12,
        at: ctx.data.nextTime(),
        ...overrides,
      };
    }

    it('creates subscriptions and reads them back unchanged, listing them oldest first', async () => {
      const first = subscription({
        eventTypes: ['*'],
        createdBy: { id: null, userPrincipalName: null, appId: randomUUID() },
      });
      const second = subscription({ enabled: false });
      await webhooks().createSubscription(second);
      await webhooks().createSubscription(first);
      const [older, newer] = first.createdDateTime < second.createdDateTime ? [first, second] : [second, first];

      expect(await webhooks().getSubscription(first.id)).toEqual(first);
      expect(await webhooks().getSubscription(second.id)).toEqual(second);
      expect(await webhooks().getSubscription(randomUUID())).toBeNull();
      expect(await webhooks().listSubscriptions()).toEqual([older, newer]);
    });

    it('refuses a subscription id that exists, keeping the first', async () => {
      const first = subscription();
      await webhooks().createSubscription(first);
      await expectConflict(
        webhooks().createSubscription(subscription({ id: first.id, url: 'https://other.example.com/' })),
        'Request_BadRequest',
      );
      expect(await webhooks().getSubscription(first.id)).toEqual(first);
    });

    it("lists a subscription's deliveries newest first, at most top, and only its own", async () => {
      const sub = subscription();
      const other = subscription();
      await webhooks().createSubscription(sub);
      await webhooks().createSubscription(other);
      const rows = [
        delivery(sub.id, { status: 'failed', httpStatus: 500, error: 'The receiver answered HTTP 500' }),
        delivery(other.id),
        delivery(sub.id, { status: 'failed', httpStatus: null, error: 'connect ECONNREFUSED', attempt: 2 }),
        delivery(sub.id, { attempt: 3 }),
        delivery(sub.id, {
          status: 'deadLettered',
          httpStatus: 503,
          error: 'The receiver answered HTTP 503',
          attempt: 8,
        }),
      ];
      // Appended out of time order: the log is ordered by `at`, not by arrival.
      for (const i of [0, 2, 1, 4, 3]) await webhooks().appendDelivery(rows[i]);
      const ofSub = [rows[4], rows[3], rows[2], rows[0]];

      expect(await webhooks().listDeliveries(sub.id, 10)).toEqual(ofSub);
      expect(await webhooks().listDeliveries(sub.id, 2)).toEqual(ofSub.slice(0, 2));
      expect(await webhooks().listDeliveries(other.id, 10)).toEqual([rows[1]]);
      expect(await webhooks().listDeliveries(randomUUID(), 10)).toEqual([]);
    });

    it('refuses a page size that is not a positive integer', async () => {
      const sub = subscription();
      await webhooks().createSubscription(sub);
      await expect(webhooks().listDeliveries(sub.id, 0)).rejects.toThrow(RangeError);
      await expect(webhooks().listDeliveries(sub.id, 1.5)).rejects.toThrow(RangeError);
    });

    it('says an event was delivered only after a delivered attempt, per subscription', async () => {
      const sub = subscription();
      const other = subscription();
      await webhooks().createSubscription(sub);
      await webhooks().createSubscription(other);
      const eventId = randomUUID();

      expect(await webhooks().hasDelivered(sub.id, eventId)).toBe(false);
      await webhooks().appendDelivery(
        delivery(sub.id, { eventId, status: 'failed', httpStatus: 500, error: 'HTTP 500' }),
      );
      await webhooks().appendDelivery(
        delivery(sub.id, { eventId, status: 'deadLettered', httpStatus: 500, error: 'HTTP 500' }),
      );
      expect(await webhooks().hasDelivered(sub.id, eventId)).toBe(false);

      await webhooks().appendDelivery(delivery(sub.id, { eventId, attempt: 2 }));
      expect(await webhooks().hasDelivered(sub.id, eventId)).toBe(true);
      expect(await webhooks().hasDelivered(other.id, eventId)).toBe(false);
      expect(await webhooks().hasDelivered(sub.id, randomUUID())).toBe(false);
    });

    it('deletes a subscription with its delivery log, leaving the others; false when there was none', async () => {
      const sub = subscription();
      const other = subscription();
      await webhooks().createSubscription(sub);
      await webhooks().createSubscription(other);
      const eventId = randomUUID();
      await webhooks().appendDelivery(delivery(sub.id, { eventId }));
      const kept = delivery(other.id, { eventId });
      await webhooks().appendDelivery(kept);

      expect(await webhooks().deleteSubscription(sub.id)).toBe(true);
      expect(await webhooks().getSubscription(sub.id)).toBeNull();
      expect(await webhooks().listDeliveries(sub.id, 10)).toEqual([]);
      expect(await webhooks().hasDelivered(sub.id, eventId)).toBe(false);
      expect(idsOf(await webhooks().listSubscriptions())).toEqual([other.id]);
      expect(await webhooks().listDeliveries(other.id, 10)).toEqual([kept]);

      expect(await webhooks().deleteSubscription(sub.id)).toBe(false);
      expect(await webhooks().deleteSubscription(randomUUID())).toBe(false);
    });
  });
}
