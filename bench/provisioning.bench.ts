import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SoftAuthenticator } from '../cli/authenticators/soft';
import { createApp } from '../shared/app';
import { loadConfig } from '../shared/config';
import { BenchHostOptions, startBenchHost } from './hostProcess';

const STATIONS = 8;

/**
 * Provisions `users` users in one bulk job on a fresh host process, with 8 concurrent station
 * loops using the software authenticator; reports users per second and the host's peak memory.
 */
export async function benchProvisioning(users: number, hostOptions: BenchHostOptions = {}) {
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

  const host = await startBenchHost(dataDir, hostOptions);
  const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
  const origin = host.url.replace('127.0.0.1', 'localhost');
  const started = process.hrtime.bigint();
  const job = (await (
    await fetch(`${host.url}/provisioning/jobs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ groupId: group.id }),
    })
  ).json()) as { id: string };
  let provisioned = 0;
  const station = async () => {
    for (;;) {
      const next = await fetch(`${host.url}/provisioning/jobs/${job.id}/next`, { method: 'POST', headers, body: '{}' });
      if (next.status === 409) return;
      if (next.status === 204) {
        const status = (await (await fetch(`${host.url}/provisioning/jobs/${job.id}?$top=1`, { headers })).json()) as {
          counts: Record<string, number>;
        };
        if (status.counts.pending + status.counts.ready + status.counts.claimed === 0) return;
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      const claim = (await next.json()) as { userId: string; publicKey: never };
      const credential = await new SoftAuthenticator({
        aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8',
      }).createCredential(claim.publicKey, { origin });
      const res = await fetch(`${host.url}/provisioning/jobs/${job.id}/users/${claim.userId}/credential`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ publicKeyCredential: { id: credential.id, response: credential.response } }),
      });
      if (((await res.json()) as { state: string }).state === 'provisioned') provisioned++;
    }
  };
  await Promise.all(Array.from({ length: STATIONS }, station));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peakRssMiB = host.peakRssMiB();
  await host.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return {
    name: `bulk job, ${users} users, ${STATIONS} stations`,
    users,
    provisioned,
    seconds: Math.round(seconds * 10) / 10,
    usersPerSecond: Math.round((provisioned / seconds) * 10) / 10,
    hostPeakRssMiB: peakRssMiB,
  };
}
