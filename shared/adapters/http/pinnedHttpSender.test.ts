import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { HttpSendError, OutgoingHttpRequest } from '../../ports/httpSender.port';
import { HostResolver, ResolvedAddress } from './hostResolver';
import { PinnedHttpSender } from './pinnedHttpSender';

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver on 127.0.0.1 that answers each request with `answer` (a status, or 'hang'). */
async function startReceiver(answer: number | 'hang' = 204): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (answer === 'hang') return;
      res.writeHead(answer, answer >= 300 && answer < 400 ? { Location: 'http://127.0.0.1:1/elsewhere' } : {}).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** A resolver that answers from a table and counts its calls. */
function tableResolver(table: Record<string, Array<string | string[]>>): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = async (host: string): Promise<ResolvedAddress[]> => {
    calls.push(host);
    const answers = table[host];
    if (!answers?.length) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    const next = answers.length > 1 ? answers.shift()! : answers[0];
    return (Array.isArray(next) ? next : [next]).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

const post = (url: string, timeoutMs = 2000): OutgoingHttpRequest => ({
  url,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: '{"hello":"world"}',
  timeoutMs,
});

async function failureOf(promise: Promise<unknown>): Promise<HttpSendError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpSendError);
  return error as HttpSendError;
}

describe('PinnedHttpSender', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(() => close(receiver.server));

  it('delivers to a local receiver when private networks are allowed, with the body and headers as given', async () => {
    const sender = new PinnedHttpSender({ allowPrivateNetworks: true });
    expect(await sender.send(post(`http://127.0.0.1:${receiver.port}/hook?x=1`))).toEqual({ status: 204 });
    expect(receiver.seen).toEqual([
      {
        url: '/hook?x=1',
        headers: expect.objectContaining({
          host: `127.0.0.1:${receiver.port}`,
          'content-type': 'application/json',
          'content-length': '17',
        }),
        body: '{"hello":"world"}',
      },
    ]);
  });

  it.each([
    ['a loopback', 'http://127.0.0.1:PORT/'],
    ['an IPv6 loopback', 'http://[::1]:PORT/'],
    ['an IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]:PORT/'],
    ['a decimal-encoded loopback', 'http://2130706433:PORT/'],
    ['an unspecified (0.0.0.0: Linux connects it to this machine)', 'http://0.0.0.0:PORT/'],
  ])('attack: %s URL is refused at send time, before any connection', async (_name, url) => {
    const sender = new PinnedHttpSender({ allowPrivateNetworks: false });
    const error = await failureOf(sender.send(post(url.replace('PORT', String(receiver.port)))));
    expect(error.category).toBe('refusedAddress');
    expect(receiver.seen).toEqual([]);
  });

  it('attack: a host name that resolves to 127.0.0.1 is refused at send time', async () => {
    const resolve = tableResolver({ 'hooks.example.test': ['127.0.0.1'] });
    const sender = new PinnedHttpSender({ allowPrivateNetworks: false, resolve });
    expect((await failureOf(sender.send(post(`https://hooks.example.test:${receiver.port}/`)))).category).toBe(
      'refusedAddress',
    );
    expect(resolve.calls).toEqual(['hooks.example.test']);
    expect(receiver.seen).toEqual([]);
  });

  it('attack: localhost (and *.localhost) is refused as loopback without asking the resolver', async () => {
    const resolve = tableResolver({});
    const sender = new PinnedHttpSender({ allowPrivateNetworks: false, resolve });
    for (const host of ['localhost', 'localhost.', 'api.localhost']) {
      expect((await failureOf(sender.send(post(`https://${host}:${receiver.port}/`)))).category).toBe('refusedAddress');
      expect(await sender.checkDestination(`https://${host}/`)).toMatchObject({
        reason: 'refusedAddress',
        addressClass: 'loopback',
        privateNetworkSetting: true,
      });
    }
    expect(resolve.calls).toEqual([]);
  });

  it('attack: a name with one private address among public ones is refused (the connection could use any)', async () => {
    const resolve = tableResolver({ 'mixed.example.test': [['93.184.216.34', '10.0.0.5']] });
    const sender = new PinnedHttpSender({ allowPrivateNetworks: false, resolve });
    expect((await failureOf(sender.send(post('https://mixed.example.test/')))).category).toBe('refusedAddress');
    expect(await sender.checkDestination('https://mixed.example.test/')).toEqual({
      reason: 'refusedAddress',
      address: '10.0.0.5',
      addressClass: 'private',
      privateNetworkSetting: true,
    });
  });

  it('attack: metadata and link-local names are refused even with private networks allowed', async () => {
    const resolve = tableResolver({
      'metadata.example.test': ['169.254.169.254'],
      'v6.example.test': ['fe80::1'],
      'aws6.example.test': ['fd00:ec2::254'],
    });
    const sender = new PinnedHttpSender({ allowPrivateNetworks: true, resolve });
    for (const host of ['metadata.example.test', 'v6.example.test', 'aws6.example.test']) {
      expect((await failureOf(sender.send(post(`http://${host}/latest/meta-data/`)))).category).toBe('refusedAddress');
    }
  });

  it('attack: DNS rebinding cannot switch the address: the connection goes to the one checked answer, Host header kept', async () => {
    // First answer: the receiver (allowed with the setting on); any later answer would be elsewhere.
    // The system resolver knows no `rebind.example.test`: the request reaching the receiver proves
    // the connection used the checked address and resolved nothing again.
    const resolve = tableResolver({ 'rebind.example.test': ['127.0.0.1', '10.255.255.1'] });
    const sender = new PinnedHttpSender({ allowPrivateNetworks: true, resolve });
    expect(await sender.send(post(`http://rebind.example.test:${receiver.port}/hook`))).toEqual({ status: 204 });
    expect(resolve.calls).toEqual(['rebind.example.test']);
    expect(receiver.seen.map((s) => s.headers.host)).toEqual([`rebind.example.test:${receiver.port}`]);
  });

  it('attack: a name that was public at registration and rebinds to loopback is refused at send time', async () => {
    const resolve = tableResolver({ 'rebind.example.test': ['93.184.216.34', '127.0.0.1'] });
    const sender = new PinnedHttpSender({ allowPrivateNetworks: false, resolve });
    expect(await sender.checkDestination(`https://rebind.example.test:${receiver.port}/`)).toBeNull();
    expect((await failureOf(sender.send(post(`https://rebind.example.test:${receiver.port}/`)))).category).toBe(
      'refusedAddress',
    );
    expect(receiver.seen).toEqual([]);
  });

  it('sends the TLS server name of the URL host, not the pinned address', async () => {
    const names: string[] = [];
    const tls = createTlsServer({
      SNICallback: (name, cb) => (names.push(name), cb(new Error('no certificate in this test'))),
    });
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      const resolve = tableResolver({ 'hooks.example.test': ['127.0.0.1'] });
      const sender = new PinnedHttpSender({ allowPrivateNetworks: true, resolve });
      const error = await failureOf(
        sender.send(post(`https://hooks.example.test:${(tls.address() as AddressInfo).port}/`)),
      );
      expect(['tlsFailed', 'connectionFailed']).toContain(error.category);
      expect(names).toEqual(['hooks.example.test']);
    } finally {
      await new Promise<void>((resolve) => tls.close(() => resolve()));
    }
  });

  it('attack: a redirect is answered as it is, not followed', async () => {
    await close(receiver.server);
    receiver = await startReceiver(302);
    const sender = new PinnedHttpSender({ allowPrivateNetworks: true });
    expect(await sender.send(post(`http://127.0.0.1:${receiver.port}/`))).toEqual({ status: 302 });
    expect(receiver.seen).toHaveLength(1);
  });

  it('reports a receiver that never answers as timeout, and a closed port as connectionFailed', async () => {
    await close(receiver.server);
    receiver = await startReceiver('hang');
    const sender = new PinnedHttpSender({ allowPrivateNetworks: true });
    const started = Date.now();
    expect((await failureOf(sender.send(post(`http://127.0.0.1:${receiver.port}/`, 200)))).category).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
    receiver.server.closeAllConnections();

    const closed = await startReceiver();
    const { port } = closed;
    await close(closed.server);
    const failure = await failureOf(sender.send(post(`http://127.0.0.1:${port}/`)));
    expect(failure.category).toBe('connectionFailed');
    expect(failure.message).not.toContain(String(port));
  });

  it('reports a name that does not resolve as unresolvedHost, and accepts it at registration (checked again at send time)', async () => {
    const sender = new PinnedHttpSender({ allowPrivateNetworks: false, resolve: tableResolver({}) });
    expect((await failureOf(sender.send(post('https://nowhere.example.test/')))).category).toBe('unresolvedHost');
    expect(await sender.checkDestination('https://nowhere.example.test/')).toBeNull();
  });

  it('requires https to a public address, even with private networks allowed', async () => {
    const resolve = tableResolver({ 'public.example.test': ['93.184.216.34'] });
    const sender = new PinnedHttpSender({ allowPrivateNetworks: true, resolve });
    expect((await failureOf(sender.send(post('http://public.example.test/')))).category).toBe('httpsRequired');
    expect(await sender.checkDestination('http://public.example.test/')).toEqual({ reason: 'httpsRequired' });
    expect(
      await new PinnedHttpSender({ allowPrivateNetworks: false, resolve }).checkDestination(
        'http://public.example.test/',
      ),
    ).toEqual({ reason: 'httpsRequired' });
  });
});
