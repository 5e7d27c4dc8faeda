import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventEnvelope } from '../../shared/ports/eventBus.port';

/** A webhook receiver on 127.0.0.1 that keeps the events it got. */
export async function startReceiver(): Promise<{ url: string; events: EventEnvelope[]; close(): Promise<void> }> {
  const events: EventEnvelope[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      events.push(JSON.parse(body) as EventEnvelope);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    events,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
