import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** A user of the test tenant, in Graph's shape. */
export interface TenantUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  userType: 'Member' | 'Guest';
  accountEnabled: boolean;
  mail: string | null;
  createdDateTime: string;
}

export interface TenantGroup {
  id: string;
  displayName: string;
  /** Member ids: users or groups (nesting makes transitive membership). */
  members: Set<string>;
}

export interface RecordedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  authorization?: string;
  body?: unknown;
  /** Inside a `$batch`, rather than on the wire. */
  inBatch: boolean;
}

export interface GraphSubscription {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl?: string;
  clientState?: string;
  expirationDateTime: string;
}

interface Throttle {
  count: number;
  status: 429 | 503;
  retryAfterSeconds: number;
  /** Throttle steps inside `$batch` instead of whole requests. */
  inBatch: boolean;
}

/**
 * A Graph-shaped test server (plain HTTP on 127.0.0.1; put test/support/tlsProxy.ts in front, as
 * the SDK talks https only): users with `$select`, `$filter`, `$top` and skiptoken paging whose
 * `@odata.nextLink` names the public (forwarded) origin, transitive group membership, `$batch`,
 * 429/503 with Retry-After on demand, `/users/delta` with delta tokens, and subscriptions.
 */
export class GraphTestServer {
  readonly users = new Map<string, TenantUser>();
  readonly groups = new Map<string, TenantGroup>();
  readonly subscriptions = new Map<string, GraphSubscription>();
  readonly requests: RecordedRequest[] = [];
  /** Items per page of every collection. */
  pageSize = 2;
  /** The bearer token requests must carry. */
  token = 'graph-test-token';
  private throttle?: Throttle;
  /** Delta: a sequence number per change; the token is the last sequence a client saw. */
  private seq = 0;
  private readonly changedAt = new Map<string, number>();
  private server?: Server;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  addUser(partial: Partial<TenantUser> & { userPrincipalName: string }): TenantUser {
    const user: TenantUser = {
      id: randomUUID(),
      displayName: partial.userPrincipalName.split('@')[0]!,
      userType: 'Member',
      accountEnabled: true,
      mail: null,
      createdDateTime: '2026-01-01T00:00:00Z',
      ...partial,
    };
    this.users.set(user.id, user);
    this.changedAt.set(user.id, ++this.seq);
    return user;
  }

  /** Changes a user as an admin would in the tenant (delta reports it). */
  updateUser(id: string, patch: Partial<TenantUser>): TenantUser {
    const user = { ...this.users.get(id)!, ...patch };
    this.users.set(id, user);
    this.changedAt.set(id, ++this.seq);
    return user;
  }

  addGroup(displayName: string, members: string[] = []): TenantGroup {
    const group = { id: randomUUID(), displayName, members: new Set(members) };
    this.groups.set(group.id, group);
    return group;
  }

  /** The next `count` requests (or `$batch` steps) answer `status` with Retry-After. */
  throttleNext(count: number, options: { status?: 429 | 503; retryAfterSeconds?: number; inBatch?: boolean } = {}) {
    this.throttle = {
      count,
      status: options.status ?? 429,
      retryAfterSeconds: options.retryAfterSeconds ?? 1,
      inBatch: options.inBatch ?? false,
    };
  }

  /** Requests on the wire (not `$batch` steps) whose path starts with `prefix`. */
  wire(prefix = ''): RecordedRequest[] {
    return this.requests.filter((r) => !r.inBatch && r.url.startsWith(prefix));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text ? JSON.parse(text) : undefined;
    const proto = (req.headers['x-forwarded-proto'] as string | undefined) ?? 'http';
    const host = (req.headers['x-forwarded-host'] as string | undefined) ?? req.headers.host ?? '';
    const origin = `${proto}://${host}`;
    const authorization = req.headers.authorization;
    this.requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', authorization, body, inBatch: false });
    if (authorization !== `Bearer ${this.token}`) {
      return send(res, 401, error('InvalidAuthenticationToken', 'Access token is empty or invalid.'));
    }
    const throttled = this.takeThrottle(false);
    if (throttled) return send(res, throttled.status, throttled.body, throttled.headers);
    const answer = this.route(req.method ?? 'GET', req.url ?? '/', body, origin);
    send(res, answer.status, answer.body, answer.headers);
  }

