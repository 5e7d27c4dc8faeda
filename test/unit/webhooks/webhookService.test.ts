import { matchesEventType } from '../../../shared/domain/events/matchesEventType';
import { randomUUID } from 'node:crypto';
import { createSqliteStore } from '../../../shared/adapters/sqlite/store.sqlite';
import { Actor } from '../../../shared/domain/auth/actor';
import { verifyWebhookSignature } from '../../../shared/domain/events/webhookSignature';
import { DomainEvent } from '../../../shared/ports/eventBus.port';
import { DestinationRefusal } from '../../../shared/domain/network/destinationRefusal';
import { HttpSender, HttpSendError, OutgoingHttpRequest } from '../../../shared/ports/httpSender.port';
import { Store } from '../../../shared/ports/store.port';
import { MAX_SUBSCRIPTIONS, WebhookService } from '../../../shared/services/events/webhookService';
import { webhooksConsumer, WEBHOOK_MAX_DELIVERY_COUNT } from '../../../functions/consumers/webhooks.consumer';

/** Answers each URL from its script (a status, or an Error for "no response"), then 204. */
class FakeSender implements HttpSender {
  readonly requests: OutgoingHttpRequest[] = [];
  private readonly scripts = new Map<string, Array<number | Error>>();
  /** What checkDestination answers per URL (null, allowed, when absent). */
  readonly refusals = new Map<string, DestinationRefusal>();

  async checkDestination(url: string): Promise<DestinationRefusal | null> {
    return this.refusals.get(url) ?? null;
  }

  script(url: string, ...answers: Array<number | Error>) {
    this.scripts.set(url, answers);
  }

  async send(request: OutgoingHttpRequest): Promise<{ status: number }> {
    this.requests.push(request);
    const answer = this.scripts.get(request.url)?.shift() ?? 204;
    if (answer instanceof Error) throw answer;
    return { status: answer };
  }

  to(url: string) {
    return this.requests.filter((r) => r.url === url);
  }
}

const admin: Actor = { user: { id: randomUUID(), userPrincipalName: 'admin@contoso.com' }, app: null };
const START = Date.parse('2030-01-01T00:00:00.000Z');

function policyEvent(): DomainEvent {
  return {
    specversion: '1.0',
    id: randomUUID(),
    type: 'fido2Policy.updated',
    source: 'http://localhost:7071',
    subject: 'policies/authenticationMethodsPolicy/fido2',
    time: new Date(START).toISOString(),
    datacontenttype: 'application/json',
    data: {
      before: { state: 'disabled' },
      after: { state: 'enabled' },
      modifiedProperties: [],
      initiatedBy: admin,
      result: 'success',
    },
  };
}

