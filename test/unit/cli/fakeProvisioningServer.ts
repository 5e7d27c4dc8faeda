/**
 * A tiny stand-in for the passkey service on 127.0.0.1 (node:http) implementing the station's HTTP
 * contract: the job routes (next / credential / job) and Graph's single-user provisioning routes.
 * Credentials are checked with the real @simplewebauthn/server, so a wrong challenge, origin or
 * attestation object fails the test. This is a unit-test fake of the CLI's peer, not the real host.
 */
import 'reflect-metadata';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  generateRegistrationOptions,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { zeroJobUserCounts } from '../../../shared/domain/provisioning/jobRows';
import type { TestJson } from '../../support/testJson';

export const TOKEN = 'test-token';
export const RP_ID = 'localhost';

export interface FakeUser {
  userId: string;
  userPrincipalName: string;
  displayName: string;
  /** How the server judges the credential; default provisioned. */
  verdict?: { state: string; reason: string };
  /** Rows the station never sees (skipped guests...): start in this final state. */
  initialState?: string;
}

export interface FakeJob {
  id: string;
  users: FakeUser[];
  /** The first N `next` calls answer 204, alternately with and without Retry-After. */
  waitsFirst?: number;
  retryAfterSeconds?: string;
  /** After the last user: 409 jobNotRunning (job completed), or keep answering 204 with status running. */
  end: '409' | '204';
  /** Page the job's user rows like the service does (`$top`/`$skiptoken`, `@odata.nextLink`). */
  pageSize?: number;
}

interface Row extends FakeUser {
  state: string;
  reason: string | null;
  methodId: string | null;
  options?: PublicKeyCredentialCreationOptionsJSON;
}

/** Graph's webauthnPublicKeyCredential, as the station posts it. */
type PostedCredential = Omit<RegistrationResponseJSON, 'rawId' | 'type'>;

/** The body of POST .../credential and POST .../fido2Methods. */
interface CredentialPost {
  displayName?: string;
  publicKeyCredential: PostedCredential;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  body?: TestJson;
  status: number;
}

export class FakeProvisioningServer {
  readonly requests: RecordedRequest[] = [];
  private server?: Server;
  private rows = new Map<string, Row>();
  private waitsLeft = 0;
  private singleUserOptions = new Map<string, PublicKeyCredentialCreationOptionsJSON>();
  private methodCounter = 0;
  /** What clientDataJSON.origin must be. */
  expectedOrigin = '';

  constructor(private readonly job?: FakeJob) {
    for (const user of job?.users ?? []) {
      this.rows.set(user.userId, {
        ...user,
        state: user.initialState ?? 'ready',
        reason: user.initialState ? `preset ${user.initialState}` : null,
        methodId: null,
      });
    }
    this.waitsLeft = job?.waitsFirst ?? 0;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) =>
        this.send(res, req, 500, { error: { code: 'generalException', message: String(e) } }),
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.expectedOrigin ||= this.url;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  get counts(): Record<string, number> {
    const counts: Record<string, number> = zeroJobUserCounts();
    for (const row of this.rows.values()) counts[row.state] = (counts[row.state] ?? 0) + 1;
    return counts;
  }

  private get status(): string {
    const open = [...this.rows.values()].some((r) => ['pending', 'ready', 'claimed'].includes(r.state));
    return open || this.job?.end === '204' ? 'running' : 'completed';
  }

  private records = new WeakMap<ServerResponse, RecordedRequest>();

