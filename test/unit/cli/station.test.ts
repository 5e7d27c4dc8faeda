/**
 * The provisioning station against a fake service on 127.0.0.1 that implements the station's HTTP
 * contract (see fakeProvisioningServer.ts): job mode with 204 retries, a 409 stop, per-user outcome
 * rows and the summary; single-user mode through Graph's routes; fatal errors.
 */
import { FatalError } from '../../../cli/provision/errors';
import { parseProvisionOptions, type RawProvisionOptions } from '../../../cli/provision/options';
import { runProvision, type ProvisionDeps } from '../../../cli/provision/run';
import { FakeProvisioningServer, TOKEN, type FakeJob, type FakeUser } from './fakeProvisioningServer';

const users = (n: number): FakeUser[] =>
  Array.from({ length: n }, (_, i) => ({
    userId: `u${i + 1}`,
    userPrincipalName: `user${i + 1}@contoso.com`,
    displayName: `User ${i + 1}`,
  }));

function harness() {
  const out: string[] = [];
  const err: string[] = [];
  const sleeps: number[] = [];
  const deps: ProvisionDeps = {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t), isTTY: false },
    mintToken: jest.fn(async () => TOKEN),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    waitMs: () => 7,
  };
  return { deps, sleeps, stdout: () => out.join(''), stderr: () => err.join('') };
}

