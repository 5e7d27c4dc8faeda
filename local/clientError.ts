import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { graphErrorBody } from '../functions/http/errorResponse';
import { HttpErrorCodeEntry, HttpErrorCodes } from '../functions/http/httpErrors';

/** Node's default (16 KiB): enough for a bearer token and cookies, refused with 431 above it. */
export const MAX_HEADER_BYTES = 16 * 1024;

/** Node's client error codes we answer specifically; every other one is a malformed request. */
const CLIENT_ERRORS: Record<string, [HttpErrorCodeEntry, string]> = {
  HPE_HEADER_OVERFLOW: [
    HttpErrorCodes.requestHeaderFieldsTooLarge,
    `The request headers are over ${MAX_HEADER_BYTES} bytes.`,
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [HttpErrorCodes.requestTimeout, 'The request was not received in time.'],
};

/**
 * A request Node could not parse (bad request line, invalid chunk, oversized headers, timeout):
 * answer with a Graph error and close that connection; nothing reaches the functions.
 */
export function answerClientError(error: Error, socket: Duplex): void {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code === 'ECONNRESET' || !socket.writable || socket.destroyed) {
    socket.destroy();
    return;
  }
  const [{ status, code: graphCode }, message] = CLIENT_ERRORS[code] ?? [
    HttpErrorCodes.malformedRequest,
    'The request could not be parsed as HTTP/1.1.',
  ];
  const requestId = randomUUID();
  const body = JSON.stringify(graphErrorBody(graphCode, message, requestId));
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nrequest-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
  );
}
