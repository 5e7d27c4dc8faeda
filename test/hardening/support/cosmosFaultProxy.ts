import { createServer, request, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A small HTTP proxy in front of cosmosdb-server that, when told to, answers document requests
 * with 429 (and `x-ms-retry-after-ms`, as Cosmos DB does when throttling) or 503 instead of
 * forwarding them: the store's view of a throttled or unavailable account.
 */
export interface CosmosFaultProxy {
  endpoint: string;
  /** Requests answered with a fault since the last `fail`. */
  readonly refused: number;
  fail(fault: { status: number; times: number; retryAfterMs?: number }): void;
  pass(): void;
  close(): Promise<void>;
}

export async function startCosmosFaultProxy(target: string): Promise<CosmosFaultProxy> {
  const upstream = new URL(target);
  let fault: { status: number; times: number; retryAfterMs?: number } | undefined;
  let refused = 0;
  const server: Server = createServer((req, res) => {
    // Only data-plane requests on documents fail; account and collection metadata still answer.
    if (fault && fault.times > 0 && /\/docs(\/|$|\?)/.test(req.url ?? '')) {
      fault.times--;
      refused++;
      req.resume();
      const code = fault.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable';
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-ms-activity-id': '00000000-0000-0000-0000-000000000000',
      };
      if (fault.status === 429) headers['x-ms-retry-after-ms'] = String(fault.retryAfterMs ?? 10);
      res
        .writeHead(fault.status, headers)
        .end(JSON.stringify({ code, message: `Injected ${fault.status} by the fault proxy` }));
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get refused() {
      return refused;
    },
    fail: (f) => {
      fault = { ...f };
      refused = 0;
    },
    pass: () => {
      fault = undefined;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
