import { createHmac } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '../../shared/domain/events/webhookSignature';
import { Roles, startTestService, TEST_STORES, TestService } from '../support/localService';

const POLICY = '/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';
const SUBSCRIPTIONS = '/webhooks/subscriptions';
const SECRET = 'receiver-secret-0123456789';
const FIDO2 = '#microsoft.graph.fido2AuthenticationMethodConfiguration';
/** Local bus retries 10, 20, 40 ... ms: eight attempts take about 1.3 s instead of 13 s. */
const RETRY_BASE_MS = '10';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A webhook receiver on 127.0.0.1: each path answers from its script (statuses, then 204) and keeps what it got. */
class Receiver {
  readonly received: Received[] = [];
  private readonly scripts = new Map<string, number[]>();
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.received.push({
          path,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        });
        const status = this.scripts.get(path)?.shift() ?? 204;
        res.writeHead(status).end(status >= 400 ? 'receiver says no' : undefined);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  script(path: string, ...statuses: number[]) {
    this.scripts.set(path, statuses);
  }

  at(path: string) {
    return this.received.filter((r) => r.path === path);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The receiver's own check, spelled out from the Standard Webhooks scheme (not the service's code). */
function independentlyVerified(r: Received, secret: string): boolean {
  const id = r.headers['webhook-id'] as string;
  const timestamp = r.headers['webhook-timestamp'] as string;
  const expected = createHmac('sha256', secret).update(`${id}.${timestamp}.${r.body}`).digest('base64');
  return (r.headers['webhook-signature'] as string).split(' ').includes(`v1,${expected}`);
}

describe.each(TEST_STORES)('webhooks over HTTP, with a real receiver (%s store)', (store) => {
  let svc: TestService;
  let receiver: Receiver;
  let admin: string;
  let reader: string;
  let state: 'enabled' | 'disabled' = 'disabled';

  beforeAll(async () => {
    receiver = new Receiver();
    await receiver.start();
    svc = await startTestService(
      { EVENT_RETRY_BASE_MS: RETRY_BASE_MS, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' },
      undefined,
      { store },
    );
    admin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
    reader = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalReader] });
  });
  afterAll(async () => {
    await svc?.close();
    await receiver?.close();
  });

