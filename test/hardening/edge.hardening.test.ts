import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createLogger } from '../../local/logger';
import { RunningLocal, startLocal } from '../../local/startLocal';
import { loadConfig } from '../../shared/config';
import { recordFigure, scaled } from './figures';

const SUITE = 'edge';

/** Sends raw bytes; resolves with the status code answered (0: none before close/timeout). */
function rawStatus(port: number, data: Buffer, waitMs: number): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    const done = () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0));
    const timer = setTimeout(() => {
      socket.destroy();
      done();
    }, waitMs);
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      done();
    });
    socket.on('error', () => undefined);
    socket.write(data);
  });
}

const PATHS = [
  '/health',
  '/v1.0/users',
  '/v1.0/users/%E0%A4%A',
  '/webauthn/authentication/options',
  '/runtime/webhooks/durabletask/instances',
  '/web/',
  '/openapi.json',
  '/%',
  '*',
  '//x//',
  'http://a b/',
];
const token = fc.oneof(
  fc.constantFrom(...PATHS),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const method = fc.oneof(
  fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PUT', 'CONNECT', 'TRACE'),
  fc.string({ maxLength: 10 }),
);
const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 extra', '');
const headerValue = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom('a b', '1.2.3.999', '[::1', 'chunked', 'gzip, chunked', '-1', '99999999999999999999'),
  fc.nat({ max: 40_000 }).map((n) => 'x'.repeat(n)),
);
const header = fc.tuple(
  fc.oneof(
    fc.constantFrom(
      'Host',
      'Content-Length',
      'Transfer-Encoding',
      'Content-Type',
      'X-Forwarded-For',
      'X-Forwarded-Host',
      'Authorization',
      'Expect',
      'Connection',
    ),
    fc.string({ maxLength: 20 }),
  ),
  headerValue,
);
const separator = fc.constantFrom('\r\n', '\n', '\r', '\r\n\r\n');
const request = fc
  .record({
    method,
    target: token,
    version,
    headers: fc.array(header, { maxLength: 6 }),
    separator,
    body: fc.uint8Array({ maxLength: 300 }),
    truncate: fc.option(fc.nat({ max: 400 })),
  })
  .map(({ method: m, target, version: v, headers, separator: sep, body, truncate }) => {
    const head = `${m} ${target} ${v}${sep}${headers.map(([k, val]) => `${k}: ${val}`).join(sep)}${sep}${sep}`;
    const bytes = Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)]);
    return truncate === null ? bytes : bytes.subarray(0, truncate);
  });

describe('edge hardening: random raw HTTP against the local host', () => {
  let running: RunningLocal;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'passkeys-edge-'));
    const config = loadConfig({ PORT: '1', DATA_DIR: dataDir, AZURITE: 'off' }, dataDir);
    config.port = 0;
    running = await startLocal(config, {
      logger: createLogger('none'),
      host: { headersTimeoutMs: 500, requestTimeoutMs: 1000, connectionsCheckingIntervalMs: 100 },
    });
  });
  afterAll(async () => {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('attack: malformed requests (random request lines, headers, bodies, truncations) never get a 5xx nor stop the host', async () => {
    const cases = fc.sample(request, { numRuns: scaled(300, 5000), seed: 8 });
    const port = running.host.port;
    const serverErrors: string[] = [];
    for (let i = 0; i < cases.length; i += 25) {
      const batch = cases.slice(i, i + 25);
      const statuses = await Promise.all(batch.map((bytes) => rawStatus(port, bytes, 1500)));
      statuses.forEach(
        (s, j) => s >= 500 && serverErrors.push(`${s} ← ${JSON.stringify(batch[j].toString('latin1').slice(0, 300))}`),
      );
      expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
    }
    expect(serverErrors).toEqual([]);
    recordFigure(SUITE, 'raw malformed HTTP requests sent (host kept serving, no 5xx)', cases.length);
  }, 300_000);

  it('attack: a sign-in flood from one address is refused past RATE_LIMIT_PER_MINUTE while many other addresses pass', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'passkeys-edge-rl-'));
    const config = loadConfig(
      { PORT: '1', DATA_DIR: dir, RATE_LIMIT_PER_MINUTE: '5', TRUST_PROXY: 'true', AZURITE: 'off' },
      dir,
    );
    config.port = 0;
    const limited = await startLocal(config, { logger: createLogger('none') });
    try {
      const url = `http://127.0.0.1:${limited.host.port}/webauthn/authentication/options`;
      const send = (address: string) =>
        fetch(url, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': address },
          body: '{}',
        }).then((r) => r.status);
      const flood = scaled(100, 1000);
      const statuses: number[] = [];
      for (let i = 0; i < flood; i += 20)
        statuses.push(
          ...(await Promise.all(Array.from({ length: Math.min(20, flood - i) }, () => send('203.0.113.66')))),
        );
      expect(statuses.filter((s) => s === 200)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(flood - 5);
      const others: number[] = [];
      for (let i = 0; i < flood; i += 20)
        others.push(
          ...(await Promise.all(
            Array.from({ length: Math.min(20, flood - i) }, (_, j) => send(`198.51.${(i + j) >> 8}.${(i + j) & 255}`)),
          )),
        );
      expect(others.every((s) => s === 200)).toBe(true);
      recordFigure(SUITE, 'sign-in requests from one address over the limit (all 429)', flood - 5);
      recordFigure(SUITE, 'other client addresses served during the flood', flood);
    } finally {
      await limited.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
