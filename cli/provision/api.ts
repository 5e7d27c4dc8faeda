import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { GraphPublicKeyCredential } from './credential';
import type { ClaimedUser } from '../../shared/services/provisioning/provisioningJobService';
import { FatalError } from './errors';

/** A user claimed from a job (`POST /provisioning/jobs/{id}/next` → 200): the server's own type. */
export type { ClaimedUser };

export type ClaimResult =
  | { kind: 'claimed'; user: ClaimedUser }
  /** 204: nothing ready now, the job still runs; `retryAfterMs` from Retry-After when sent. */
  | { kind: 'wait'; retryAfterMs?: number }
  /** 409 jobNotRunning: the job is completed or cancelled. */
  | { kind: 'stopped'; message: string };

/** `POST /provisioning/jobs/{id}/users/{userId}/credential` → 200. */
export interface CredentialOutcome {
  userId: string;
  userPrincipalName: string;
  state: string;
  reason: string | null;
  method?: { id: string; aaGuid?: string; model?: string | null; displayName?: string };
}

export interface JobUserRow {
  userId?: string;
  userPrincipalName: string;
  state: string;
  reason?: string | null;
  methodId?: string | null;
}

/** `GET /provisioning/jobs/{id}` → 200. */
export interface JobSnapshot {
  id: string;
  status: string;
  totalUsers: number;
  counts: Record<string, number>;
  users: JobUserRow[];
}

export interface CreationOptionsResponse {
  challengeTimeoutDateTime: string;
  publicKey: PublicKeyCredentialCreationOptionsJSON;
}

export interface Fido2MethodResponse {
  id: string;
  displayName?: string;
  aaGuid?: string;
  model?: string | null;
}

export interface CredentialBody {
  displayName?: string;
  publicKeyCredential: GraphPublicKeyCredential;
}

/** A non-2xx answer that is not fatal by itself; `code`/`message` come from Graph's error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly serverMessage: string,
    readonly retryAfterMs?: number,
  ) {
    super(`HTTP ${status} ${code}: ${serverMessage}`);
    this.name = 'ApiError';
  }
}

interface RawResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/** Retry-After in seconds (the only form our server sends); an HTTP date is honoured too. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value.trim()) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function graphError(body: unknown): { code?: string; message?: string } {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return {
    code: typeof error?.code === 'string' ? error.code : undefined,
    message: typeof error?.message === 'string' ? error.message : undefined,
  };
}

/** Graph answers "not allowed to call this" with 401 or 403 Authorization_RequestDenied; other 403s are policy refusals. */
export function isAuthorizationFailure(status: number, code: string): boolean {
  return status === 401 || (status === 403 && /^(Authorization_RequestDenied|accessDenied|Forbidden)$/i.test(code));
}

/** `alice@contoso.com` stays readable in the path (Graph accepts it); anything else is escaped. */
const segment = (value: string) => encodeURIComponent(value).replace(/%40/g, '@');

/**
 * The HTTP calls of the provisioning station. Transport failures and authorisation refusals throw
 * {@link FatalError}; other non-2xx answers throw {@link ApiError} for the caller to map.
 */
export class ProvisioningApi {
  constructor(
    private readonly server: string,
    private readonly token: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** `path` is below --server, or an absolute URL (a next link). */
  private async send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<RawResponse> {
    const url = /^https?:\/\//.test(path) ? path : `${this.server}${path}`;
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ?? cause?.message ?? (e as Error).message;
      throw new FatalError(
        `Cannot reach the server at ${this.server} (${method} ${path}): ${detail}. Is it running (npm start) and is --server right?`,
        { cause: e },
      );
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text.trim() !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (response.status >= 200 && response.status < 300)
      return { status: response.status, headers: response.headers, body: parsed };
    const { code, message } = graphError(parsed);
    const errorCode = code ?? `HTTP${response.status}`;
    const errorMessage =
      message ?? (typeof parsed === 'string' && parsed ? parsed.slice(0, 300) : response.statusText || 'no message');
    if (isAuthorizationFailure(response.status, errorCode)) {
      throw new FatalError(
        `The server refused the token (${response.status} ${errorCode}) on ${method} ${path}: ${errorMessage}`,
      );
    }
    throw new ApiError(response.status, errorCode, errorMessage, parseRetryAfter(response.headers.get('retry-after')));
  }

  /** Claims the next ready user of a job. */
  async claimNext(jobId: string): Promise<ClaimResult> {
    try {
      const response = await this.send('POST', `/provisioning/jobs/${segment(jobId)}/next`, {});
      if (response.status === 204 || response.body === undefined) {
        return { kind: 'wait', retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) };
      }
      return { kind: 'claimed', user: response.body as ClaimedUser };
    } catch (e) {
      if (e instanceof ApiError && e.status === 409)
        return { kind: 'stopped', message: `${e.code}: ${e.serverMessage}` };
      if (e instanceof ApiError && e.status === 404)
        throw new FatalError(`Job '${jobId}' was not found on ${this.server} (${e.code}: ${e.serverMessage}).`);
      throw e;
    }
  }

