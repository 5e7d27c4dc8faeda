import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { HostResolver } from '../../shared/adapters/http/hostResolver';
import { PinnedHttpSender } from '../../shared/adapters/http/pinnedHttpSender';
import { Roles, startTestService, TestService } from '../support/localService';

const SUBSCRIPTIONS = '/webhooks/subscriptions';
const POLICY = '/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';
const FIDO2 = '#microsoft.graph.fido2AuthenticationMethodConfiguration';
const PUBLIC_ADDRESS = '93.184.216.34';

/** Loopback, private and carrier-grade NAT: refused unless WEBHOOK_ALLOW_PRIVATE_NETWORKS is on. */
const INTERNAL: Array<[string, string]> = [
  ['loopback', 'https://127.0.0.1/hook'],
  ['loopback elsewhere in 127/8', 'https://127.5.6.7/hook'],
  ['localhost', 'https://localhost/hook'],
  ['localhost with a trailing dot', 'https://localhost./hook'],
  ['IPv6 loopback', 'https://[::1]/hook'],
  ['10/8', 'https://10.0.0.1/hook'],
  ['172.16/12', 'https://172.16.5.4/hook'],
  ['192.168/16', 'https://192.168.1.1/hook'],
  ['carrier-grade NAT 100.64/10', 'https://100.64.0.1/hook'],
  ['IPv6 unique local fc00::/7', 'https://[fd12:3456::1]/hook'],
  ['IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/hook'],
  ['decimal-encoded loopback', 'https://2130706433/hook'],
  ['hex-encoded loopback', 'https://0x7f.1/hook'],
  ['octal-encoded loopback', 'https://0177.0.0.1/hook'],
  ['loopback with a trailing dot', 'https://127.0.0.1./hook'],
];

/** Refused whatever the setting says. */
const NEVER: Array<[string, string]> = [
  ['the cloud metadata address', 'http://169.254.169.254/latest/meta-data/'],
  ['the metadata address, hex-encoded', 'https://0xa9fea9fe/'],
  ['the metadata address, IPv4-mapped', 'https://[::ffff:169.254.169.254]/'],
  ['link-local 169.254/16', 'https://169.254.10.20/hook'],
  ['IPv6 link-local', 'https://[fe80::1]/hook'],
  ['AWS IPv6 metadata', 'https://[fd00:ec2::254]/'],
  ['Alibaba metadata', 'https://100.100.100.200/'],
  ['Azure WireServer', 'https://168.63.129.16/'],
  ['unspecified 0.0.0.0', 'https://0.0.0.0/hook'],
  ['unspecified 0 (short form)', 'https://0/hook'],
  ['IPv6 unspecified', 'https://[::]/hook'],
  ['multicast', 'https://224.0.0.1/hook'],
  ['broadcast', 'https://255.255.255.255/hook'],
];