  const subscribe = async (path: string, eventTypes = ['fido2Policy.updated']) => {
    const res = await svc.call('POST', SUBSCRIPTIONS, {
      token: admin,
      body: { url: `${receiver.url}${path}`, eventTypes, secret: SECRET },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  /** Flips the policy's state: one `fido2Policy.updated` event per call. */
  const patchPolicy = async () => {
    state = state === 'enabled' ? 'disabled' : 'enabled';
    const res = await svc.call('PATCH', POLICY, { token: admin, body: { '@odata.type': FIDO2, state } });
    expect(res.status).toBe(204);
    return state;
  };
  const deliveries = async (id: string) => {
    const res = await svc.call('GET', `${SUBSCRIPTIONS}/${id}/deliveries?$top=100`, { token: reader });
    expect(res.status).toBe(200);
    return res.body.value as Array<{
      attempt: number;
      status: string;
      httpStatus: number | null;
      eventId: string;
      eventType: string;
      error: string | null;
    }>;
  };
  const unsubscribe = async (id: string) =>
    expect((await svc.call('DELETE', `${SUBSCRIPTIONS}/${id}`, { token: admin })).status).toBe(204);

  describe('the admin API', () => {
    it('attack: creates a subscription (201) whose secret is shown once, then to no one, not even a hint', async () => {
      const res = await svc.call('POST', SUBSCRIPTIONS, {
        token: admin,
        body: { url: 'https://hooks.example.com/passkeys', eventTypes: ['fido2Method.*', 'user.upnChanged'] },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: expect.any(String),
        url: 'https://hooks.example.com/passkeys',
        eventTypes: ['fido2Method.*', 'user.upnChanged'],
        enabled: true,
        createdDateTime: expect.any(String),
        createdBy: { userPrincipalName: 'admin@contoso.com' },
      });
      const { secret, id } = res.body;
      expect(secret.length).toBeGreaterThanOrEqual(32);
      expect(res.headers.get('location')).toMatch(new RegExp(`${SUBSCRIPTIONS}/${id}$`));

      const one = await svc.call('GET', `${SUBSCRIPTIONS}/${id}`, { token: reader });
      expect(one.status).toBe(200);
      expect(one.body).toEqual({ ...res.body, secret: undefined });
      const list = await svc.call('GET', SUBSCRIPTIONS, { token: reader });
      expect(list.body.value).toEqual([one.body]);
      // Not to readers, and not to the writer who created it either (Graph never returns a clientState).
      const byWriter = await svc.call('GET', `${SUBSCRIPTIONS}/${id}`, { token: admin });
      expect(byWriter.body).toEqual(one.body);
      for (const shown of [one.body, list.body, byWriter.body]) {
        expect(JSON.stringify(shown)).not.toMatch(/secret/i);
        expect(JSON.stringify(shown)).not.toContain(secret.slice(-4));
      }
      expect(await deliveries(id)).toEqual([]);

      await unsubscribe(id);
      expect((await svc.call('GET', `${SUBSCRIPTIONS}/${id}`, { token: reader })).status).toBe(404);
      expect((await svc.call('DELETE', `${SUBSCRIPTIONS}/${id}`, { token: admin })).status).toBe(404);
      expect((await svc.call('GET', `${SUBSCRIPTIONS}/${id}/deliveries`, { token: reader })).status).toBe(404);
      expect((await svc.call('GET', `${SUBSCRIPTIONS}/not-a-guid`, { token: reader })).status).toBe(404);

      // Registering and removing an outside endpoint is audited, without the secret.
      const audit = (await svc.app.store.audit.list({ top: 20 })).items.filter((r) => r.targetResources[0]?.id === id);
      expect(audit.map((r) => [r.activityDisplayName, r.initiatedBy.user?.userPrincipalName])).toEqual([
        ['Delete webhook subscription', 'admin@contoso.com'],
        ['Add webhook subscription', 'admin@contoso.com'],
      ]);
      expect(JSON.stringify(audit)).not.toContain(secret);
    });

    it.each([
      ['a non-http scheme', { url: 'ftp://hooks.example.com/x', eventTypes: ['*'] }, 'url'],
      ['a javascript: URL', { url: 'javascript:alert(1)', eventTypes: ['*'] }, 'url'],
      [
        'a secret under 16 characters',
        { url: 'https://hooks.example.com/x', eventTypes: ['*'], secret: 'short' },
        'secret',
      ],
      ['no event types', { url: 'https://hooks.example.com/x', eventTypes: [] }, 'eventTypes'],
      ['a malformed event type', { url: 'https://hooks.example.com/x', eventTypes: ['fido2 Policy'] }, 'eventTypes[0]'],
      ['an unknown property', { url: 'https://hooks.example.com/x', eventTypes: ['*'], enabled: false }, 'enabled'],
    ])('refuses %s (400 naming the field) and creates nothing', async (_name, body, field) => {
      const res = await svc.call('POST', SUBSCRIPTIONS, { token: admin, body });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(field);
      expect((await svc.call('GET', SUBSCRIPTIONS, { token: admin })).body.value).toEqual([]);
    });

    it('lets readers read and only policy writers write; no token is 401', async () => {
      const body = { url: 'https://hooks.example.com/x', eventTypes: ['*'] };
      expect((await svc.call('POST', SUBSCRIPTIONS, { token: reader, body })).status).toBe(403);
      expect((await svc.call('POST', SUBSCRIPTIONS, { body })).status).toBe(401);
      expect((await svc.call('GET', SUBSCRIPTIONS)).status).toBe(401);
      const alice = await svc.token({ upn: 'alice@contoso.com' });
      expect((await svc.call('GET', SUBSCRIPTIONS, { token: alice })).status).toBe(403);
      const app = await svc.token({ permissions: ['Policy.ReadWrite.AuthenticationMethod'] });
      const created = await svc.call('POST', SUBSCRIPTIONS, { token: app, body });
      expect(created.status).toBe(201);
      expect((await svc.call('DELETE', `${SUBSCRIPTIONS}/${created.body.id}`, { token: reader })).status).toBe(403);
      await unsubscribe(created.body.id);
    });
  });

  describe('deliveries', () => {
    it('delivers a policy PATCH to the receiver within a second, as a signed CloudEvent', async () => {
      const id = await subscribe('/ok');
      const other = await subscribe('/other-types', ['fido2Method.registered']);
      const patchedAt = Date.now();
      const newState = await patchPolicy();
      const [got] = await waitFor(
        'the receiver to get the event',
        () => (receiver.at('/ok').length ? receiver.at('/ok') : undefined),
        1000,
      );
      expect(got.at - patchedAt).toBeLessThan(1000);

      expect(got.headers['content-type']).toBe('application/cloudevents+json');
      expect(
        verifyWebhookSignature({
          secret: SECRET,
          headers: got.headers,
          body: got.body,
          nowSeconds: Math.floor(Date.now() / 1000),
        }),
      ).toBe(true);
      expect(independentlyVerified(got, SECRET)).toBe(true);
      expect(independentlyVerified(got, 'some-other-secret-000')).toBe(false);
      const event = JSON.parse(got.body);
      expect(event).toMatchObject({
        specversion: '1.0',
        id: got.headers['webhook-id'],
        type: 'fido2Policy.updated',
        subject: 'policies/authenticationMethodsPolicy/fido2',
        datacontenttype: 'application/json',
        data: {
          before: { state: newState === 'enabled' ? 'disabled' : 'enabled' },
          after: { state: newState },
          initiatedBy: { user: { userPrincipalName: 'admin@contoso.com' } },
        },
      });
      const log = await waitFor(
        'the delivery log',
        async () => {
          const rows = await deliveries(id);
          return rows.length ? rows : undefined;
        },
        1000,
      );
      expect(log).toEqual([
        expect.objectContaining({
          eventId: event.id,
          eventType: 'fido2Policy.updated',
          attempt: 1,
          status: 'delivered',
          httpStatus: 204,
          error: null,
        }),
      ]);
      // A subscription for other types gets nothing.
      expect(receiver.at('/other-types')).toEqual([]);
      expect(await deliveries(other)).toEqual([]);
      await unsubscribe(other);
      await unsubscribe(id);
    });

    it('retries a receiver that fails twice: it gets the event on the 3rd attempt, and the log shows 2 failed + 1 delivered', async () => {
      receiver.script('/flaky', 500, 503);
      const id = await subscribe('/flaky');
      await patchPolicy();
      const got = await waitFor(
        'three attempts',
        () => (receiver.at('/flaky').length >= 3 ? receiver.at('/flaky') : undefined),
        5000,
      );
      const log = await waitFor(
        'three log rows',
        async () => {
          const rows = await deliveries(id);
          return rows.length >= 3 ? rows : undefined;
        },
        2000,
      );

      expect(log.map((d) => [d.attempt, d.status, d.httpStatus])).toEqual([
        [3, 'delivered', 204],
        [2, 'failed', 503],
        [1, 'failed', 500],
      ]);
      expect(log[1].error).toBe('httpError 5xx');
      // The same event each time (same webhook-id), each attempt freshly signed.
      expect(new Set(got.map((r) => r.headers['webhook-id']))).toEqual(new Set([log[0].eventId]));
      expect(got.every((r) => independentlyVerified(r, SECRET))).toBe(true);
      // Nothing more comes once it is delivered.
      await new Promise((r) => setTimeout(r, 200));
      expect(receiver.at('/flaky')).toHaveLength(3);
      await unsubscribe(id);
    });

    it('dead-letters the event for a receiver that always fails, after 8 attempts, logging the last as deadLettered', async () => {
      receiver.script('/down', ...Array<number>(20).fill(500));
      const id = await subscribe('/down');
      await patchPolicy();
      const log = await waitFor(
        'eight log rows',
        async () => {
          const rows = await deliveries(id);
          return rows.length >= 8 ? rows : undefined;
        },
        10_000,
      );

      expect(log.map((d) => [d.attempt, d.status])).toEqual([
        [8, 'deadLettered'],
        ...[7, 6, 5, 4, 3, 2, 1].map((n) => [n, 'failed']),
      ]);
      expect(log.every((d) => d.httpStatus === 500)).toBe(true);
      const deadLetters = await waitFor(
        'the dead letter',
        async () => {
          const dead = await svc.events.bus.deadLetters('webhooks', 10);
          return dead.length ? dead : undefined;
        },
        1000,
      );
      expect(deadLetters).toEqual([
        expect.objectContaining({
          event: expect.objectContaining({ id: log[0].eventId, type: 'fido2Policy.updated' }),
          deliveryCount: 8,
        }),
      ]);
      expect(receiver.at('/down')).toHaveLength(8);
      await unsubscribe(id);
    });
  });
});
