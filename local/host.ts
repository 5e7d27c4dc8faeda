import { FunctionInput, HttpResponseInit, InvocationContext } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import type { RegisteredHttpFunction } from '../functions/registry';
import { httpErrorResponse, internalErrorResponse } from '../functions/http/errorResponse';
import { HttpErrorCodes } from '../functions/http/httpErrors';
import { clientAddress, isValidHostHeader, publicOrigin } from '../functions/http/forwarded';
import { MAX_BODY_BYTES } from '../functions/http/pipeline';
import { bySpecificity, compileRoute, CompiledRoute, matchSegments, pathSegments } from './routeTemplate';
import { answerClientError, MAX_HEADER_BYTES } from './clientError';
import { Logger } from './logger';
import { localHttpRequest } from './localRequest';

/** Extra routes served outside the function registry (durable management API, static files). */
export type RawRoute = (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) => Promise<boolean>;

const DEFAULT_HOSTNAMES = ['127.0.0.1', '::1'];
/** A client gets 20 s for its headers and 60 s for the whole (at most 1 MiB) request: slowloris ends there. */
const HEADERS_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 60_000;
/** How often Node enforces those timeouts (its default, 30 s, would let a slow client hold on for 50 s). */
const TIMEOUT_CHECK_MS = 5_000;

/** The client went away (or sent an unparseable body) before the request was complete. */
class RequestAborted extends Error {}

interface MountedFunction {
  route: CompiledRoute;
  fn: RegisteredHttpFunction;
  /** Upper-cased methods; a GET route answers HEAD too. */
  methods: Set<string>;
  /** The function's extra inputs, asked for once (`extraInputsOf`), not per request. */
  extraInputs?: FunctionInput[];
}

/** Prepares the InvocationContext of a function that declares extra inputs (the durable client). */
export type ContextDecorator = (fn: RegisteredHttpFunction, context: InvocationContext) => void;

export interface LocalHostOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Addresses to listen on (HOST); loopback only (127.0.0.1 and ::1) when absent. */
  hostnames?: string[];
  /** TRUST_PROXY: public origin and client address from X-Forwarded-* (a proxy the deployment runs). */
  trustProxy?: boolean;
  /** Time a client has to send the request headers (slowloris); Node's check runs every `connectionsCheckingIntervalMs`. */
  headersTimeoutMs?: number;
  /** Time a client has to send the whole request. */
  requestTimeoutMs?: number;
  connectionsCheckingIntervalMs?: number;
  /** Origins allowed to call cross-origin (CORS), e.g. a sign-in frontend on another port. */
  corsOrigins: string[];
  logger: Logger;
  rawRoutes?: RawRoute[];
  decorateContext?: ContextDecorator;
  /** Extra inputs to declare on a function's context (what `app.http` would get in `extraInputs`). */
  extraInputsOf?: (fn: RegisteredHttpFunction) => FunctionInput[];
  /**
   * Asked before a 5xx answer is sent; false drops the connection instead. A cluster worker says
   * false once its primary is gone: the request failed because the engine vanished with it, and the
   * client should see what a crash of the single process shows (no answer), not an error to trust.
   */
  mayAnswerServerError?: () => Promise<boolean>;
}

/**
 * The embedded Functions host: serves the same registered HTTP functions that Azure runs, handing
 * them real `HttpRequest`/`InvocationContext` objects. Replaces `func start` on machines without
 * Core Tools.
 */
export class LocalHost {
  private readonly mounted: MountedFunction[];
  private servers: Server[] = [];

  constructor(
    registry: RegisteredHttpFunction[],
    private readonly options: LocalHostOptions,
  ) {
    this.mounted = registry
      .map((fn) => {
        const methods = new Set((fn.definition.methods as string[]).map((m) => m.toUpperCase()));
        if (methods.has('GET')) methods.add('HEAD');
        return { route: compileRoute(fn.definition.route), fn, methods };
      })
      .sort((a, b) => bySpecificity(a.route, b.route));
  }

  /**
   * Listens on every configured address with one port: the first listener picks it (port 0 in
   * tests), the others take the same one. Should another process hold that port on a later
   * address, every listener closes and, for an ephemeral port, the whole set retries.
   */
  async start(): Promise<string> {
    const hostnames = this.options.hostnames?.length ? this.options.hostnames : DEFAULT_HOSTNAMES;
    for (let attempt = 0; ; attempt++) {
      try {
        this.servers = await this.listenAll(hostnames);
        break;
      } catch (error) {
        if (this.options.port !== 0 || errnoOf(error) !== 'EADDRINUSE' || attempt >= 10) throw error;
      }
    }
    return `http://localhost:${this.port}`;
  }