  private takeThrottle(inBatch: boolean): Answer | undefined {
    const t = this.throttle;
    if (!t || t.count <= 0 || t.inBatch !== inBatch) return undefined;
    t.count--;
    return {
      status: t.status,
      headers: { 'Retry-After': String(t.retryAfterSeconds) },
      body: error(t.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable', 'Please retry after the given time.'),
    };
  }

  private route(method: string, rawUrl: string, body: unknown, origin: string): Answer {
    const url = new URL(rawUrl, 'http://graph.test');
    const path = decodeURIComponent(url.pathname).replace(/^\/(v1\.0|beta)/, '');
    const q = url.searchParams;
    const select = q.get('$select')?.split(',');
    let m: RegExpMatchArray | null;
    if (method === 'POST' && path === '/$batch') return this.batch(body, origin);
    if (method === 'GET' && path === '/users/delta') return this.delta(q, origin, rawUrl);
    if (method === 'GET' && path === '/users') {
      let users = [...this.users.values()];
      const filter = q.get('$filter');
      const eq = filter?.match(/^(\w+) eq '(.*)'$/);
      if (eq) users = users.filter((u) => String(u[eq[1] as keyof TenantUser]).toLowerCase() === eq[2]!.toLowerCase());
      return this.page(users, q, origin, url.pathname, select);
    }
    if ((m = path.match(/^\/users\/([^/]+)\/transitiveMemberOf\/microsoft\.graph\.group$/)) && method === 'GET') {
      const user = this.findUser(m[1]!);
      if (!user) return notFound(m[1]!);
      const groups = [...this.groups.values()].filter((g) => this.isTransitiveMember(g, user.id, new Set()));
      return this.page(
        groups.map((g) => ({ id: g.id, displayName: g.displayName })),
        q,
        origin,
        url.pathname,
        select,
      );
    }
    if ((m = path.match(/^\/users\/([^/]+)$/)) && method === 'GET') {
      const user = this.findUser(m[1]!);
      return user ? { status: 200, body: pick(user, select) } : notFound(m[1]!);
    }
    if ((m = path.match(/^\/groups\/([^/]+)$/)) && method === 'GET') {
      const group = this.groups.get(m[1]!);
      return group ? { status: 200, body: { id: group.id, displayName: group.displayName } } : notFound(m[1]!);
    }
    if (method === 'POST' && path === '/subscriptions') {
      const s = body as Omit<GraphSubscription, 'id'>;
      const created = { ...s, id: randomUUID() };
      this.subscriptions.set(created.id, created);
      return { status: 201, body: created };
    }
    if ((m = path.match(/^\/subscriptions\/([^/]+)$/))) {
      const s = this.subscriptions.get(m[1]!);
      if (!s) return notFound(m[1]!);
      if (method === 'PATCH') {
        Object.assign(s, { expirationDateTime: (body as { expirationDateTime: string }).expirationDateTime });
        return { status: 200, body: s };
      }
      if (method === 'DELETE') {
        this.subscriptions.delete(s.id);
        return { status: 204 };
      }
    }
    return { status: 400, body: error('BadRequest', `Unsupported request ${method} ${path}`) };
  }

  private findUser(idOrUpn: string): TenantUser | undefined {
    return (
      this.users.get(idOrUpn) ??
      [...this.users.values()].find((u) => u.userPrincipalName.toLowerCase() === idOrUpn.toLowerCase())
    );
  }

  private isTransitiveMember(group: TenantGroup, memberId: string, seen: Set<string>): boolean {
    if (seen.has(group.id)) return false;
    seen.add(group.id);
    for (const id of group.members) {
      if (id === memberId) return true;
      const nested = this.groups.get(id);
      if (nested && this.isTransitiveMember(nested, memberId, seen)) return true;
    }
    return false;
  }

  private page(items: object[], q: URLSearchParams, origin: string, pathname: string, select?: string[]): Answer {
    const top = Math.min(Number(q.get('$top') ?? this.pageSize), this.pageSize);
    const skip = Number(q.get('$skiptoken') ?? q.get('$skipToken') ?? 0);
    const value = items.slice(skip, skip + top).map((i) => pick(i, select));
    const body: Record<string, unknown> = { value };
    if (skip + top < items.length) {
      const next = new URLSearchParams(q);
      next.set('$skiptoken', String(skip + top));
      body['@odata.nextLink'] = `${origin}${pathname}?${next.toString()}`;
    }
    return { status: 200, body };
  }

  private delta(q: URLSearchParams, origin: string, rawUrl: string): Answer {
    const since = Number(q.get('$deltatoken') ?? 0);
    const skip = Number(q.get('$skiptoken') ?? q.get('$skipToken') ?? 0);
    const upTo = Number(q.get('upTo') ?? this.seq);
    const changed = [...this.users.values()].filter((u) => {
      const at = this.changedAt.get(u.id) ?? 0;
      return at > since && at <= upTo;
    });
    const value = changed.slice(skip, skip + this.pageSize);
    const base = `${origin}${new URL(rawUrl, 'http://x').pathname}`;
    if (skip + this.pageSize < changed.length)
      return {
        status: 200,
        body: {
          value,
          '@odata.nextLink': `${base}?$skiptoken=${skip + this.pageSize}&$deltatoken=${since}&upTo=${upTo}`,
        },
      };
    return { status: 200, body: { value, '@odata.deltaLink': `${base}?$deltatoken=${upTo}` } };
  }

  private batch(body: unknown, origin: string): Answer {
    const requests = (body as { requests: Array<{ id: string; method: string; url: string; body?: unknown }> })
      .requests;
    if (requests.length > 20) return { status: 400, body: error('BadRequest', 'A $batch holds at most 20 requests.') };
    const responses = requests.map((r) => {
      const url = r.url.startsWith('/') ? r.url : `/${r.url}`;
      this.requests.push({ method: r.method, url, body: r.body, inBatch: true });
      const a = this.takeThrottle(true) ?? this.route(r.method, `/v1.0${url}`, r.body, origin);
      return { id: r.id, status: a.status, headers: a.headers ?? {}, body: a.body };
    });
    return { status: 200, body: { responses } };
  }
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const error = (code: string, message: string) => ({ error: { code, message } });
const notFound = (id: string): Answer => ({
  status: 404,
  body: error('Request_ResourceNotFound', `Resource '${id}' does not exist.`),
});

function pick(item: object, select?: string[]): object {
  if (!select) return item;
  return Object.fromEntries(Object.entries(item).filter(([k]) => select.includes(k)));
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) return void res.writeHead(status, headers).end();
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** Starts a Graph test server. */
export function startGraphTestServer(): Promise<GraphTestServer> {
  return new GraphTestServer().start();
}

/** A credential the test controls: Graph's token, counted. */
export function testCredential(token: string): TokenCredential & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    getToken: (scopes: string | string[]): Promise<AccessToken> => {
      calls.push([scopes].flat());
      return Promise.resolve({ token, expiresOnTimestamp: Date.now() + 3600_000 });
    },
  };
}
