import type { IncomingMessage, ServerResponse } from 'node:http';
import { DURABLE_WEBHOOK_PATH } from './durableClientInput';
import { LocalDurableEngine } from './engine';
import { DurableManagementOptions, handleDurableManagementRequest } from './managementRoutes';

const PREFIX = `${DURABLE_WEBHOOK_PATH}/`;

/**
 * Mounts {@link handleDurableManagementRequest} on a node:http server: returns a function that
 * serves requests under `/runtime/webhooks/durabletask/` and resolves false for any other path
 * (so the host can route those elsewhere).
 */
export function durableManagementListener(
  engine: LocalDurableEngine,
  options: DurableManagementOptions = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith(PREFIX)) return false;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      const response = await handleDurableManagementRequest(
        engine,
        req.method ?? 'GET',
        url.pathname.slice(PREFIX.length),
        url.searchParams,
        Buffer.concat(chunks).toString('utf8'),
        options,
      );
      res.writeHead(response.status, response.headers);
      res.end(response.body);
    } catch (error) {
      res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ message: `Local durable engine error: ${(error as Error).message}` }));
    }
    return true;
  };
}