describe('WebhookService', () => {
  let store: Store;
  let sender: FakeSender;
  let service: WebhookService;
  let tick: number;

  beforeEach(() => {
    store = createSqliteStore(':memory:');
    sender = new FakeSender();
    tick = 0;
    // Each reading of the clock is one second later, so delivery rows are strictly ordered.
    service = new WebhookService({
      webhooks: store.webhooks,
      sender,
      clock: { now: () => new Date(START + 1000 * tick++) },
    });
  });
  afterEach(() => store.close());

  const subscribe = (url: string, eventTypes = ['fido2Policy.updated'], secret = 'a-secret-of-24-characters') =>
    service.create({ url, eventTypes, secret }, admin);
  const log = async (id: string) =>
    (await service.deliveries(id, 100)).reverse().map((d) => [d.attempt, d.status, d.httpStatus]);

  describe('subscriptions', () => {
    it('creates one with a generated secret when none is given, returned once and kept for signing', async () => {
      const { subscription, secret } = await service.create(
        { url: 'https://hooks.example.com/a', eventTypes: ['*', '*'] },
        admin,
      );
      expect(secret.length).toBeGreaterThanOrEqual(32);
      expect(subscription).toMatchObject({
        url: 'https://hooks.example.com/a',
        eventTypes: ['*'],
        enabled: true,
        secret,
        createdBy: { id: admin.user!.id, userPrincipalName: 'admin@contoso.com', appId: null },
      });
      expect(await service.get(subscription.id)).toEqual(subscription);
      expect(await service.list()).toEqual([subscription]);
      const other = await service.create({ url: 'https://hooks.example.com/b', eventTypes: ['*'] }, admin);
      expect(other.secret).not.toBe(secret);
    });

    it.each([
      ['an ftp URL', { url: 'ftp://hooks.example.com/a' }, "scheme 'ftp'"],
      ['a javascript: URL', { url: 'javascript:alert(1)' }, "scheme 'javascript'"],
      ['a file URL', { url: 'file:///etc/passwd' }, "scheme 'file'"],
      ['a relative URL', { url: '/hooks' }, 'not an absolute URL'],
      ['credentials in the URL', { url: 'https://user:pw@hooks.example.com/' }, 'credentials'],
      ['a short secret', { secret: 'fifteen-chars!!' }, 'expected at least 16'],
      ['no event types', { eventTypes: [] }, 'no event types'],
    ])('refuses %s', async (_name, change, message) => {
      const request = {
        url: 'https://hooks.example.com/a',
        eventTypes: ['*'],
        secret: 'a-secret-of-24-characters',
        ...change,
      };
      await expect(service.create(request, admin)).rejects.toMatchObject({
        kind: 'badRequest',
        message: expect.stringContaining(message),
      });
      expect(await service.list()).toEqual([]);
    });

    it.each([
      ['a wrong-case type', ['fido2policy.updated'], "'fido2policy.updated' (did you mean 'fido2Policy.updated'?)"],
      ['an unknown type', ['fido2Policy.created'], "'fido2Policy.created'"],
      ['an unknown prefix', ['fido2.*'], "'fido2.*'"],
      [
        'a wrong-case prefix among good ones',
        ['*', 'fido2method.*'],
        "'fido2method.*' (did you mean 'fido2Method.*'?)",
      ],
    ])('attack: %s, which would never match, is refused naming the known types', async (_name, eventTypes, named) => {
      const refused = service.create({ url: 'https://hooks.example.com/a', eventTypes }, admin);
      await expect(refused).rejects.toMatchObject({
        kind: 'badRequest',
        code: 'invalidEventTypes',
        message: expect.stringContaining(named),
      });
      await expect(refused).rejects.toMatchObject({
        message: expect.stringContaining('fido2Policy.updated, fido2Method.registered'),
      });
      await expect(refused).rejects.toMatchObject({ message: expect.stringContaining('fido2Method.*') });
      expect(await service.list()).toEqual([]);
    });

    it('attack: a destination the sender refuses is a 400 that says why, and nothing is created', async () => {
      sender.refusals.set('https://hooks.example.com/internal', {
        reason: 'refusedAddress',
        address: '10.0.0.7',
        addressClass: 'private',
        privateNetworkSetting: true,
      });
      await expect(
        service.create({ url: 'https://hooks.example.com/internal', eventTypes: ['*'] }, admin),
      ).rejects.toMatchObject({
        kind: 'badRequest',
        code: 'webhookDestinationRefused',
        message: expect.stringContaining("'hooks.example.com' resolves to 10.0.0.7, a private-network address"),
      });
      expect(await service.list()).toEqual([]);
    });

    it(`refuses more than ${MAX_SUBSCRIPTIONS} subscriptions`, async () => {
      for (let i = 0; i < MAX_SUBSCRIPTIONS; i++) await subscribe(`https://hooks.example.com/${i}`);
      await expect(subscribe('https://hooks.example.com/one-too-many')).rejects.toMatchObject({
        code: 'tooManyWebhookSubscriptions',
      });
    });

    it('answers not found for an unknown subscription, and deletes one with its log', async () => {
      await expect(service.get(randomUUID())).rejects.toMatchObject({
        kind: 'notFound',
        code: 'webhookSubscriptionNotFound',
      });
      await expect(service.delete(randomUUID(), admin)).rejects.toMatchObject({ kind: 'notFound' });
      await expect(service.deliveries(randomUUID(), 10)).rejects.toMatchObject({ kind: 'notFound' });
      const { subscription } = await subscribe('https://hooks.example.com/a');
      await service.deliver(policyEvent(), { attempt: 1, lastAttempt: false });
      await service.delete(subscription.id, admin);
      await expect(service.get(subscription.id)).rejects.toMatchObject({ kind: 'notFound' });
      expect(await store.webhooks.listDeliveries(subscription.id, 10)).toEqual([]);
    });
  });

  describe('deliver', () => {
    it('POSTs the CloudEvent, signed, to each enabled subscription that takes its type, and logs it', async () => {
      const exact = await subscribe('https://a.example.com/hook');
      const all = await subscribe('https://b.example.com/hook', ['*'], 'another-secret-0123456789');
      await subscribe('https://c.example.com/hook', ['fido2Method.*']);
      await store.webhooks.createSubscription({
        ...exact.subscription,
        id: randomUUID(),
        url: 'https://disabled.example.com/hook',
        enabled: false,
      });
      const event = policyEvent();
      const signedAt = (START + 1000 * tick) / 1000; // the clock's next reading

      expect(await service.deliver(event, { attempt: 1, lastAttempt: false })).toEqual({ delivered: 2, skipped: 0 });

      expect(sender.requests.map((r) => r.url).sort()).toEqual([
        'https://a.example.com/hook',
        'https://b.example.com/hook',
      ]);
      for (const [request, secret] of [
        [sender.to('https://a.example.com/hook')[0], exact.secret],
        [sender.to('https://b.example.com/hook')[0], all.secret],
      ] as const) {
        expect(request).toMatchObject({
          method: 'POST',
          timeoutMs: 5000,
          headers: { 'content-type': 'application/cloudevents+json', 'webhook-id': event.id },
        });
        expect(JSON.parse(request.body)).toEqual(event);
        expect(Number(request.headers['webhook-timestamp'])).toBe(signedAt);
        expect(
          verifyWebhookSignature({ secret, headers: request.headers, body: request.body, nowSeconds: signedAt }),
        ).toBe(true);
      }
      expect(await service.deliveries(exact.subscription.id, 10)).toEqual([
        expect.objectContaining({
          subscriptionId: exact.subscription.id,
          eventId: event.id,
          eventType: 'fido2Policy.updated',
          attempt: 1,
          status: 'delivered',
          httpStatus: 204,
          error: null,
          durationMs: expect.any(Number),
        }),
      ]);
    });

    it('throws after logging a failed receiver, and on redelivery posts only to the receivers that lack the event', async () => {
      const ok = await subscribe('https://ok.example.com/hook');
      const flaky = await subscribe('https://flaky.example.com/hook');
      sender.script(
        'https://flaky.example.com/hook',
        500,
        new HttpSendError('connectionFailed', 'No response from flaky.example.com.', {
          cause: new Error('connect ECONNREFUSED 10.0.0.1:443'),
        }),
      );
      const event = policyEvent();

      await expect(service.deliver(event, { attempt: 1, lastAttempt: false })).rejects.toThrow(
        /failed for 1 of 2 subscription\(s\), attempt 1: .*httpError 5xx/,
      );
      await expect(service.deliver(event, { attempt: 2, lastAttempt: false })).rejects.toThrow(/connectionFailed/);
      expect(await service.deliver(event, { attempt: 3, lastAttempt: false })).toEqual({ delivered: 1, skipped: 1 });
      // The next redelivery (a duplicate) posts nothing at all.
      expect(await service.deliver(event, { attempt: 4, lastAttempt: false })).toEqual({ delivered: 0, skipped: 2 });

      expect(sender.to('https://ok.example.com/hook')).toHaveLength(1);
      expect(sender.to('https://flaky.example.com/hook')).toHaveLength(3);
      expect(await log(ok.subscription.id)).toEqual([[1, 'delivered', 204]]);
      expect(await log(flaky.subscription.id)).toEqual([
        [1, 'failed', 500],
        [2, 'failed', null],
        [3, 'delivered', 204],
      ]);
      const [networkError] = (await service.deliveries(flaky.subscription.id, 100)).filter(
        (d) => d.httpStatus === null,
      );
      expect(networkError.error).toBe('connectionFailed');
      // Every retry of the event carries the same webhook-id, so receivers can dedupe too.
      expect(new Set(sender.requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([event.id]));
    });

    it("records a failure on the bus's last attempt as deadLettered, and still throws", async () => {
      const down = await subscribe('https://down.example.com/hook');
      sender.script('https://down.example.com/hook', 503, 503, 503);
      const event = policyEvent();
      await expect(service.deliver(event, { attempt: 1, lastAttempt: false })).rejects.toThrow(/httpError 5xx/);
      await expect(service.deliver(event, { attempt: 2, lastAttempt: false })).rejects.toThrow(/httpError 5xx/);
      await expect(service.deliver(event, { attempt: 3, lastAttempt: true })).rejects.toThrow(/httpError 5xx/);
      expect(await log(down.subscription.id)).toEqual([
        [1, 'failed', 503],
        [2, 'failed', 503],
        [3, 'deadLettered', 503],
      ]);
    });

    it('attack: the delivery log shows categories, never the raw network error that would map the internal network', async () => {
      const probe = await subscribe('https://probe.example.com/hook');
      sender.script(
        'https://probe.example.com/hook',
        new HttpSendError('refusedAddress', 'The destination probe.example.com was refused (refusedAddress).'),
        new HttpSendError('timeout', 'No response from probe.example.com.', {
          cause: new Error('connect ETIMEDOUT 10.20.30.40:8443'),
        }),
        new Error('connect ECONNREFUSED 10.20.30.40:22'),
        302,
        404,
      );
      const event = policyEvent();
      for (let attempt = 1; attempt <= 5; attempt++)
        await expect(service.deliver(event, { attempt, lastAttempt: false })).rejects.toThrow();
      const rows = (await service.deliveries(probe.subscription.id, 10)).reverse();
      expect(rows.map((r) => [r.error, r.httpStatus])).toEqual([
        ['refusedAddress', null],
        ['timeout', null],
        ['connectionFailed', null],
        ['httpError 3xx', 302],
        ['httpError 4xx', 404],
      ]);
      expect(JSON.stringify(rows)).not.toMatch(/10\.20\.30\.40|ECONN|ETIMEDOUT/);
    });

    it('does nothing for an event no subscription takes', async () => {
      await subscribe('https://a.example.com/hook', ['fido2Method.registered']);
      expect(
        await service.deliver(
          {
            ...policyEvent(),
            type: 'user.created',
            data: { before: null, after: { id: 'u-1' }, initiatedBy: admin, result: 'success' },
          },
          { attempt: 1, lastAttempt: false },
        ),
      ).toEqual({ delivered: 0, skipped: 0 });
      expect(sender.requests).toEqual([]);
    });
  });
});

describe('webhooks consumer', () => {
  it('takes every event type and tells the service which attempt is the last', async () => {
    expect(webhooksConsumer).toMatchObject({ subscription: 'webhooks', maxDeliveryCount: 8 });
    for (const type of ['fido2Policy.updated', 'user.upnChanged', 'provisioningJob.completed', 'anything.else'])
      expect(matchesEventType(webhooksConsumer.eventTypes, type)).toBe(true);
    const deliver = jest.fn(async () => ({ delivered: 0, skipped: 0 }));
    const app = { webhooks: { deliver } } as never;
    const event = policyEvent();
    for (const deliveryCount of [1, WEBHOOK_MAX_DELIVERY_COUNT - 1, WEBHOOK_MAX_DELIVERY_COUNT]) {
      await webhooksConsumer.handler(event, {
        app,
        context: {} as never,
        delivery: { deliveryCount, subscription: 'webhooks' },
      });
    }
    expect(deliver.mock.calls).toEqual([
      [event, { attempt: 1, lastAttempt: false }],
      [event, { attempt: 7, lastAttempt: false }],
      [event, { attempt: 8, lastAttempt: true }],
    ]);
  });
});
