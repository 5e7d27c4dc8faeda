import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SoftAuthenticator } from '../../cli/authenticators/soft';
import { toGraphCredential } from '../../cli/provision/credential';
import { freePort, HostProcess, runTokenCli, startHostProcess } from '../support/processes';

const POLICY = '/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';
const ODATA_TYPE = '#microsoft.graph.fido2AuthenticationMethodConfiguration';
const YUBIKEY_5 = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
const RATE_LIMIT = 20;

interface Answer {
  status: number;
  body: string;
}

/** The host's worker processes (its children), from /proc. */
function workerPids(primary: number): number[] {
  try {
    return readdirSync(`/proc/${primary}/task`).flatMap((task) =>
      readFileSync(`/proc/${primary}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50)))
    if (await check()) return true;
  return false;
}

/**
 * A client on one keep-alive connection, so every request it sends lands on the same worker (node:cluster
 * hands out connections, not requests); `worker` is the one that served it, read from the host's log.
 */
interface PinnedClient {
  worker: number;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
  close(): void;
}

/**
 * WORKERS=2: the local host as a cluster (local/cluster.ts), started as `npm start` runs it, with real
 * processes: the primary keeps the one durable engine and the event relay; two workers serve HTTP.
 */
describe('the local host in cluster mode (WORKERS=2, real processes)', () => {
  let dataDir: string;
  let host: HostProcess;
  let admin: string;
  let origin: string;
  let clients = 0;
  const opened: PinnedClient[] = [];

  const pinned = async (address: string): Promise<PinnedClient> => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const tag = `client-${++clients}`;
    const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      new Promise<Answer>((resolve, reject) => {
        const text = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          `${host.url}${path}`,
          {
            method,
            agent,
            headers: {
              'x-forwarded-for': address,
              ...(text === undefined ? {} : { 'content-type': 'application/json' }),
              ...headers,
            },
          },
          (res) => {
            let data = '';
            res.on('data', (d) => (data += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
          },
        );
        req.on('error', reject);
        req.end(text);
      });
    expect((await call('GET', `/health?via=${tag}`)).status).toBe(200);
    const served = new RegExp(`\\[worker (\\d+)\\][^\\n]*GET /health\\?via=${tag} 200`);
    let worker = 0;
    await until(() => {
      worker = Number(served.exec(host.output())?.[1] ?? 0);
      return worker > 0;
    });
    const client = { worker, call, close: () => agent.destroy() };
    opened.push(client);
    return client;
  };

  /** Two clients on two different workers (round-robin puts consecutive connections on alternate ones). */
  const onTwoWorkers = async (address: string): Promise<[PinnedClient, PinnedClient]> => {
    const first = await pinned(address);
    for (let attempt = 0; attempt < 8; attempt++) {
      const second = await pinned(address);
      if (second.worker !== first.worker) return [first, second];
      second.close();
    }
    throw new Error('connections never reached a second worker');
  };

  const admin_ = () => ({ authorization: `Bearer ${admin}` });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'passkeys-cluster-'));
    admin = runTokenCli(
      ['--upn', 'admin@contoso.com', '--role', 'Global Administrator', '--role', 'Authentication Administrator'],
      { DATA_DIR: dataDir },
    ).stdout.trim();
    const port = await freePort();
    origin = `http://localhost:${port}`;
    host = await startHostProcess({
      PORT: String(port),
      DATA_DIR: dataDir,
      WORKERS: '2',
      LOG_LEVEL: 'debug',
      ORIGINS: origin,
      TRUST_PROXY: 'true',
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
    });
    expect(await until(() => host.output().includes('2 HTTP workers'), 30_000)).toBe(true);
  }, 60_000);

  afterAll(async () => {
    for (const c of opened) c.close();
    if (host?.child.exitCode === null) await host.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Registers a passkey for `upn` through the admin API (any worker). */
  async function registerPasskey(client: PinnedClient, upn: string): Promise<SoftAuthenticator> {
    const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
    const created = await client.call(
      'GET',
      `/beta/users/${upn}/authentication/fido2Methods/creationOptions`,
      undefined,
      admin_(),
    );
    expect(created.status).toBe(200);
    const credential = await key.createCredential(JSON.parse(created.body).publicKey, { origin });
    const stored = await client.call(
      'POST',
      `/beta/users/${upn}/authentication/fido2Methods`,
      { displayName: 'cluster test', publicKeyCredential: toGraphCredential(credential) },
      admin_(),
    );
    expect(stored.status).toBe(201);
    return key;
  }

  const assertionFor = async (client: PinnedClient, key: SoftAuthenticator, upn: string) => {
    const options = await client.call('POST', '/webauthn/authentication/options', { userPrincipalName: upn });
    expect(options.status).toBe(200);
    return key.getAssertion(JSON.parse(options.body), { origin });
  };

  it('serves from two worker processes under one primary, whose relay every worker reports on /health', async () => {
    expect(workerPids(host.child.pid!)).toHaveLength(2);
    const [a, b] = await onTwoWorkers('192.0.2.1');
    for (const client of [a, b]) {
      const health = JSON.parse((await client.call('GET', '/health')).body);
      expect(health).toMatchObject({ status: 'ok', relay: { kind: 'sqlite-poller', running: true } });
    }
    // The relay, the consumers and the durable engine run once, in the primary.
    expect(host.output()).not.toMatch(/\[worker \d+\][^\n]*\[durable\]/);
  });

  it('a policy PATCH through one worker is seen by the next sign-in on the other (caches follow the store)', async () => {
    const [patcher, signer] = await onTwoWorkers('192.0.2.2');
    const enable = (state: 'enabled' | 'disabled') =>
      patcher.call('PATCH', POLICY, { '@odata.type': ODATA_TYPE, state }, admin_());
    expect((await enable('enabled')).status).toBe(204);
    const key = await registerPasskey(patcher, 'alice@contoso.com');
    const signIn = async () =>
      signer.call('POST', '/webauthn/authentication/verify', {
        credential: await assertionFor(signer, key, 'alice@contoso.com'),
      });
    expect((await signIn()).status).toBe(200); // the other worker's caches are warm now
    expect((await enable('disabled')).status).toBe(204);
    const refused = await signIn();
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).error.code).toBe('fido2MethodDisabled');
    expect((await enable('enabled')).status).toBe(204);
    expect((await signIn()).status).toBe(200);
  });

  it('attack: the same assertion replayed to two workers at once — one 200, one refusal', async () => {
    const [a, b] = await onTwoWorkers('192.0.2.3');
    const key = await registerPasskey(a, 'bob@contoso.com');
    for (let round = 0; round < 3; round++) {
      const credential = await assertionFor(a, key, 'bob@contoso.com');
      const answers = await Promise.all(
        [a, b].map((client) => client.call('POST', '/webauthn/authentication/verify', { credential })),
      );
      expect(answers.map((r) => r.status).sort()).toEqual([200, 401]);
      const refused = JSON.parse(answers.find((r) => r.status === 401)!.body);
      expect(refused.error.code).toBe('challengeAlreadyUsed');
    }
  });

  it('attack: a client spreads requests over workers to escape the limit — it gets RATE_LIMIT_PER_MINUTE in all', async () => {
    const [a, b] = await onTwoWorkers('198.51.100.7');
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT + 10; i++)
      statuses.push(
        (await (i % 2 ? a : b).call('POST', '/webauthn/authentication/options', { userPrincipalName: 'x@contoso.com' }))
          .status,
      );
    expect(statuses.filter((s) => s === 200)).toHaveLength(RATE_LIMIT);
    expect(statuses.slice(RATE_LIMIT)).toEqual(Array(10).fill(429));
    // Another address is not affected.
    const other = await pinned('198.51.100.8');
    expect((await other.call('POST', '/webauthn/authentication/options', {})).status).toBe(200);
  });

  it("a bulk provisioning job created through a worker runs to completion on the primary's durable engine", async () => {
    const client = await pinned('192.0.2.4');
    expect((await client.call('PATCH', POLICY, { '@odata.type': ODATA_TYPE, state: 'enabled' }, admin_())).status).toBe(
      204,
    );
    const carol = await client.call(
      'POST',
      '/v1.0/users',
      { userPrincipalName: 'carol@contoso.com', displayName: 'Carol' },
      admin_(),
    );
    expect(carol.status).toBe(201);
    const job = await client.call(
      'POST',
      '/provisioning/jobs',
      { users: ['guest@fabrikam.com', 'carol@contoso.com'] },
      admin_(),
    );
    expect(job.status).toBe(202);
    const { id } = JSON.parse(job.body);
    let provisioned = false;
    let deliveryMs = 0;
    for (let i = 0; i < 200 && !provisioned; i++) {
      const next = await client.call('POST', `/provisioning/jobs/${id}/next`, {}, admin_());
      if (next.status === 200) {
        const claim = JSON.parse(next.body);
        const credential = await new SoftAuthenticator({ aaguid: YUBIKEY_5 }).createCredential(claim.publicKey, {
          origin,
        });
        const at = Date.now();
        const delivered = await client.call(
          'POST',
          `/provisioning/jobs/${id}/users/${claim.userId}/credential`,
          { publicKeyCredential: toGraphCredential(credential) },
          admin_(),
        );
        deliveryMs = Date.now() - at;
        expect(delivered.status).toBe(200);
        expect(JSON.parse(delivered.body).state).toBe('provisioned');
        provisioned = true;
      } else await new Promise((r) => setTimeout(r, 50));
    }
    expect(provisioned).toBe(true);
    // The outcome, recorded by the primary's activity, woke the worker's wait at once (not its 1 s re-read).
    expect(deliveryMs).toBeLessThan(900);
    let status: { status: string; runtimeStatus: string; counts: Record<string, number> } | undefined;
    expect(
      await until(async () => {
        status = JSON.parse((await client.call('GET', `/provisioning/jobs/${id}`, undefined, admin_())).body);
        return status?.status !== 'running';
      }, 30_000),
    ).toBe(true);
    expect(status).toMatchObject({ status: 'completed', runtimeStatus: 'Completed' });
    expect(status?.counts).toMatchObject({ provisioned: 1, skippedGuest: 1 });
    // The management routes on the public port are the primary's, and still want its key.
    const management = await client.call('GET', `/runtime/webhooks/durabletask/instances/${id}`);
    expect(management.status).toBe(401);
    expect(JSON.parse(management.body).error.message).toMatch(/requires this process's system key/);
  });

  it('a crashed worker is replaced and the port keeps serving', async () => {
    const before = workerPids(host.child.pid!);
    expect(before).toHaveLength(2);
    process.kill(before[0], 'SIGKILL');
    expect(
      await until(() => {
        const now = workerPids(host.child.pid!);
        return now.length === 2 && !now.includes(before[0]);
      }, 30_000),
    ).toBe(true);
    expect(await until(() => /HTTP worker \d+ \(pid \d+\) exited \(SIGKILL\)/.test(host.output()))).toBe(true);
    for (let i = 0; i < 4; i++) expect((await fetch(`${host.url}/health`)).status).toBe(200);
  });

  it('SIGTERM to the primary drains a request in flight, stops the workers and exits 0', async () => {
    const workers = workerPids(host.child.pid!);
    const body = JSON.stringify({ userPrincipalName: 'alice@contoso.com' });
    const socket = connect({ host: '127.0.0.1', port: Number(new URL(host.url).port) });
    let answer = '';
    socket.on('data', (d) => (answer += d));
    await new Promise((r) => socket.once('connect', r));
    socket.write(
      `POST /webauthn/authentication/options HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: 192.0.2.9\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
    );
    await new Promise((r) => setTimeout(r, 300)); // the worker holds the request now
    const exited = host.stop('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    socket.write(body.slice(5));
    expect(await until(() => answer.includes('\r\n\r\n'), 5_000)).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    socket.destroy();
    expect(await exited).toBe(0);
    expect(workers.filter(alive)).toEqual([]);
  });
});
