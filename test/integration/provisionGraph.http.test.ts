import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProvisionOptions } from '../../cli/provision/options';
import { runProvision, type ProvisionDeps } from '../../cli/provision/run';
import { testCredential } from '../support/graphTestServer';
import { FRONTEND_ORIGIN, Roles, startTestService, TestService } from '../support/localService';
import { startTlsProxy, TlsProxy } from '../support/tlsProxy';

const POLICY = '/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';

describe('provisioning station --graph --csv: Graph SDK against the local host (through TLS)', () => {
  let svc: TestService;
  let proxy: TlsProxy;
  let dir: string;

  beforeAll(async () => {
    svc = await startTestService();
    proxy = await startTlsProxy(svc.host.port);
    const policyAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
    const enable = await svc.call('PATCH', POLICY, {
      token: policyAdmin,
      body: { '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration', state: 'enabled' },
    });
    expect(enable.status).toBe(204);
    dir = mkdtempSync(join(tmpdir(), 'station-graph-'));
  });
  afterAll(async () => {
    await proxy.close();
    await svc.close();
  });

  async function run(csvPath: string) {
    const out: string[] = [];
    const err: string[] = [];
    const token = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authAdmin] });
    const credential = testCredential(token);
    const deps: ProvisionDeps = {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t), isTTY: false },
      mintToken: () => Promise.reject(new Error('--graph must not mint a dev token')),
      graphCredential: () => Promise.resolve(credential),
      graphCa: proxy.cert,
    };
    const options = parseProvisionOptions({
      csv: csvPath,
      graph: proxy.url,
      tenant: 'contoso.onmicrosoft.com',
      clientId: '11111111-2222-3333-4444-555555555555',
      origin: FRONTEND_ORIGIN,
    });
    await runProvision(options, deps);
    return { stdout: out.join(''), stderr: err.join(''), credential };
  }

  it('provisions a CSV of users with Graph’s creationOptions + POST fido2Methods, writes outcomes, and resumes', async () => {
    const csv = join(dir, 'users.csv');
    writeFileSync(
      csv,
      'userPrincipalName,displayName\nalice@contoso.com,Alice\nbob@contoso.com,"Bob, B."\nnobody@contoso.com,Nobody\n',
    );
    const first = await run(csv);
    expect(first.credential.calls.length).toBeGreaterThan(0);
    expect(first.stdout).toMatch(/alice@contoso\.com\s+provisioned/);
    expect(first.stdout).toMatch(/bob@contoso\.com\s+provisioned/);
    expect(first.stdout).toMatch(/nobody@contoso\.com\s+failed\s+Request_ResourceNotFound/);
    const outcomes = readFileSync(`${csv}.outcomes.csv`, 'utf8').trim().split('\n');
    expect(outcomes[0]).toBe('userPrincipalName,outcome,reason,methodId');
    expect(outcomes).toHaveLength(4);

    const admin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authAdmin] });
    const methods = await svc.call('GET', '/beta/users/alice@contoso.com/authentication/fido2Methods', {
      token: admin,
    });
    expect(methods.body.value).toHaveLength(1);

    // A rerun skips the users already provisioned and tries the failed one again.
    const second = await run(csv);
    expect(second.stderr).toMatch(/Resumed from .*: 2 users were already done/);
    const again = await svc.call('GET', '/beta/users/alice@contoso.com/authentication/fido2Methods', { token: admin });
    expect(again.body.value).toHaveLength(1);
    expect(readFileSync(`${csv}.state.jsonl`, 'utf8').trim().split('\n')).toHaveLength(4);
  });
});
