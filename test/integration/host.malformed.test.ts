import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../local/logger';
import { RunningLocal, startLocal } from '../../local/startLocal';
import { loadConfig } from '../../shared/config';

/** Sends raw bytes and collects what comes back until the server closes or `waitMs` passes. */
function raw(port: number, data: string | Buffer, waitMs = 3000): Promise<{ text: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closedByServer: false });
    }, waitMs);
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedByServer: true });
    });
    socket.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code === 'ECONNRESET') return;
      clearTimeout(timer);
      reject(e);
    });
    socket.write(data);
  });
}

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
const graphErrorOf = (response: string) =>
  JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string } };

describe('local host: malformed requests over a raw socket', () => {
  let running: RunningLocal;
  let dataDir: string;
  let port: number;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'passkeys-malformed-'));
    const config = loadConfig({ PORT: '1', DATA_DIR: dataDir, AZURITE: 'off' }, dataDir);
    config.port = 0;
    // Short timeouts so the slowloris case ends within the test (production: 20 s / 60 s).
    running = await startLocal(config, {
      logger: createLogger('none'),
      host: { headersTimeoutMs: 1000, requestTimeoutMs: 2000, connectionsCheckingIntervalMs: 200 },
    });
    port = running.host.port;
  });
  afterAll(async () => {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  afterEach(async () => {
    // Whatever the previous request was, the host is still up and answering.
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
  });

  it('attack: Host "a b" (crashed the process) gets a 400 Graph error', async () => {
    const { text } = await raw(port, 'GET /health HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n');
    expect(statusOf(text)).toBe(400);
    expect(graphErrorOf(text).error).toMatchObject({ code: 'BadRequest', message: expect.stringContaining('Host') });
  });

  it.each([['1.2.3.999'], ['exa_mple.com'], ['host:99999'], ['[::1']])(
    'attack: unparseable Host %p gets a 400 Graph error',
    async (host) => {
      const { text } = await raw(port, `GET /health HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      expect(statusOf(text)).toBe(400);
      expect(graphErrorOf(text).error.code).toBe('BadRequest');
    },
  );

  it('attack: a request line that is not HTTP gets a 400 Graph error', async () => {
    const { text, closedByServer } = await raw(port, 'HELLO THERE\r\n\r\n');
    expect(statusOf(text)).toBe(400);
    expect(graphErrorOf(text).error.code).toBe('BadRequest');
    expect(closedByServer).toBe(true);
  });

  it('attack: 64 KiB of headers gets 431', async () => {
    const { text } = await raw(
      port,
      `GET /health HTTP/1.1\r\nHost: localhost\r\nX-Junk: ${'a'.repeat(64 * 1024)}\r\n\r\n`,
    );
    expect(statusOf(text)).toBe(431);
    expect(graphErrorOf(text).error.code).toBe('RequestHeaderFieldsTooLarge');
  });

  it('attack: slowloris (headers never finished) does not block others and is cut off after the headers timeout', async () => {
    const slow = raw(port, 'GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ', 6000);
    // Meanwhile other clients are served.
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    const { text, closedByServer } = await slow;
    expect(closedByServer).toBe(true);
    expect(statusOf(text)).toBe(408);
  });

  it('attack: an invalid chunked body gets a 400 Graph error', async () => {
    const request =
      'POST /webauthn/authentication/options HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n';
    const { text } = await raw(port, request);
    expect(statusOf(text)).toBe(400);
    expect(graphErrorOf(text).error.code).toBe('BadRequest');
  });

  it('attack: a chunked body cut off mid-way leaves nothing behind', async () => {
    const { text } = await raw(
      port,
      'POST /webauthn/authentication/options HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"use',
      500,
    );
    expect(text).toBe('');
  });

  it.each([['/v1.0/users/%E0%A4%A'], ['/web/%zz'], ['/runtime/webhooks/durabletask/instances/%C3']])(
    'attack: bad percent-encoding in %p gets a 400 Graph error',
    async (path) => {
      const { text } = await raw(port, `GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
      expect(statusOf(text)).toBe(400);
      expect(graphErrorOf(text).error).toMatchObject({
        code: 'BadRequest',
        message: expect.stringContaining('percent-encoding'),
      });
    },
  );

  it('attack: an absolute-form target naming another host is served for its path only', async () => {
    const { text } = await raw(
      port,
      'GET http://evil.example/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    expect(statusOf(text)).toBe(200);
  });

  it('attack: a path starting with // (found by the edge fuzzer: 500) is a path, not a host', async () => {
    const { text } = await raw(
      port,
      'GET //evil.example//health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );
    expect(statusOf(text)).toBe(404);
    expect(graphErrorOf(text).error.message).toContain('//evil.example//health');
  });

  it('listens on loopback only by default (127.0.0.1 and ::1, one port)', async () => {
    const addresses = running.host.addresses;
    expect(addresses.map((a) => a.address).sort()).toEqual(expect.arrayContaining(['127.0.0.1']));
    for (const a of addresses) {
      expect(['127.0.0.1', '::1']).toContain(a.address);
      expect(a.port).toBe(port);
    }
    // And `localhost` works whichever family the client resolves it to.
    expect((await fetch(`http://localhost:${port}/health`)).status).toBe(200);
  });

  it('attack: a machine on the network cannot reach the default host (external address refused)', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (!external) return; // no external interface on this machine: the address assertion above stands
    const refused = await new Promise<string>((resolve) => {
      const socket = connect({ host: external.address, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});
