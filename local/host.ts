import { FunctionInput, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import type { RegisteredHttpFunction } from '../functions/registry';
import { graphError } from '../functions/http/errorResponse';
import { MAX_BODY_BYTES } from '../functions/http/pipeline';
import { bySpecificity, compileRoute, CompiledRoute, matchRoute } from './routeTemplate';
import { Logger } from './logger';

/** Extra routes served outside the function registry (durable management API, static files). */
export type RawRoute = (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) => Promise<boolean>;

interface MountedFunction {
  route: CompiledRoute;
  fn: RegisteredHttpFunction;
}

/** Prepares the InvocationContext of a function that declares extra inputs (the durable client). */
export type ContextDecorator = (fn: RegisteredHttpFunction, context: InvocationContext) => void;

export interface LocalHostOptions {
  port: number;
  hostname?: string;
  /** Origins allowed to call cross-origin (CORS), e.g. a sign-in frontend on another port. */
  corsOrigins: string[];
  logger: Logger;
  rawRoutes?: RawRoute[];
  decorateContext?: ContextDecorator;
  /** Extra inputs to declare on a function's context (what `app.http` would get in `extraInputs`). */
  extraInputsOf?: (fn: RegisteredHttpFunction) => FunctionInput[];
}

/**
 * The embedded Functions host: serves the same registered HTTP functions that Azure runs, handing
 * them real `HttpRequest`/`InvocationContext` objects. Replaces `func start` on machines without
 * Core Tools.
 */
export class LocalHost {
  private readonly mounted: MountedFunction[];
  private server?: Server;

  constructor(
    registry: RegisteredHttpFunction[],
    private readonly options: LocalHostOptions,
  ) {
    this.mounted = registry
      .map((fn) => ({ route: compileRoute(fn.definition.route), fn }))
      .sort((a, b) => bySpecificity(a.route, b.route));
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.options.port, this.options.hostname, resolve);
    });
    const { port } = this.server.address() as AddressInfo;
    return `http://localhost:${port}`;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  /** Stops accepting connections and waits for in-flight requests. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    try {
      this.applyCors(req, res);
      if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
        res.writeHead(204).end();
        return;
      }
      const body = await readBody(req);
      if (body === 'tooLarge') {
        return send(res, graphError(413, 'RequestBodyTooLarge', `The request body is over ${MAX_BODY_BYTES} bytes.`, requestId));
      }
      for (const raw of this.options.rawRoutes ?? []) {
        if (await raw(req, res, url, body)) return;
      }
      await this.dispatch(req, res, url, body, requestId);
    } catch (error) {
      this.options.logger.error(`request ${requestId} failed`, error);
      if (!res.headersSent) send(res, graphError(500, 'generalException', `An internal error occurred. Quote request-id ${requestId} when reporting it.`, requestId));
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      this.options.logger.debug(`${req.method} ${url.pathname} ${res.statusCode} ${ms.toFixed(1)}ms`);
    }
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer, requestId: string): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const allowed = new Set<string>();
    for (const { route, fn } of this.mounted) {
      const params = matchRoute(route, url.pathname);
      if (!params) continue;
      const methods = fn.definition.methods as string[];
      if (!methods.includes(method) && !(method === 'HEAD' && methods.includes('GET'))) {
        methods.forEach((m) => allowed.add(m));
        continue;
      }
      const request = new HttpRequest({
        method,
        url: url.toString(),
        headers: flattenHeaders(req),
        query: Object.fromEntries(url.searchParams.entries()),
        params,
        body: body.length > 0 ? { bytes: body } : undefined,
      });
      const context = new InvocationContext({
        invocationId: requestId,
        functionName: fn.definition.name,
        logHandler: (level, ...args) => this.options.logger.log(level, `[${fn.definition.name}]`, ...args),
        options: { trigger: { type: 'httpTrigger', name: 'request' }, extraInputs: this.options.extraInputsOf?.(fn) ?? [], extraOutputs: [] },
      });
      this.options.decorateContext?.(fn, context);
      return send(res, await fn.handler(request, context), method === 'HEAD');
    }
    if (allowed.size > 0) {
      return send(res, graphError(405, 'MethodNotAllowed', `The method '${method}' is not allowed on '${url.pathname}'; expected one of ${[...allowed].join(', ')}.`, requestId, { Allow: [...allowed].join(', ') }));
    }
    send(res, graphError(404, 'NotFound', `No resource matches '${url.pathname}'. See /openapi.json for the API.`, requestId));
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
    req.on('error', reject);
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