const started: FakeProvisioningServer[] = [];
async function serve(job?: FakeJob): Promise<FakeProvisioningServer> {
  const server = await new FakeProvisioningServer(job).start();
  started.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

const options = (server: FakeProvisioningServer, raw: RawProvisionOptions) =>
  parseProvisionOptions({ server: server.url, token: TOKEN, ...raw });

/** The summary's user rows as [upn, outcome, detail]. */
function summaryRows(stdout: string): string[][] {
  const [usersTable] = stdout.split('\n\n');
  return usersTable
    .split('\n')
    .slice(2)
    .map((line) => line.split(/ {2,}/));
}

describe('job mode', () => {
  test('retries 204s (Retry-After honoured), provisions every ready user once, stops on 409 and prints rows and totals', async () => {
    const jobUsers = users(5);
    jobUsers[1].verdict = { state: 'refusedByPolicy', reason: 'fido2KeyRestrictionViolation: AAGUID is blocked' };
    jobUsers.push({
      userId: 'g1',
      userPrincipalName: 'guest@fabrikam.com',
      displayName: 'Guest',
      initialState: 'skippedGuest',
    });
    const server = await serve({
      id: 'job-1',
      users: jobUsers,
      waitsFirst: 2,
      retryAfterSeconds: '2',
      end: '409',
      pageSize: 4,
    });
    const h = harness();

    await runProvision(options(server, { job: 'job-1', concurrency: '2', displayName: '{displayName} key' }), h.deps);

    // The first two claims got 204: with Retry-After: 2 → 2000 ms, without → the default pause. Later 204s
    // (a worker finding only users its sibling holds) use the default pause.
    expect([...h.sleeps.slice(0, 2)].sort((a, b) => a - b)).toEqual([7, 2000]);
    expect(h.sleeps.slice(2).every((ms) => ms === 7)).toBe(true);
    const credentialPosts = server.requests.filter((r) => r.path.endsWith('/credential'));
    expect(credentialPosts.map((r) => r.path).sort()).toEqual(
      ['u1', 'u2', 'u3', 'u4', 'u5'].map((u) => `/provisioning/jobs/job-1/users/${u}/credential`).sort(),
    );
    expect(credentialPosts.find((r) => r.path.includes('/u3/'))?.body).toMatchObject({
      displayName: 'User 3 key',
      publicKeyCredential: { clientExtensionResults: {} },
    });
    expect(server.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(server.requests.some((r) => r.path.endsWith('/next') && r.status === 409)).toBe(true);
    expect(h.deps.mintToken).not.toHaveBeenCalled();

    // The final snapshot followed @odata.nextLink (re-aimed at --server) to list every user of the job.
    expect(server.requests.filter((r) => r.path === '/provisioning/jobs/job-1?$top=4&$skiptoken=4')).toHaveLength(1);
    const rows = summaryRows(h.stdout());
    expect(rows).toHaveLength(6);
    expect(rows).toContainEqual([
      'user2@contoso.com',
      'refusedByPolicy',
      'fido2KeyRestrictionViolation: AAGUID is blocked',
    ]);
    expect(rows).toContainEqual(['guest@fabrikam.com', 'skippedGuest', 'preset skippedGuest']);
    for (const upn of ['user1@contoso.com', 'user3@contoso.com', 'user4@contoso.com', 'user5@contoso.com']) {
      expect(rows).toContainEqual([upn, 'provisioned', expect.stringMatching(/^method-\d+$/)]);
    }
    expect(h.stdout()).toMatch(/provisioned\s+4\n/);
    expect(h.stdout()).toMatch(/refusedByPolicy\s+1\n/);
    expect(h.stdout()).toMatch(/skippedGuest\s+1\n/);
    expect(h.stdout()).toMatch(/total\s+6\n/);
    expect(h.stdout()).toContain('Job job-1: completed, 6 users (provisioned 4, skippedGuest 1, refusedByPolicy 1).');
    // Not a terminal: one progress line per user on stderr, and why the station stopped.
    expect(h.stderr()).toMatch(
      /\[\d\/6\] user2@contoso\.com refusedByPolicy \(fido2KeyRestrictionViolation: AAGUID is blocked\)/,
    );
    // A worker stops on the 409, or on a 204 whose job snapshot is already completed (its sibling held the last user).
    expect(h.stderr()).toMatch(/Station stopped: (jobNotRunning: Job 'job-1' is completed|the job is completed)\.\n/);
  });

  test('one worker: the 409 jobNotRunning is what stops the station', async () => {
    const server = await serve({ id: 'job-6', users: users(2), end: '409' });
    const h = harness();

    await runProvision(options(server, { job: 'job-6', concurrency: '1' }), h.deps);

    expect(server.requests.filter((r) => r.path.endsWith('/next')).map((r) => r.status)).toEqual([200, 200, 409]);
    expect(h.stderr()).toContain("Station stopped: jobNotRunning: Job 'job-6' is completed.\n");
    expect(summaryRows(h.stdout()).map((r) => r[1])).toEqual(['provisioned', 'provisioned']);
  });

  test('stops after a 204 when the job still runs but no user is pending, ready or claimed', async () => {
    const server = await serve({ id: 'job-2', users: users(2), end: '204' });
    const h = harness();

    await runProvision(options(server, { job: 'job-2' }), h.deps);

    expect(summaryRows(h.stdout()).map((r) => r[1])).toEqual(['provisioned', 'provisioned']);
    expect(h.stderr()).toContain('Station stopped: no user of the job is left to provision.');
    expect(server.requests.filter((r) => r.path.endsWith('/next') && r.status === 204).length).toBeGreaterThanOrEqual(
      1,
    );
  });

  test('clientDataJSON carries --origin', async () => {
    const server = await serve({ id: 'job-3', users: users(1), end: '409' });
    server.expectedOrigin = 'http://localhost:7071';
    const h = harness();

    await runProvision(options(server, { job: 'job-3', origin: 'http://localhost:7071' }), h.deps);

    const post = server.requests.find((r) => r.path.endsWith('/credential'));
    const clientData = JSON.parse(
      Buffer.from(post?.body.publicKeyCredential.response.clientDataJSON, 'base64url').toString('utf8'),
    );
    expect(clientData).toMatchObject({ type: 'webauthn.create', origin: 'http://localhost:7071', crossOrigin: false });
    expect(summaryRows(h.stdout())[0][1]).toBe('provisioned');
  });

  test('an unknown job is fatal', async () => {
    const server = await serve({ id: 'job-4', users: [], end: '409' });
    await expect(runProvision(options(server, { job: 'nope' }), harness().deps)).rejects.toThrow(
      new FatalError(
        "Job 'nope' was not found on " + server.url + " (provisioningJobNotFound: Job 'nope' does not exist.).",
      ),
    );
  });

  test('a refused token is fatal and shows the server message; without --token a local dev token is minted', async () => {
    const server = await serve({ id: 'job-5', users: users(1), end: '409' });
    const h = harness();
    h.deps.mintToken = jest.fn(async () => 'minted-but-unknown-here');

    const run = runProvision(parseProvisionOptions({ server: server.url, job: 'job-5' }, {}), h.deps);

    await expect(run).rejects.toThrow(FatalError);
    await expect(run).rejects.toThrow(
      'The server refused the token (401 InvalidAuthenticationToken) on GET /provisioning/jobs/job-5: Access token validation failure.',
    );
    expect(h.deps.mintToken).toHaveBeenCalledTimes(1);
    expect(server.requests[0].authorization).toBe('Bearer minted-but-unknown-here');
  });

  test('an unreachable server is fatal', async () => {
    const server = await serve();
    const url = server.url;
    await server.close();
    started.splice(0);
    await expect(
      runProvision(parseProvisionOptions({ server: url, token: TOKEN, job: 'j' }), harness().deps),
    ).rejects.toThrow(
      /^Cannot reach the server at http:\/\/127\.0\.0\.1:\d+ \(GET \/provisioning\/jobs\/j\): ECONNREFUSED/,
    );
  });
});

describe('single-user mode', () => {
  test('creationOptions then POST fido2Methods: provisioned with the method id', async () => {
    const server = await serve();
    const h = harness();

    await runProvision(options(server, { user: 'alice@contoso.com' }), h.deps);

    expect(server.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /beta/users/alice@contoso.com/authentication/fido2Methods/creationOptions(challengeTimeoutInMinutes=10) 200',
      'POST /beta/users/alice@contoso.com/authentication/fido2Methods 201',
    ]);
    expect(server.requests[1].body).toMatchObject({
      displayName: 'Soft authenticator',
      publicKeyCredential: { id: expect.any(String) },
    });
    expect(summaryRows(h.stdout())).toEqual([['alice@contoso.com', 'provisioned', 'method-1']]);
    expect(h.stdout()).toMatch(/provisioned\s+1\n/);
  });

  test('a policy refusal is the user outcome, not a fatal error', async () => {
    const server = await serve();
    const h = harness();

    await runProvision(options(server, { user: 'guest@fabrikam.com', challengeTimeout: '60' }), h.deps);

    expect(server.requests[0].path).toContain('creationOptions(challengeTimeoutInMinutes=60)');
    expect(summaryRows(h.stdout())).toEqual([
      [
        'guest@fabrikam.com',
        'refusedByPolicy',
        "guestRegistrationNotAllowed: User 'guest@fabrikam.com' is a guest; guests cannot register passkeys in this tenant.",
      ],
    ]);
  });

  test('an unknown user is a failed row', async () => {
    const server = await serve();
    const h = harness();
    await runProvision(options(server, { user: 'nobody@contoso.com' }), h.deps);
    expect(summaryRows(h.stdout())).toEqual([
      ['nobody@contoso.com', 'failed', "Request_ResourceNotFound: User 'nobody@contoso.com' does not exist."],
    ]);
  });
});