  private send(
    res: ServerResponse,
    _req: IncomingMessage,
    status: number,
    body?: unknown,
    headers: Record<string, string> = {},
  ): void {
    const record = this.records.get(res);
    if (record) record.status = status;
    res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: `${path}${url.search}`,
      authorization: req.headers.authorization,
      body: text ? JSON.parse(text) : undefined,
      status: 0,
    };
    this.requests.push(record);
    this.records.set(res, record);
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      return this.send(res, req, 401, {
        error: { code: 'InvalidAuthenticationToken', message: 'Access token validation failure.' },
      });
    }
    let m: RegExpExecArray | null;
    if ((m = /^\/provisioning\/jobs\/([^/]+)$/.exec(path)) && req.method === 'GET')
      return this.getJob(res, req, m[1], Number(url.searchParams.get('$skiptoken') ?? 0));
    if ((m = /^\/provisioning\/jobs\/([^/]+)\/next$/.exec(path)) && req.method === 'POST')
      return this.next(res, req, m[1]);
    if ((m = /^\/provisioning\/jobs\/([^/]+)\/users\/([^/]+)\/credential$/.exec(path)) && req.method === 'POST')
      return this.credential(res, req, m[1], m[2], record.body);
    if (
      (m =
        /^\/beta\/users\/([^/]+)\/authentication\/fido2Methods\/creationOptions\(challengeTimeoutInMinutes=(\d+)\)$/.exec(
          path,
        )) &&
      req.method === 'GET'
    )
      return this.creationOptions(res, req, decodeURIComponent(m[1]));
    if ((m = /^\/beta\/users\/([^/]+)\/authentication\/fido2Methods$/.exec(path)) && req.method === 'POST')
      return this.createMethod(res, req, decodeURIComponent(m[1]), record.body);
    return this.send(res, req, 404, { error: { code: 'notFound', message: `No route ${req.method} ${path}` } });
  }

  private knownJob(res: ServerResponse, req: IncomingMessage, jobId: string): boolean {
    if (this.job && jobId === this.job.id) return true;
    this.send(res, req, 404, { error: { code: 'provisioningJobNotFound', message: `Job '${jobId}' does not exist.` } });
    return false;
  }

  private getJob(res: ServerResponse, req: IncomingMessage, jobId: string, skip: number): void {
    if (!this.knownJob(res, req, jobId)) return;
    const all = [...this.rows.values()].map(({ userId, userPrincipalName, state, reason, methodId }) => ({
      userId,
      userPrincipalName,
      state,
      reason,
      methodId,
    }));
    const size = this.job?.pageSize ?? all.length;
    const users = all.slice(skip, skip + size);
    // The link names the host as the server sees itself, not necessarily as the station reached it.
    const nextLink =
      skip + size < all.length
        ? {
            '@odata.nextLink': `http://service.internal/provisioning/jobs/${jobId}?$top=${size}&$skiptoken=${skip + size}`,
          }
        : {};
    this.send(res, req, 200, {
      id: jobId,
      status: this.status,
      totalUsers: this.rows.size,
      counts: this.counts,
      users,
      ...nextLink,
    });
  }

  private async next(res: ServerResponse, req: IncomingMessage, jobId: string): Promise<void> {
    if (!this.knownJob(res, req, jobId)) return;
    if (this.waitsLeft > 0) {
      this.waitsLeft -= 1;
      const withHeader = this.waitsLeft % 2 === 1 && this.job?.retryAfterSeconds !== undefined;
      return this.send(
        res,
        req,
        204,
        undefined,
        withHeader ? { 'retry-after': this.job?.retryAfterSeconds ?? '' } : {},
      );
    }
    const row = [...this.rows.values()].find((r) => r.state === 'ready');
    if (row) {
      row.state = 'claimed';
      row.options = await registrationOptionsFor(row);
      return this.send(res, req, 200, {
        jobId,
        userId: row.userId,
        userPrincipalName: row.userPrincipalName,
        displayName: row.displayName,
        challengeTimeoutDateTime: new Date(Date.now() + 600_000).toISOString(),
        publicKey: row.options,
      });
    }
    if (this.status === 'completed')
      return this.send(res, req, 409, { error: { code: 'jobNotRunning', message: `Job '${jobId}' is completed.` } });
    return this.send(res, req, 204);
  }

  private async verify(
    options: PublicKeyCredentialCreationOptionsJSON,
    publicKeyCredential: PostedCredential,
  ): Promise<{ aaGuid: string; fmt: string }> {
    const { verified, registrationInfo } = await verifyRegistrationResponse({
      response: { ...publicKeyCredential, rawId: publicKeyCredential.id, type: 'public-key' },
      expectedChallenge: options.challenge,
      expectedOrigin: this.expectedOrigin,
      expectedRPID: RP_ID,
      requireUserVerification: true,
    });
    if (!verified || !registrationInfo) throw new Error('not verified');
    return { aaGuid: registrationInfo.aaguid, fmt: registrationInfo.fmt };
  }

  private async credential(
    res: ServerResponse,
    req: IncomingMessage,
    jobId: string,
    userId: string,
    body: CredentialPost,
  ): Promise<void> {
    if (!this.knownJob(res, req, jobId)) return;
    const row = this.rows.get(userId);
    if (!row || row.state !== 'claimed' || !row.options)
      return this.send(res, req, 409, {
        error: { code: 'userNotClaimed', message: `User '${userId}' is not claimed.` },
      });
    try {
      const { aaGuid } = await this.verify(row.options, body.publicKeyCredential);
      if (row.verdict) {
        Object.assign(row, { state: row.verdict.state, reason: row.verdict.reason });
        return this.send(res, req, 200, {
          userId,
          userPrincipalName: row.userPrincipalName,
          state: row.state,
          reason: row.reason,
        });
      }
      const method = {
        id: `method-${++this.methodCounter}`,
        aaGuid,
        model: null,
        displayName: body.displayName ?? `${row.displayName} key`,
      };
      Object.assign(row, { state: 'provisioned', reason: null, methodId: method.id });
      return this.send(res, req, 200, {
        userId,
        userPrincipalName: row.userPrincipalName,
        state: 'provisioned',
        reason: null,
        method,
      });
    } catch (e) {
      Object.assign(row, { state: 'failed', reason: (e as Error).message });
      return this.send(res, req, 200, {
        userId,
        userPrincipalName: row.userPrincipalName,
        state: 'failed',
        reason: row.reason,
      });
    }
  }

  private async creationOptions(res: ServerResponse, req: IncomingMessage, upn: string): Promise<void> {
    if (upn.startsWith('guest')) {
      return this.send(res, req, 403, {
        error: {
          code: 'guestRegistrationNotAllowed',
          message: `User '${upn}' is a guest; guests cannot register passkeys in this tenant.`,
        },
      });
    }
    if (upn.startsWith('nobody'))
      return this.send(res, req, 404, {
        error: { code: 'Request_ResourceNotFound', message: `User '${upn}' does not exist.` },
      });
    const options = await registrationOptionsFor({ userPrincipalName: upn, displayName: upn.split('@')[0] });
    this.singleUserOptions.set(upn, options);
    this.send(res, req, 200, {
      '@odata.type': '#microsoft.graph.webauthnCredentialCreationOptions',
      challengeTimeoutDateTime: new Date(Date.now() + 600_000).toISOString(),
      publicKey: options,
    });
  }

  private async createMethod(
    res: ServerResponse,
    req: IncomingMessage,
    upn: string,
    body: CredentialPost,
  ): Promise<void> {
    const options = this.singleUserOptions.get(upn);
    if (!options)
      return this.send(res, req, 400, {
        error: { code: 'invalidChallenge', message: 'No creation options were issued.' },
      });
    this.singleUserOptions.delete(upn);
    try {
      const { aaGuid } = await this.verify(options, body.publicKeyCredential);
      this.send(res, req, 201, {
        id: `method-${++this.methodCounter}`,
        displayName: body.displayName,
        aaGuid,
        model: null,
      });
    } catch (e) {
      this.send(res, req, 400, { error: { code: 'invalidCredential', message: (e as Error).message } });
    }
  }
}

function registrationOptionsFor(user: {
  userPrincipalName: string;
  displayName: string;
}): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: 'Contoso',
    rpID: RP_ID,
    userName: user.userPrincipalName,
    userDisplayName: user.displayName,
    attestationType: 'direct',
    authenticatorSelection: {
      authenticatorAttachment: 'cross-platform',
      residentKey: 'required',
      userVerification: 'required',
    },
  });
}
