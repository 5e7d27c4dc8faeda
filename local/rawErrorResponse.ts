import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { graphErrorBody } from '../functions/http/errorResponse';
import type { HttpErrorCodeEntry } from '../functions/http/httpErrors';

/**
 * Writes an HTTP-edge error in Graph's shape from a raw route (front door, static files), so
 * every refusal the host gives — not only the functions' — is `{"error":{"code","message"}}`.
 */
export function sendHttpError(
  res: ServerResponse,
  definition: HttpErrorCodeEntry,
  message: string,
  headers: Record<string, string> = {},
): void {
  const requestId = randomUUID();
  const body = Buffer.from(JSON.stringify(graphErrorBody(definition.code, message, requestId)));
  res.writeHead(definition.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(body.length),
    'X-Content-Type-Options': 'nosniff',
    'request-id': requestId,
    ...headers,
  });
  res.end(body);
}