  /** Delivers the credential of a claimed user; the answer says how it ended. */
  async submitCredential(jobId: string, userId: string, body: CredentialBody): Promise<CredentialOutcome> {
    const response = await this.send(
      'POST',
      `/provisioning/jobs/${segment(jobId)}/users/${segment(userId)}/credential`,
      body,
    );
    return response.body as CredentialOutcome;
  }

  /**
   * The job; with `allUsers`, follows `@odata.nextLink` (the service pages the user rows) so the
   * snapshot carries every row.
   */
  async getJob(jobId: string, options: { allUsers?: boolean } = {}): Promise<JobSnapshot> {
    try {
      const first = await this.send('GET', `/provisioning/jobs/${segment(jobId)}`);
      const job = normaliseJob(first.body);
      const origin = new URL(this.server).origin;
      let next = nextLinkOf(first.body, origin);
      for (let page = 1; options.allUsers && next && page < MAX_USER_PAGES; page++) {
        const response = await this.send('GET', next);
        job.users.push(...normaliseJob(response.body).users);
        next = nextLinkOf(response.body, origin);
      }
      return job;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404)
        throw new FatalError(`Job '${jobId}' was not found on ${this.server} (${e.code}: ${e.serverMessage}).`);
      throw e;
    }
  }

  /** Graph: creation options for one user. */
  async creationOptions(
    userPrincipalName: string,
    challengeTimeoutInMinutes: number,
  ): Promise<CreationOptionsResponse> {
    const path = `/beta/users/${segment(userPrincipalName)}/authentication/fido2Methods/creationOptions(challengeTimeoutInMinutes=${challengeTimeoutInMinutes})`;
    return (await this.send('GET', path)).body as CreationOptionsResponse;
  }

  /** Graph: registers the credential for the user → the fido2AuthenticationMethod. */
  async createFido2Method(userPrincipalName: string, body: Required<CredentialBody>): Promise<Fido2MethodResponse> {
    return (await this.send('POST', `/beta/users/${segment(userPrincipalName)}/authentication/fido2Methods`, body))
      .body as Fido2MethodResponse;
  }
}

const MAX_USER_PAGES = 10_000;

/** `@odata.nextLink` re-aimed at --server's origin (the link's host is the server's own view of itself). */
function nextLinkOf(body: unknown, origin: string): string | undefined {
  const link = (body as { '@odata.nextLink'?: unknown } | null)?.['@odata.nextLink'];
  if (typeof link !== 'string' || link === '') return undefined;
  const url = new URL(link, origin);
  return `${origin}${url.pathname}${url.search}`;
}

/** Reads a job snapshot defensively: missing counts are 0, user rows without a UPN or state are dropped. */
export function normaliseJob(body: unknown): JobSnapshot {
  const job = (body ?? {}) as Partial<JobSnapshot> & { users?: unknown };
  const counts: Record<string, number> = {};
  for (const [state, n] of Object.entries(job.counts ?? {})) if (typeof n === 'number') counts[state] = n;
  const users = Array.isArray(job.users)
    ? job.users.filter((u): u is JobUserRow => typeof u?.userPrincipalName === 'string' && typeof u?.state === 'string')
    : [];
  return {
    id: String(job.id ?? ''),
    status: String(job.status ?? 'unknown'),
    totalUsers: Number(job.totalUsers ?? 0),
    counts,
    users,
  };
}

/** Users not finished yet: the station keeps polling while this is above zero. */
export const unfinishedCount = (job: JobSnapshot) =>
  (job.counts.pending ?? 0) + (job.counts.ready ?? 0) + (job.counts.claimed ?? 0);
