import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SoftAuthenticator } from '../cli/authenticators/soft';
import { createApp } from '../shared/app';
import { loadConfig } from '../shared/config';
import { BenchHostOptions, startBenchHost } from './hostProcess';
import { summariseProfile } from './profile';

const STATIONS = 8;

/** A tenant with `users` users in one group, the policy on, and an admin token; the data dir is the caller's to remove. */
export async function prepareProvisioningTenant(users: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-bench-prov-'));
  const setup = await createApp(loadConfig({ DATA_DIR: dataDir }));
  const admin = await setup.devTokens.mint({
    userPrincipalName: 'admin@contoso.com',
    roles: ['Global Administrator', 'Authentication Administrator'],
    permissions: [],
    expiresInSeconds: 7200,
  });
  const group = await setup.directory.createGroup(
    { displayName: 'Bench', securityEnabled: true },
    { user: null, app: { appId: 'bench' } },
  );
  for (let i = 0; i < users; i++) {
    const user = await setup.directory.createUser(
      { userPrincipalName: `user${i}@contoso.com`, displayName: `User ${i}` },
      { user: null, app: { appId: 'bench' } },
    );
    await setup.directory.addMember(group.id, user.id, { user: null, app: { appId: 'bench' } });
  }
  await setup.policy.patchFido2({ state: 'enabled' }, { actor: { user: null, app: { appId: 'bench' } } });
  await setup.close();
  return { dataDir, admin, groupId: group.id };
}

/** How long a bulk job may go without a user provisioned (or a request unanswered) before the bench fails. */
const STALL_MS = 60_000;

/**
 * Creates a job for the group and runs `stations` station loops against `url` (keep-alive fetch,
 * software authenticator, no sleep while users are ready) until no user is left; answers how many
 * were provisioned and how long it took from the job's creation.
 */
export async function runProvisioningJob(url: string, admin: string, groupId: string, stations = STATIONS) {
  const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
  const origin = url.replace('127.0.0.1', 'localhost');
  const started = process.hrtime.bigint();
  const job = (await (
    await fetch(`${url}/provisioning/jobs`, { method: 'POST', headers, body: JSON.stringify({ groupId }) })
  ).json()) as { id: string };
  let provisioned = 0;
  let lastProgress = Date.now();
  // A job that stops moving fails the bench with its counts instead of hanging it (one run of 20 once did).
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, { headers, ...init, signal: AbortSignal.timeout(STALL_MS) });
  const station = async () => {
    for (;;) {
      const next = await call(`/provisioning/jobs/${job.id}/next`, { method: 'POST', body: '{}' });
      if (next.status === 409) return;
      if (next.status === 204) {
        const status = (await (await call(`/provisioning/jobs/${job.id}?$top=1`)).json()) as {
          counts: Record<string, number>;
        };
        if (status.counts.pending + status.counts.ready + status.counts.claimed === 0) return;
        if (Date.now() - lastProgress > STALL_MS)
          throw new Error(`job ${job.id} made no progress for ${STALL_MS / 1000} s: ${JSON.stringify(status.counts)}`);
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      const claim = (await next.json()) as { userId: string; publicKey: never };
      const credential = await new SoftAuthenticator({
        aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8',
      }).createCredential(claim.publicKey, { origin });
      const res = await call(`/provisioning/jobs/${job.id}/users/${claim.userId}/credential`, {
        method: 'POST',
        body: JSON.stringify({ publicKeyCredential: { id: credential.id, response: credential.response } }),
      });
      if (((await res.json()) as { state: string }).state === 'provisioned') provisioned++;
      lastProgress = Date.now();
    }
  };
  await Promise.all(Array.from({ length: stations }, station));
  return { jobId: job.id, provisioned, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/**
 * Provisions `users` users in one bulk job on a fresh host process, with 8 concurrent station
 * loops using the software authenticator; reports users per second and the host's peak memory.
 */
export async function benchProvisioning(users: number, hostOptions: BenchHostOptions = {}) {
  const { dataDir, admin, groupId } = await prepareProvisioningTenant(users);
  const host = await startBenchHost(dataDir, hostOptions);
  const { provisioned, seconds } = await runProvisioningJob(host.url, admin, groupId);
  const peakRssMiB = host.peakRssMiB();
  const workers = host.workers;
  await host.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return {
    name: `bulk job, ${users} users, ${STATIONS} stations`,
    users,
    provisioned,
    workers,
    seconds: Math.round(seconds * 10) / 10,
    usersPerSecond: Math.round((provisioned / seconds) * 10) / 10,
    hostPeakRssMiB: peakRssMiB,
  };
}

/**
 * `node dist-bench/bench/provisioning.bench.js [users,...]` (default 1000): one bulk job per size on
 * a fresh built host, one JSON line each. `WORKERS` is handed to the host (unset: its default,
 * `auto`). `PROFILE_DIR=DIR` runs the host under `--cpu-prof` (every process of it writes a
 * `.cpuprofile` there) and prints the self time by category and frame of each.
 */
async function main() {
  const sizes = (process.argv[2] ?? process.env.BENCH_PROVISIONING_USERS ?? '1000').split(',').map(Number);
  const profileDir = process.env.PROFILE_DIR;
  for (const users of sizes) {
    const result = await benchProvisioning(users, {
      nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
      env: process.env.WORKERS ? { WORKERS: process.env.WORKERS } : {},
    });
    process.stdout.write(
      `${JSON.stringify({ kind: 'provisioning', workersSetting: process.env.WORKERS ?? 'auto', ...result })}\n`,
    );
  }
  if (!profileDir) return;
  for (const file of readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) {
    const summary = summariseProfile(JSON.parse(readFileSync(join(profileDir, file), 'utf8')));
    process.stdout.write(`${JSON.stringify({ file, ...summary }, null, 2)}\n`);
  }
}

if (require.main === module)
  main().catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
