import { createHttpServer } from '@vercel/cosmosdb-server';
import { AddressInfo } from 'node:net';

/** A running in-process Cosmos DB server (`@vercel/cosmosdb-server`): in memory, empty at start. */
export interface CosmosTestServer {
  /** `http://127.0.0.1:PORT`: give it to createCosmosStore without an agent. */
  endpoint: string;
  /** The server accepts any key; the SDK only needs one to sign requests with. */
  key: string;
  close(): Promise<void>;
}

/**
 * Starts cosmosdb-server on 127.0.0.1 on an ephemeral port. Plain HTTP with keep-alive: the SDK's
 * default agent allows http only when no custom agent is passed, and keep-alive spares a TCP
 * handshake per request. The server lacks TTL, change feed, transactional batch, OFFSET/LIMIT,
 * GROUP BY and DISTINCT, and STARTSWITH's third (ignore-case) argument.
 */
export async function startCosmosServer(): Promise<CosmosTestServer> {
  // `keepAlive` is read by cosmosdb-server (it answers `connection: keep-alive`), not by node:http.
  const server = createHttpServer({ keepAlive: true } as Parameters<typeof createHttpServer>[0]);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    key: Buffer.from('cosmosdb-server accepts any key').toString('base64'),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        // Clients keep idle sockets open (keep-alive); without this, close waits for them to time out.
        server.closeAllConnections();
      }),
  };
}
