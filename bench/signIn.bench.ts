import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { SoftAuthenticator } from '../cli/authenticators/soft';
import { createApp } from '../shared/app';
import { loadConfig } from '../shared/config';

const REGISTRATION_ORIGIN = 'http://localhost:7071';
const ACTOR = { user: null, app: { appId: 'bench' } };

export interface SignInPasskey {
  userPrincipalName: string;
  key: SoftAuthenticator;
}

/**
 * A tenant of `count` users with one passkey each, written straight into DATA_DIR through the
 * services (before the host starts), so the load below signs in with distinct passkeys: one passkey
 * from many connections would race its own sign count, which the counter rule rightly refuses.
 */
export async function prepareSignInTenant(dataDir: string, count: number): Promise<SignInPasskey[]> {
  const app = await createApp(loadConfig({ DATA_DIR: dataDir, ORIGINS: REGISTRATION_ORIGIN }));
  try {
    await app.policy.patchFido2({ state: 'enabled', isSelfServiceRegistrationAllowed: true }, { actor: ACTOR });
    const passkeys: SignInPasskey[] = [];
    for (let i = 0; i < count; i++) {
      const userPrincipalName = `signin${i}@contoso.com`;
      const user = await app.directory.createUser({ userPrincipalName, displayName: `Sign-in ${i}` }, ACTOR);
      const key = new SoftAuthenticator({ aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8' });
      const { options } = await app.registration.options(userPrincipalName, 'selfService');
      const response = await key.createCredential(options, { origin: REGISTRATION_ORIGIN });
      await app.registration.verify(userPrincipalName, 'selfService', response, 'bench', {
        user: { id: user.id, userPrincipalName },
        app: null,
      });
      passkeys.push({ userPrincipalName, key });
    }
    return passkeys;
  } finally {
    await app.close();
  }
}

export interface SignInCeremonyResult {
  name: string;
  connections: number;
  ceremonies: number;
  failures: number;
  ceremoniesPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** CPU time of the host (every process of it: primary and workers) per ceremony, when its pid is known. */
  hostCpuMsPerCeremony?: number;
  /** CPU time of this process (the load generator: HTTP client, JSON, the authenticators' signatures) per ceremony. */
  loadGeneratorCpuMsPerCeremony: number;
}

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system, ms) used so far by `pid` and every process below it (Linux /proc). */
export function processTreeCpuMs(pid: number): number {
  let ticks = 0;
  const visit = (p: number) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
      for (const task of readdirSync(`/proc/${p}/task`))
        for (const child of readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').split(' ').filter(Boolean))
          visit(Number(child));
    } catch {
      // the process ended meanwhile
    }
  };
  visit(pid);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

const percentile = (sorted: number[], p: number) =>
  Math.round((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0) * 10) / 10;

/**
 * UPN-first sign-in ceremonies (options, the authenticator's assertion, verify) as a load-testing
 * user runs them: one keep-alive connection per passkey, each ceremony after the previous one on
 * that connection, for `seconds`. A ceremony's latency is options + verify (the assertion is made
 * in between, in this process).
 */
export async function runSignInCeremonies(
  url: string,
  passkeys: SignInPasskey[],
  seconds: number,
  hostPid?: number,
): Promise<SignInCeremonyResult> {
  const origin = url.replace('127.0.0.1', 'localhost');
  // node:http with a keep-alive agent, one socket per passkey: lighter on the client than fetch,
  // which matters when the load generator shares the 2 cores with the host.
  const agent = new Agent({ keepAlive: true, maxSockets: passkeys.length });
  const post = (path: string, body: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        `${url}${path}`,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const latencies: number[] = [];
  let failures = 0;
  const until = Date.now() + seconds * 1000;
  const loop = async ({ userPrincipalName, key }: SignInPasskey) => {
    while (Date.now() < until) {
      const at = process.hrtime.bigint();
      const optionsRes = await post('/webauthn/authentication/options', JSON.stringify({ userPrincipalName }));
      const options = JSON.parse(optionsRes.body) as Parameters<SoftAuthenticator['getAssertion']>[0];
      const between = process.hrtime.bigint();
      const credential = await key.getAssertion(options, { origin });
      const resumed = process.hrtime.bigint();
      const verify = await post('/webauthn/authentication/verify', JSON.stringify({ credential }));
      if (verify.status !== 200) failures++;
      latencies.push(Number(between - at + (process.hrtime.bigint() - resumed)) / 1e6);
    }
  };
  const started = process.hrtime.bigint();
  const hostCpuBefore = hostPid === undefined ? 0 : processTreeCpuMs(hostPid);
  const cpuBefore = process.cpuUsage();
  await Promise.all(passkeys.map(loop));
  const cpu = process.cpuUsage(cpuBefore);
  const hostCpuMs = hostPid === undefined ? undefined : processTreeCpuMs(hostPid) - hostCpuBefore;
  agent.destroy();
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const perCeremony = (ms: number) => Math.round((ms / Math.max(1, latencies.length)) * 1000) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name: `HTTP sign-in ceremonies (UPN-first options + verify, ${passkeys.length} connections, distinct passkeys)`,
    connections: passkeys.length,
    ceremonies: latencies.length,
    failures,
    ceremoniesPerSecond: Math.round(latencies.length / elapsed),
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    ...(hostCpuMs === undefined ? {} : { hostCpuMsPerCeremony: perCeremony(hostCpuMs) }),
    loadGeneratorCpuMsPerCeremony: perCeremony((cpu.user + cpu.system) / 1000),
  };
}
