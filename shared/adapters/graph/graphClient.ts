import type { TokenCredential } from '@azure/core-auth';
import { AuthenticationHandler, Client, Context, Middleware } from '@microsoft/microsoft-graph-client';
import { request as httpsRequest } from 'node:https';

/** Where and as whom the connector talks to Microsoft Graph. */
export interface GraphConnection {
  /** e.g. https://graph.microsoft.com (https only: the SDK sends tokens only there). */
  baseUrl: string;
  /** `v1.0` (default) or `beta`. */
  version?: string;
  credential: TokenCredential;
  /** Token scope; default `{origin}/.default` (application permissions). */
  scopes?: string[];
  /** Extra trusted CA (PEM) for a Graph-shaped server behind a private CA (tests, proxies). */
  ca?: string;
  /** Throttling: retries of a 429/503 before giving up (default 3). */
  maxRetries?: number;
  /** Longest Retry-After honoured, in ms (default 30 s): a longer one is waited this long. */
  maxRetryAfterMs?: number;
}

const RETRYABLE = new Set([429, 503, 504]);

/** Retry-After in seconds or as an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Graph's throttling (429, 503 with Retry-After): waits as told (capped) and retries a bounded
 * number of times, then hands the last answer on so the caller sees Graph's error.
 */
export class ThrottlingHandler implements Middleware {
  private next?: Middleware;
  constructor(
    private readonly maxRetries: number,
    private readonly maxWaitMs: number,
  ) {}
  setNext(next: Middleware): void {
    this.next = next;
  }
  async execute(context: Context): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await this.next!.execute(context);
      const response = context.response;
      if (!response || !RETRYABLE.has(response.status) || attempt >= this.maxRetries) return;
      const told = retryAfterMs(response.headers.get('retry-after'));
      await sleep(Math.min(this.maxWaitMs, told ?? 2 ** attempt * 1000));
    }
  }
}

function headerRecord(headers: ConstructorParameters<typeof Headers>[0]): Record<string, string> {
  return Object.fromEntries(new Headers(headers).entries());
}

/**
 * The last link: HTTPS only (a nextLink or a configured URL over plain HTTP is refused, so a token
 * never travels in clear), with an optional extra CA.
 */
export class HttpsTransport implements Middleware {
  constructor(private readonly ca?: string) {}
  async execute(context: Context): Promise<void> {
    const url = new URL(typeof context.request === 'string' ? context.request : context.request.url);
    if (url.protocol !== 'https:')
      throw new Error(`Graph requests go over https only, received a ${url.protocol} URL (${url.origin})`);
    const options = context.options ?? {};
    const body = typeof options.body === 'string' ? options.body : undefined;
    const headers = headerRecord(options.headers);
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    context.response = await new Promise<Response>((resolve, reject) => {
      const req = httpsRequest(
        url,
        { method: options.method ?? 'GET', headers, ca: this.ca ? [this.ca] : undefined, timeout: 30_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 502;
            const responseHeaders = new Headers();
            for (const [name, value] of Object.entries(res.headers))
              if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
            const empty = status === 204 || status === 304;
            resolve(new Response(empty ? null : Buffer.concat(chunks), { status, headers: responseHeaders }));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`Graph request timed out: ${url.pathname}`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** A Graph SDK client: token from the credential (only to the configured host), throttling, https transport. */
export function createGraphClient(connection: GraphConnection): Client {
  const base = new URL(connection.baseUrl);
  if (base.protocol !== 'https:')
    throw new Error(`Setting GRAPH_BASE_URL must be an https URL, received '${connection.baseUrl}'`);
  const scopes = connection.scopes ?? [`${base.origin}/.default`];
  const auth = new AuthenticationHandler({
    getAccessToken: async () => {
      const token = await connection.credential.getToken(scopes);
      if (!token) throw new Error(`No Graph token for ${scopes.join(' ')}`);
      return token.token;
    },
  });
  const throttling = new ThrottlingHandler(connection.maxRetries ?? 3, connection.maxRetryAfterMs ?? 30_000);
  auth.setNext(throttling);
  throttling.setNext(new HttpsTransport(connection.ca));
  return Client.initWithMiddleware({
    baseUrl: base.origin + base.pathname.replace(/\/$/, ''),
    defaultVersion: connection.version ?? 'v1.0',
    middleware: auth,
    customHosts: new Set([base.hostname]),
  });
}