describe('webhook destinations (SSRF)', () => {
  let svc: TestService;
  let admin: string;

  const create = (url: string, eventTypes = ['fido2Policy.updated']) =>
    svc.call('POST', SUBSCRIPTIONS, { token: admin, body: { url, eventTypes } });
  const listed = async () =>
    (await svc.call('GET', SUBSCRIPTIONS, { token: admin })).body.value as Array<{ id: string }>;

  describe('with the default settings', () => {
    beforeAll(async () => {
      svc = await startTestService();
      admin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
    });
    afterAll(() => svc?.close());

    it.each(INTERNAL)(
      'attack: a webhook to %s (%s) is refused with 400 that names WEBHOOK_ALLOW_PRIVATE_NETWORKS',
      async (_kind, url) => {
        const res = await create(url);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('webhookDestinationRefused');
        expect(res.body.error.message).toContain('set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true');
        expect(await listed()).toEqual([]);
      },
    );

    it.each(NEVER)('attack: a webhook to %s (%s) is refused with 400', async (_kind, url) => {
      const res = await create(url);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('webhookDestinationRefused');
      expect(res.body.error.message).toContain('never reach');
      expect(await listed()).toEqual([]);
    });

    it.each([
      ['userinfo before a loopback host', 'https://a@127.0.0.1/hook'],
      ['a loopback address as userinfo', 'https://127.0.0.1@hooks.example.com/hook'],
    ])('attack: %s (%s) is refused with 400', async (_kind, url) => {
      const res = await create(url);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalidWebhookUrl');
      expect(await listed()).toEqual([]);
    });

    it('attack: plain http is refused (https required, as for Graph subscriptions)', async () => {
      const res = await create(`http://${PUBLIC_ADDRESS}/hook`);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('expected https');
    });

    it('accepts https to a public address', async () => {
      const res = await create(`https://${PUBLIC_ADDRESS}/hook`);
      expect(res.status).toBe(201);
      expect((await svc.call('DELETE', `${SUBSCRIPTIONS}/${res.body.id}`, { token: admin })).status).toBe(204);
    });

    it.each([
      ['a wrong-case type', 'fido2policy.updated', "did you mean 'fido2Policy.updated'?"],
      ['an unknown type', 'fido2Policy.created', "'fido2Policy.created'"],
      ['an unknown prefix', 'passkey.*', "'passkey.*'"],
    ])(
      'attack: %s (%s), which would never match, is refused with 400 naming the known ones',
      async (_kind, type, named) => {
        const res = await create(`https://${PUBLIC_ADDRESS}/hook`, [type]);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('invalidEventTypes');
        expect(res.body.error.message).toContain(named);
        expect(res.body.error.message).toContain('fido2Policy.updated, fido2Method.registered');
        expect(await listed()).toEqual([]);
      },
    );
  });

  describe('with WEBHOOK_ALLOW_PRIVATE_NETWORKS=true', () => {
    let receiver: Server;
    let receiverUrl: string;
    const received: string[] = [];

    beforeAll(async () => {
      receiver = createServer((req, res) => {
        received.push(req.url ?? '');
        res.writeHead(204).end();
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      svc = await startTestService({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
      admin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
    });
    afterAll(async () => {
      await svc?.close();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    });

    it.each(NEVER)('attack: a webhook to %s (%s) is still refused with 400', async (_kind, url) => {
      const res = await create(url);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('webhookDestinationRefused');
      expect(await listed()).toEqual([]);
    });

    it('attack: http to a public address is still refused', async () => {
      expect((await create(`http://${PUBLIC_ADDRESS}/hook`)).status).toBe(400);
    });

    it('delivers to a real receiver on this machine', async () => {
      const res = await create(`${receiverUrl}/dev`);
      expect(res.status).toBe(201);
      expect(
        (await svc.call('PATCH', POLICY, { token: admin, body: { '@odata.type': FIDO2, state: 'enabled' } })).status,
      ).toBe(204);
      const deadline = Date.now() + 2000;
      while (!received.includes('/dev') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(received).toContain('/dev');
    });
  });

  describe('at send time', () => {
    let receiver: Server;
    let port: number;
    const received: string[] = [];

    beforeAll(async () => {
      receiver = createServer((req, res) => {
        received.push(req.url ?? '');
        res.writeHead(204).end();
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      port = (receiver.address() as AddressInfo).port;
      // The attacker's name answers a public address while the URL is checked, then 127.0.0.1 (DNS rebinding).
      let calls = 0;
      const resolve: HostResolver = async () => [{ address: calls++ === 0 ? PUBLIC_ADDRESS : '127.0.0.1', family: 4 }];
      svc = await startTestService(
        { EVENT_RETRY_BASE_MS: '10' },
        { httpSender: new PinnedHttpSender({ allowPrivateNetworks: false, resolve }) },
      );
      admin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
    });
    afterAll(async () => {
      await svc?.close();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    });

    it('attack: a name that resolves to 127.0.0.1 once registered is refused at send time; the log says refusedAddress only', async () => {
      const res = await create(`https://rebind.attacker.example:${port}/internal`);
      expect(res.status).toBe(201);
      expect(
        (await svc.call('PATCH', POLICY, { token: admin, body: { '@odata.type': FIDO2, state: 'enabled' } })).status,
      ).toBe(204);
      let rows: Array<{ status: string; httpStatus: number | null; error: string | null }> = [];
      const deadline = Date.now() + 3000;
      while (rows.length < 2 && Date.now() < deadline) {
        rows = (await svc.call('GET', `${SUBSCRIPTIONS}/${res.body.id}/deliveries`, { token: admin })).body.value;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(rows.length).toBeGreaterThanOrEqual(2);
      expect(rows.every((r) => r.status !== 'delivered' && r.httpStatus === null && r.error === 'refusedAddress')).toBe(
        true,
      );
      expect(received).toEqual([]);
    });
  });
});
