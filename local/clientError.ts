import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';

/** Node's default (16 KiB): enough for a bearer token and cookies, refused with 431 above it. */
export const MAX_HEADER_BYTES = 16 * 1024;

const CLIENT_ERROR_STATUS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'RequestHeaderFieldsTooLarge', `The request headers are over ${MAX_HEADER_BYTES} bytes.`],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'RequestTimeout', 'The request was not received in time.'],
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
  const [status, graphCode, message] = CLIENT_ERROR_STATUS[code] ?? [400, 'BadRequest', 'The request could not be parsed as HTTP/1.1.'];
  const requestId = randomUUID();
  const body = JSON.stringify({ error: { code: graphCode, message, innerError: { date: new Date().toISOString(), 'request-id': requestId, 'client-request-id': requestId } } });
  const reason = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nrequest-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`);
}
