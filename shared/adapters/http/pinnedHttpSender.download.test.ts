import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { HttpSendError } from '../../ports/httpSender.port';
import { PinnedHttpSender } from './pinnedHttpSender';

/** A server on 127.0.0.1 answering with `handler`, counting requests. */
async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; base: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

async function failureOf(promise: Promise<unknown>): Promise<HttpSendError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpSendError);
  return error as HttpSendError;
}

const allowed = new PinnedHttpSender({ allowPrivateNetworks: true });
const get = (url: string, maxBytes = 1024, timeoutMs = 2000) => ({ url, maxBytes, timeoutMs });

describe('PinnedHttpSender.download (the FIDO metadata blob)', () => {
  let servers: Server[] = [];
  const serve = async (handler: (req: IncomingMessage, res: ServerResponse) => void) => {
    const started = await startServer(handler);
    servers.push(started.server);
    return started;
  };
  afterEach(async () => {
    await Promise.all(servers.map(close));
    servers = [];
  });

  it('GETs the URL and reads the body, with the headers given', async () => {
    let accept: string | undefined;
    const { base, requests } = await serve((req, res) => {
      accept = req.headers.accept;
      res.end('header.payload.signature');
    });
    const response = await allowed.download({ ...get(`${base}/mds?x=1`), headers: { accept: 'application/jwt' } });
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe('header.payload.signature');
    expect(requests).toEqual(['GET /mds?x=1']);
    expect(accept).toBe('application/jwt');
  });

  it.each([
    ['127.0.0.1', (port: string) => `http://127.0.0.1:${port}/`],
    ['localhost', (port: string) => `http://localhost:${port}/`],
    ['https on 127.0.0.1', (port: string) => `https://127.0.0.1:${port}/`],
  ])('attack: an MDS URL on a private address is refused (%s) and nothing is sent', async (_name, url) => {
    const { base, requests } = await serve((_req, res) => res.end('blob'));
    const refusing = new PinnedHttpSender({ allowPrivateNetworks: false });
    const error = await failureOf(refusing.download(get(url(new URL(base).port))));
    expect(error.category).toBe('refusedAddress');
    expect(requests).toEqual([]);
  });

  it('does not follow a redirect (to another address it would not have checked)', async () => {
    const target = await serve((_req, res) => res.end('elsewhere'));
    const { base } = await serve((_req, res) => res.writeHead(302, { Location: `${target.base}/blob` }).end());
    expect((await allowed.download(get(`${base}/`))).status).toBe(302);
    expect(target.requests).toEqual([]);
  });

  it.each([
    ['declared by content-length', (res: ServerResponse) => res.end(Buffer.alloc(2048))],
    [
      'streamed without a length',
      (res: ServerResponse) => {
        res.writeHead(200, { 'transfer-encoding': 'chunked' });
        for (let i = 0; i < 8; i++) res.write(Buffer.alloc(512));
        res.end();
      },
    ],
  ])('refuses a body over maxBytes (%s)', async (_name, answer) => {
    const { base } = await serve((_req, res) => answer(res));
    const error = await failureOf(allowed.download(get(`${base}/`, 1024)));
    expect(error.category).toBe('invalidResponse');
    expect(error.message).toMatch(/1024/);
  });

  it('times out a body that stops half way (the timeout covers the whole body)', async () => {
    const { base } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('half');
    });
    const error = await failureOf(allowed.download(get(`${base}/`, 1024, 300)));
    expect(error.category).toBe('timeout');
  });
});
