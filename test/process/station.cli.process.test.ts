import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostProcess, ROOT, runTokenCli, startHostProcess } from '../support/processes';

const USERS = 60;

function runStation(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'run-cli.js'), 'provision', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the provisioning station CLI against the local host', () => {
  let dataDir: string;
  let host: HostProcess;
  let token: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'passkeys-station-'));
    token = runTokenCli(
      ['--upn', 'admin@contoso.com', '--role', 'Global Administrator', '--role', 'Authentication Administrator'],
      { DATA_DIR: dataDir },
    ).stdout.trim();
    host = await startHostProcess({ DATA_DIR: dataDir });
  });
  afterAll(async () => {
    if (host.child.exitCode === null) await host.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`provisions a ${USERS}-user job with the software authenticator and prints a summary`, async () => {
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    const call = (path: string, init: RequestInit = {}) => fetch(`${host.url}${path}`, { ...init, headers });
    expect(
      (
        await call('/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2', {
          method: 'PATCH',
          body: JSON.stringify({
            '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration',
            state: 'enabled',
          }),
        })
      ).status,
    ).toBe(204);
    const upns = ['guest@fabrikam.com'];
    for (let i = 0; i < USERS - 1; i++) {
      const res = await call('/v1.0/users', {
        method: 'POST',
        body: JSON.stringify({ userPrincipalName: `station${i}@contoso.com`, displayName: `Station ${i}` }),
      });
      upns.push(((await res.json()) as { userPrincipalName: string }).userPrincipalName);
    }
    const job = (await (
      await call('/provisioning/jobs', { method: 'POST', body: JSON.stringify({ users: upns }) })
    ).json()) as { id: string };

    const origin = host.url.replace('127.0.0.1', 'localhost');
    const run = await runStation(['--job', job.id, '--server', host.url, '--origin', origin], { TOKEN: token });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('provisioned');
    expect(run.stdout).toContain('skippedGuest');

    const final = (await (await call(`/provisioning/jobs/${job.id}`)).json()) as { counts: Record<string, number> };
    expect(final.counts).toMatchObject({ provisioned: USERS - 1, skippedGuest: 1, pending: 0, ready: 0, claimed: 0 });
  });

  it('provisions one user through Graph without a job', async () => {
    const origin = host.url.replace('127.0.0.1', 'localhost');
    const run = await runStation(['--user', 'bob@contoso.com', '--server', host.url, '--origin', origin], {
      TOKEN: token,
    });
    expect(run.code).toBe(0);
    const methods = (await (
      await fetch(`${host.url}/v1.0/users/bob@contoso.com/authentication/fido2Methods`, {
        headers: { Authorization: `Bearer ${token}` },
      })
    ).json()) as { value: unknown[] };
    expect(methods.value).toHaveLength(1);
  });
});