  private async listenAll(hostnames: string[]): Promise<Server[]> {
    const servers: Server[] = [];
    let port = this.options.port;
    try {
      for (const hostname of hostnames) {
        const server = this.createServer();
        try {
          await listen(server, port, hostname);
        } catch (error) {
          // A machine without IPv6 (or without that address) still serves on the others.
          if (servers.length > 0 || hostnames.length > 1) {
            const code = errnoOf(error);
            if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') {
              this.options.logger.info(`not listening on ${hostname}: ${code}`);
              continue;
            }
          }
          throw error;
        }
        // A listener error after start (e.g. EMFILE) is logged, never thrown at the process.
        server.on('error', (error) => this.options.logger.error(`local host listener on ${hostname} failed`, error));
        servers.push(server);
        port = (server.address() as AddressInfo).port;
      }
      if (servers.length === 0) throw new Error(`The local host could not listen on any of ${hostnames.join(', ')}.`);
      return servers;
    } catch (error) {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
      throw error;
    }
  }

  private createServer(): Server {
    const limits = {
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: this.options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS,
      requestTimeout: this.options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      connectionsCheckingInterval: this.options.connectionsCheckingIntervalMs ?? TIMEOUT_CHECK_MS,
    };
    const server = createServer(limits, (req, res) => {
      this.handle(req, res).catch((error) => this.options.logger.error('request handling failed', error));
    });
    server.keepAliveTimeout = 5000;
    server.on('clientError', (error, socket) => answerClientError(error, socket));
    return server;
  }

  get port(): number {
    return (this.servers[0]?.address() as AddressInfo).port;
  }

  /** The addresses actually listened on (e.g. `127.0.0.1`, `::1`). */
  get addresses(): AddressInfo[] {
    return this.servers.map((s) => s.address() as AddressInfo);
  }

  /** Stops accepting connections and waits for in-flight requests. */
  async stop(): Promise<void> {
    const servers = this.servers;
    this.servers = [];
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeIdleConnections();
          }),
      ),
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    try {
      const target = this.requestTarget(req);
      // Unread body bytes of a request we cannot place are not trusted to frame the next one.
      if (typeof target === 'string')
        return send(
          res,
          httpErrorResponse(HttpErrorCodes.malformedRequest, target, requestId, { Connection: 'close' }),
        );
      const { url, headers } = target;
      this.applyCors(req, res);
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
        res.writeHead(204).end();
        return;
      }
      const body = await readBody(req);
      if (body === 'tooLarge') {
        return send(
          res,
          httpErrorResponse(
            HttpErrorCodes.payloadTooLarge,
            `The request body is over ${MAX_BODY_BYTES} bytes.`,
            requestId,
          ),
        );
      }
      for (const raw of this.options.rawRoutes ?? []) {
        if (await raw(req, res, url, body)) return;
      }
      await this.dispatch(req, res, url, headers, body, requestId);
    } catch (error) {
      if (error instanceof RequestAborted) {
        this.options.logger.debug(`request ${requestId} aborted by the client`);
        return;
      }
      this.options.logger.error(`request ${requestId} failed`, error);
      if (!res.headersSent && !res.destroyed && (await this.mayAnswerServerError(res)))
        send(res, internalErrorResponse(requestId));
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      this.options.logger.debug(`${req.method} ${(req.url ?? '').slice(0, 200)} ${res.statusCode} ${ms.toFixed(1)}ms`);
    }
  }

  /**
   * The URL and headers the function sees, or why the request cannot be understood. The path comes
   * from the request line, the origin from Host (or, behind a trusted proxy, X-Forwarded-*); the
   * client address always travels as one X-Forwarded-For entry the host wrote itself.
   */
  private requestTarget(req: IncomingMessage): { url: URL; headers: Record<string, string> } | string {
    const host = req.headers.host ?? `localhost:${req.socket.localPort ?? this.port}`;
    if (!isValidHostHeader(host)) return `The Host header '${host.slice(0, 100)}' is not a valid host[:port].`;
    let path: URL;
    const target = req.url ?? '/';
    try {
      // Origin-form (`/a//b`) is a path as written, not a scheme-relative URL naming a host.
      path = target.startsWith('/') ? new URL(`http://path.invalid${target}`) : new URL(target, 'http://path.invalid');
    } catch {
      return `The request target '${(req.url ?? '').slice(0, 100)}' is not a valid path.`;
    }
    if (!isDecodable(path.pathname))
      return `The path '${path.pathname.slice(0, 100)}' has an invalid percent-encoding.`;
    const headers = flattenHeaders(req);
    const trustProxy = this.options.trustProxy ?? false;
    let origin: string;
    try {
      origin = publicOrigin(`http://${host}`, { get: (name) => headers[name] ?? null }, trustProxy);
    } catch {
      // Passes the syntax check but not the URL parser, e.g. `1.2.3.999`.
      return `The Host header '${host.slice(0, 100)}' is not a valid host[:port].`;
    }
    const address = clientAddress(req.socket.remoteAddress, headers['x-forwarded-for'], trustProxy);
    // A client's own X-Forwarded-* must not reach the functions as if a proxy had written them.
    delete headers['x-forwarded-proto'];
    delete headers['x-forwarded-host'];
    delete headers['x-forwarded-for'];
    if (address) headers['x-forwarded-for'] = address;
    const url = new URL(origin);
    url.pathname = path.pathname;
    url.search = path.search;
    return { url, headers };
  }

  private async dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    headers: Record<string, string>,
    body: Buffer,
    requestId: string,
  ): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    // Split and decoded once for all routes (the host checked it decodes); Allow is built only on a miss.
    const parts = pathSegments(url.pathname) ?? [];
    let allowed: Set<string> | undefined;
    for (const mounted of this.mounted) {
      const { route, fn } = mounted;
      const params = matchSegments(route, parts);
      if (!params) continue;
      if (!mounted.methods.has(method)) {
        allowed ??= new Set<string>();
        for (const m of fn.definition.methods as string[]) allowed.add(m);
        continue;
      }
      const request = localHttpRequest({
        method,
        url: url.href,
        headers,
        query: url.search ? Object.fromEntries(url.searchParams.entries()) : {},
        params,
        body: body.length > 0 ? body : undefined,
      });
      const context = new InvocationContext({
        invocationId: requestId,
        functionName: fn.definition.name,
        logHandler: (level, ...args) => this.options.logger.log(level, `[${fn.definition.name}]`, ...args),
        options: {
          trigger: { type: 'httpTrigger', name: 'request' },
          extraInputs: (mounted.extraInputs ??= this.options.extraInputsOf?.(fn) ?? []),
          extraOutputs: [],
        },
      });
      this.options.decorateContext?.(fn, context);
      const response = await fn.handler(request, context);
      if ((response.status ?? 200) >= 500 && !(await this.mayAnswerServerError(res))) return;
      return send(res, response, method === 'HEAD');
    }
    if (allowed) {
      return send(
        res,
        httpErrorResponse(
          HttpErrorCodes.methodNotAllowed,
          `The method '${method}' is not allowed on '${url.pathname}'; expected one of ${[...allowed].join(', ')}.`,
          requestId,
          { Allow: [...allowed].join(', ') },
        ),
      );
    }
    send(
      res,
      httpErrorResponse(
        HttpErrorCodes.routeNotFound,
        `No resource matches '${url.pathname}'. See /openapi.json for the API.`,
        requestId,
      ),
    );
  }

  private async mayAnswerServerError(res: ServerResponse): Promise<boolean> {
    if (!this.options.mayAnswerServerError || (await this.options.mayAnswerServerError())) return true;
    res.destroy();
    return false;
  }

  private applyCors(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (!origin || !this.options.corsOrigins.includes(origin)) return;
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, If-Match, client-request-id');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PATCH, PUT, DELETE, OPTIONS');
    res.setHeader('Access-Control-Expose-Headers', 'ETag, Location, request-id');
  }
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** Reads the body, refusing (without buffering it all) anything over the limit. */
function readBody(req: IncomingMessage): Promise<Buffer | 'tooLarge'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'tooLarge' : Buffer.concat(chunks)));
    req.on('error', () => reject(new RequestAborted()));
    // An invalid chunked body or a dropped connection ends the request without 'end'.
    req.on('close', () => {
      if (!req.complete) reject(new RequestAborted());
    });
  });
}

function send(res: ServerResponse, response: HttpResponseInit, headOnly = false): void {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((response.headers ?? {}) as Record<string, string>)) headers[k] = v;
  let payload: Buffer | undefined;
  if (response.jsonBody !== undefined) {
    payload = Buffer.from(JSON.stringify(response.jsonBody));
    headers['Content-Type'] ??= 'application/json; charset=utf-8';
  } else if (typeof response.body === 'string') {
    payload = Buffer.from(response.body);
  } else if (response.body instanceof Uint8Array) {
    payload = Buffer.from(response.body);
  }
  if (payload) headers['Content-Length'] = String(payload.length);
  res.writeHead(response.status ?? 200, headers);
  res.end(headOnly ? undefined : payload);
}

function listen(server: Server, port: number, hostname: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, hostname, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

const errnoOf = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code;

/** Each path segment must percent-decode (`%zz` or a lone `%C3` does not). */
function isDecodable(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}
