import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
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

/** One management call as it arrived, on a socket or in process; the body is read only once the key was checked. */
export interface DurableManagementRequest {
  method: string;
  /** The request URL (path and query are what count; the origin is not looked at). */
  url: URL;
  headers: IncomingHttpHeaders;
  /** The body, or `tooLarge` once it exceeds {@link MAX_BODY_BYTES} (reading stops there). */
  readBody(): Promise<Buffer | 'tooLarge'>;
}

/** Answers one management call, or undefined for a path it does not own. */
export type DurableManagementAnswer = (
  request: DurableManagementRequest,
) => Promise<DurableManagementResponse | undefined>;

const jsonMessage = (status: number, message: string): DurableManagementResponse => ({
  status,
  headers: { 'Content-Type': 'application/json; charset=utf-8' },
  body: JSON.stringify({ message }),
});

/**
 * What the management listener answers, whichever way the call came (a socket, or the durable
 * client's in-process transport): undefined outside `/runtime/webhooks/durabletask/`; 401 without
 * the system key (before the body is read); 413 over {@link MAX_BODY_BYTES}; the route's answer;
 * 500 with the engine's message when it throws.
 */
export function durableManagementAnswer(
  engine: LocalDurableEngine,
  options: DurableManagementListenerOptions,
): DurableManagementAnswer {
  return async ({ method, url, headers, readBody }) => {
    if (!url.pathname.startsWith(PREFIX)) return undefined;
    const refused = refuseWithoutSystemKey(options.systemKey, headers, url.searchParams);
    if (refused) return refused;
    try {
      const body = await readBody();
      if (body === 'tooLarge') return jsonMessage(413, `The request body is over ${MAX_BODY_BYTES} bytes.`);
      return await handleDurableManagementRequest(
        engine,
        method,
        url.pathname.slice(PREFIX.length),
        url.searchParams,
        body.toString('utf8'),
        options,
      );
    } catch (error) {
      return jsonMessage(500, `Local durable engine error: ${(error as Error).message}`);
    }
  };
}

/** What the loopback management listener answers outside `/runtime/webhooks/durabletask/`. */
export const notServedHere = (): DurableManagementResponse => ({
  status: 404,
  headers: { 'Content-Type': 'application/json; charset=utf-8' },
  body: JSON.stringify({ error: { code: 'NotFound', message: `Only ${DURABLE_WEBHOOK_PATH}/ is served here.` } }),
});

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
  const answer = durableManagementAnswer(engine, options);
  return async (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return false;
    }
    let bodyRead = false;
    let tooLarge = false;
    const readBody = async (): Promise<Buffer | 'tooLarge'> => {
      bodyRead = true;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY_BYTES) {
          tooLarge = true;
          return 'tooLarge';
        }
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks);
    };
    const response = await answer({ method: req.method ?? 'GET', url, headers: req.headers, readBody });
    if (!response) return false;
    if (!bodyRead) req.resume();
    if (!res.headersSent) send(res, response);
    if (tooLarge) req.destroy();
    return true;
  };
}
