/** One outgoing HTTP request (webhook deliveries). */
export interface OutgoingHttpRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  /** The request is abandoned (and fails) after this long. */
  timeoutMs: number;
}

/**
 * Sends HTTP requests to outside endpoints. Resolves with the status of any response (2xx or not);
 * rejects when no response came (DNS, connection refused, timeout). Redirects are not followed.
 */
export interface HttpSender {
  send(request: OutgoingHttpRequest): Promise<{ status: number }>;
}
