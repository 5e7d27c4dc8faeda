import { DestinationRefusal } from '../domain/network/destinationRefusal';

/** One outgoing HTTP request (webhook deliveries). */
export interface OutgoingHttpRequest {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  /** The request is abandoned (and fails) after this long, name resolution included. */
  timeoutMs: number;
}

/**
 * Why a request got no response, in categories safe to show any reader of the delivery log: the
 * raw network error (addresses, ports, resolver text) would map the internal network for them.
 */
export type SendFailureCategory =
  | 'refusedAddress'
  | 'httpsRequired'
  | 'unresolvedHost'
  | 'connectionFailed'
  | 'timeout'
  | 'tlsFailed'
  | 'invalidResponse';

/** The rejection of `HttpSender.send`: a category for the log, the detail kept as `cause` for operators. */
export class HttpSendError extends Error {
  constructor(
    readonly category: SendFailureCategory,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'HttpSendError';
  }
}

/**
 * Sends HTTP requests to outside endpoints, only where the outgoing-address rules allow
 * (domain/network/destinationRefusal.ts), checked on every request against the addresses the
 * connection will really use.
 */
export interface HttpSender {
  /**
   * Whether the URL's destination is allowed now (at registration): its host resolved and every
   * address checked. Null when allowed, or when the host does not resolve now (checked again at send time).
   */
  checkDestination(url: string): Promise<DestinationRefusal | null>;
  /**
   * Resolves with the status of any response (2xx or not); rejects with an HttpSendError when no
   * response came (refused destination, DNS, connection, TLS, timeout). Redirects are not followed.
   */
  send(request: OutgoingHttpRequest): Promise<{ status: number }>;
}

/** One outgoing GET whose body is read (the FIDO metadata blob). */
export interface DownloadRequest {
  url: string;
  headers?: Record<string, string>;
  /** The request and the whole body are abandoned (and fail) after this long, name resolution included. */
  timeoutMs: number;
  /** A body longer than this fails the download (`invalidResponse`) instead of being read on. */
  maxBytes: number;
}

/**
 * Downloads from outside endpoints under the same outgoing-address rules as {@link HttpSender}
 * (checked against the addresses the connection really uses). Redirects are not followed.
 */
export interface HttpDownloader {
  /** Resolves with the status and the body of any response; rejects with an HttpSendError when none came or it was too long. */
  download(request: DownloadRequest): Promise<{ status: number; body: Buffer }>;
}
