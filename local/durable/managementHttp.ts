import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_BODY_BYTES } from '../../functions/http/pipeline';
import { DURABLE_WEBHOOK_PATH } from './durableClientInput';
import { LocalDurableEngine } from './engine';
import { refuseWithoutSystemKey } from './managementAuth';
import {
  DurableManagementOptions,
  DurableManagementResponse,
  handleDurableManagementRequest,
} from './managementRoutes';
import { DurableSystemKey } from './systemKey';

const PREFIX = `${DURABLE_WEBHOOK_PATH}/`;

export interface DurableManagementListenerOptions extends DurableManagementOptions {
  /** Required on every call (there is no unguarded listener). */
  systemKey: DurableSystemKey;
}

const send = (res: ServerResponse, response: DurableManagementResponse) => {
  res.writeHead(response.status, response.headers);
  res.end(response.body);
};

/**
 * Mounts {@link handleDurableManagementRequest} on a node:http server: returns a function that
 * serves requests under `/runtime/webhooks/durabletask/` and resolves false for any other path
 * (so the host can route those elsewhere). A call without the system key gets a 401 before its
 * body is even read.
 */
export function durableManagementListener(
  engine: LocalDurableEngine,
  options: DurableManagementListenerOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return false;
    }
    if (!url.pathname.startsWith(PREFIX)) return false;
    const refused = refuseWithoutSystemKey(options.systemKey, req.headers, url.searchParams);
    if (refused) {
      req.resume();
      send(res, refused);
      return true;
    }
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY_BYTES) {
          send(res, {
            status: 413,
            headers: { 'Content-Type': 'application/json; charset=utf-8' },
            body: JSON.stringify({ message: `The request body is over ${MAX_BODY_BYTES} bytes.` }),
          });
          req.destroy();
          return true;
        }
        chunks.push(chunk as Buffer);
      }
      send(
        res,
        await handleDurableManagementRequest(
          engine,
          req.method ?? 'GET',
          url.pathname.slice(PREFIX.length),
          url.searchParams,
          Buffer.concat(chunks).toString('utf8'),
          options,
        ),
      );
    } catch (error) {
      if (!res.headersSent)
        send(res, {
          status: 500,
          headers: { 'Content-Type': 'application/json; charset=utf-8' },
          body: JSON.stringify({ message: `Local durable engine error: ${(error as Error).message}` }),
        });
    }
    return true;
  };
}
