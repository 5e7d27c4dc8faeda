import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SoftAuthenticator } from '../cli/authenticators/soft';
import { createApp } from '../shared/app';
import { loadConfig } from '../shared/config';
import { startBenchHost } from './hostProcess';
import { measure } from './http.bench';
import { benchProvisioning } from './provisioning.bench';

/**
 * `npm run bench`: prints one JSON object per line (machine-readable), then a summary line.
 * Everything runs against a host process on 127.0.0.1 and is bounded in time and count.
 * Compare figures as ratios within one run (machine speed varies between runs).
 */
async function main() {
  const sizes = (process.env.BENCH_PROVISIONING_USERS ?? '1000,10000').split(',').map(Number);
  const print = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
  const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-bench-'));
  try {
    const tokenApp = await createApp(loadConfig({ DATA_DIR: dataDir }));
    const admin = await tokenApp.devTokens.mint({
      userPrincipalName: 'admin@contoso.com',
      roles: ['Global Administrator', 'Authentication Administrator'],
      permissions: [],
      expiresInSeconds: 3600,
    });
    await tokenApp.close();
    const host = await startBenchHost(dataDir);
    process.on('exit', () => host.child.kill('SIGKILL'));
    const auth = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
    const policyPath = '/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';
    await fetch(`${host.url}${policyPath}`, {
      method: 'PATCH',
      headers: auth,
      body: JSON.stringify({
        '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration',
        state: 'enabled',
      }),
    });

    // A registered passkey for alice, and a pool of fresh assertions for the verify benchmark.
    const origin = host.url.replace('127.0.0.1', 'localhost');
    const key = new SoftAuthenticator({ aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8' });
    const created = (await (
      await fetch(`${host.url}/beta/users/alice@contoso.com/authentication/fido2Methods/creationOptions`, {
        headers: auth,
      })
    ).json()) as { publicKey: never };
    const reg = await key.createCredential(created.publicKey, { origin });
    await fetch(`${host.url}/beta/users/alice@contoso.com/authentication/fido2Methods`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ displayName: 'bench', publicKeyCredential: { id: reg.id, response: reg.response } }),
    });
    const assertions: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const options = (await (
        await fetch(`${host.url}/webauthn/authentication/options`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userPrincipalName: 'alice@contoso.com' }),
        })
      ).json()) as never;
      assertions.push(JSON.stringify({ credential: await key.getAssertion(options, { origin }) }));
    }

    const results = [
      await measure('GET /health', { url: `${host.url}/health` }),
      await measure('GET fido2 policy (admin token)', { url: `${host.url}${policyPath}`, headers: auth }),
      await measure('POST /webauthn/authentication/options (UPN)', {
        url: `${host.url}/webauthn/authentication/options`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userPrincipalName: 'alice@contoso.com' }),
      }),
      await measure('POST /webauthn/authentication/verify', {
        url: `${host.url}/webauthn/authentication/verify`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        connections: 8,
        amount: assertions.length,
        // Each assertion is single use: hand out the pool in order; a sign count must keep rising,
        // so requests on one credential must not overtake each other by much.
        requests: [{ setupRequest: (req) => ({ ...req, body: assertions.shift() ?? '{}' }) }],
      }),
    ];
    const baseline = results[0].requestsPerSecond;
    for (const r of results)
      print({ kind: 'http', ...r, ratioToHealth: Math.round((r.requestsPerSecond / baseline) * 1000) / 1000 });
    print({ kind: 'memory', name: 'host peak RSS after HTTP benchmarks (MiB)', peakRssMiB: host.peakRssMiB() });
    await host.stop();

    for (const users of sizes) print({ kind: 'provisioning', ...(await benchProvisioning(users)) });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
