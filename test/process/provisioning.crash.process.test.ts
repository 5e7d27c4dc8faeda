import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SoftAuthenticator } from '../../cli/authenticators/soft';
import { HostProcess, runTokenCli, startHostProcess } from '../support/processes';
import type { TestJson } from '../support/testJson';
import { toGraphCredential } from '../../cli/provision/credential';

const ODATA_TYPE = '#microsoft.graph.fido2AuthenticationMethodConfiguration';
const USERS = 40;

/** The provisioning station's two calls, over HTTP against a host process. */
async function provisionOne(url: string, token: string, jobId: string): Promise<'done' | 'idle' | 'provisioned'> {
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const next = await fetch(`${url}/provisioning/jobs/${jobId}/next`, { method: 'POST', headers, body: '{}' });
  if (next.status === 409) return 'done';
  if (next.status === 204) return 'idle';
  const claim = (await next.json()) as { userId: string; publicKey: TestJson };
  const origin = url.replace('127.0.0.1', 'localhost');
  const credential = await new SoftAuthenticator({ aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8' }).createCredential(
    claim.publicKey,
    { origin },
  );
  const body = {
    publicKeyCredential: toGraphCredential(credential),
  };
  const result = await fetch(`${url}/provisioning/jobs/${jobId}/users/${claim.userId}/credential`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
  expect(result.status).toBe(200);
  expect(((await result.json()) as { state: string }).state).toBe('provisioned');
  return 'provisioned';
}

describe('a bulk provisioning job survives a crash of the host', () => {
  let dataDir: string;
  const hosts: HostProcess[] = [];
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'passkeys-crash-'));
  });
  afterAll(async () => {
    for (const host of hosts) if (host.child.exitCode === null) await host.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is killed (SIGKILL) mid-job, restarts, and finishes with no user provisioned twice', async () => {
    const token = runTokenCli(
      ['--upn', 'admin@contoso.com', '--role', 'Global Administrator', '--role', 'Authentication Administrator'],
      { DATA_DIR: dataDir },
    ).stdout.trim();
    const env = (port?: number) => ({ DATA_DIR: dataDir, ...(port ? { PORT: String(port) } : {}) });
    let host = await startHostProcess(env());
    hosts.push(host);
    const port = Number(new URL(host.url).port);
    // ORIGINS defaults to http://localhost:PORT: keep the same port across the restart.
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const call = (path: string, init: RequestInit = {}) => fetch(`${host.url}${path}`, { ...init, headers });
    expect(
      (
        await call('/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2', {
          method: 'PATCH',
          body: JSON.stringify({ '@odata.type': ODATA_TYPE, state: 'enabled' }),
        })
      ).status,
    ).toBe(204);
    const upns: string[] = [];
    for (let i = 0; i < USERS; i++) {
      const res = await call('/v1.0/users', {
        method: 'POST',
        body: JSON.stringify({ userPrincipalName: `crash${i}@contoso.com`, displayName: `Crash ${i}` }),
      });
      upns.push(((await res.json()) as { userPrincipalName: string }).userPrincipalName);
    }
    const job = (await (
      await call('/provisioning/jobs', { method: 'POST', body: JSON.stringify({ users: upns }) })
    ).json()) as { id: string };

    let provisioned = 0;
    while (provisioned < USERS / 2) {
      const step = await provisionOne(host.url, token, job.id);
      if (step === 'provisioned') provisioned++;
      else await new Promise((r) => setTimeout(r, 20));
    }
    await host.stop('SIGKILL');

    host = await startHostProcess(env(port));
    hosts.push(host);
    for (let idle = 0; idle < 500;) {
      const step = await provisionOne(host.url, token, job.id);
      if (step === 'done') break;
      if (step === 'provisioned') provisioned++;
      else {
        const status = (await (await call(`/provisioning/jobs/${job.id}`)).json()) as {
          counts: Record<string, number>;
        };
        if (status.counts.pending + status.counts.ready + status.counts.claimed === 0) break;
        idle++;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    expect(provisioned).toBe(USERS);

    const final = (await (await call(`/provisioning/jobs/${job.id}?$top=1000`)).json()) as {
      counts: Record<string, number>;
      users: Array<{ userPrincipalName: string; state: string }>;
    };
    expect(final.counts.provisioned).toBe(USERS);
    for (const upn of upns) {
      const methods = (await (await call(`/v1.0/users/${upn}/authentication/fido2Methods`)).json()) as {
        value: unknown[];
      };
      expect(methods.value).toHaveLength(1);
    }
    expect(await host.stop('SIGTERM')).toBe(0);
  });
});
