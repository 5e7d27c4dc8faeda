import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPolicy, POLICY_V1 } from '../support/ceremonies';
import { HostProcess, runTokenCli, startHostProcess } from '../support/processes';
import { SoftAuthenticator } from '../../cli/authenticators/soft';
import { recordFigure, scaled } from './figures';
import type { TestJson } from '../support/testJson';
import { toGraphCredential } from '../../cli/provision/credential';

/*
 * Load: mixed ceremonies against the host process (`node dist/local/main.js`, what `npm start`
 * runs) — registrations of new users' passkeys, UPN-first and usernameless sign-ins with the
 * software authenticator, policy reads — for 5 s inside `npm test` and 60 s under
 * `npm run test:hardening`. No request may fail, and the host's resident memory must stay flat.
 */

const DURATION_MS = scaled(5_000, 60_000);
const WARM_UP_MS = scaled(1_000, 10_000);
const WORKERS = 8;
/** Growth allowed from the first third of the samples (after warm-up) to the last third. */
const MAX_GROWTH = 1.2;
/** Below this, growth is heap warm-up, not a leak: 5 s end before V8's old space reaches its steady size; 60 s do not. */
const NOISE_FLOOR_MB = scaled(48, 16);
const YUBIKEY = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';

/** VmRSS of a process, in MB (Linux). */
function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

interface Holder {
  upn: string;
  key: SoftAuthenticator;
  /** A real authenticator does one ceremony at a time: two at once would send counters out of order (a clone, to the service). */
  busy: boolean;
}

describe('load: mixed ceremonies on the local host', () => {
  let dataDir: string;
  let host: HostProcess;
  let admin: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'passkeys-load-'));
    // admin@contoso.com is the demo tenant's administrator (seeded into an empty store).
    const minted = runTokenCli(
      ['--upn', 'admin@contoso.com', '--role', 'Global Administrator', '--role', 'Authentication Administrator'],
      { DATA_DIR: dataDir },
    );
    if (minted.status !== 0) throw new Error(`token CLI failed: ${minted.stderr}`);
    admin = minted.stdout.trim();
    host = await startHostProcess({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  }, 60_000);

  afterAll(async () => {
    if (host?.child.exitCode === null) await host.stop('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    `load: ${DURATION_MS / 1000} s of registrations, UPN-first and usernameless sign-ins and policy reads with no error and flat memory`,
    async () => {
      const origin = host.url.replace('127.0.0.1', 'localhost');
      const latencies: number[] = [];
      const failures: string[] = [];
      let requests = 0;

      /** One request; a non-2xx answer is a failure (the mix makes no request meant to be refused). */
      async function call(method: string, path: string, body?: unknown, token?: string): Promise<TestJson> {
        const started = performance.now();
        const res = await fetch(`${host.url}${path}`, {
          method,
          headers: {
            ...(token ? { Authorization: `Bearer ${token}` } : {}),
            ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        latencies.push(performance.now() - started);
        requests++;
        if (res.status < 200 || res.status > 299) {
          failures.push(`${method} ${path} → ${res.status} ${text.slice(0, 300)}`);
          return undefined;
        }
        return text ? JSON.parse(text) : undefined;
      }

      expect(await call('PATCH', POLICY_V1, openPolicy(), admin)).toBeUndefined();
      expect(failures).toEqual([]);

      const holders: Holder[] = [];
      let userSeq = 0;
      const counts = { registrations: 0, upnFirst: 0, usernameless: 0, policyReads: 0 };

      /** A new user, and a passkey for them provisioned by an admin (creationOptions + POST). */
      async function registration(): Promise<void> {
        const upn = `load${userSeq++}@contoso.com`;
        const user = await call('POST', '/v1.0/users', { userPrincipalName: upn, displayName: `Load ${upn}` }, admin);
        if (!user) return;
        const options = await call(
          'GET',
          `/v1.0/users/${user.id}/authentication/fido2Methods/creationOptions`,
          undefined,
          admin,
        );
        if (!options) return;
        const key = new SoftAuthenticator({ aaguid: YUBIKEY });
        const credential = await key.createCredential(options.publicKey, { origin });
        const created = await call(
          'POST',
          `/v1.0/users/${user.id}/authentication/fido2Methods`,
          {
            displayName: 'Load key',
            publicKeyCredential: toGraphCredential(credential),
          },
          admin,
        );
        if (!created) return;
        holders.push({ upn, key, busy: false });
        counts.registrations++;
      }

      async function signIn(usernameless: boolean): Promise<void> {
        const idle = holders.filter((h) => !h.busy);
        const holder = idle[Math.floor(Math.random() * idle.length)];
        if (!holder) return registration();
        holder.busy = true;
        try {
          await signInWith(holder, usernameless);
        } finally {
          holder.busy = false;
        }
      }

      async function signInWith(holder: Holder, usernameless: boolean): Promise<void> {
        const options = await call(
          'POST',
          '/webauthn/authentication/options',
          usernameless ? {} : { userPrincipalName: holder.upn },
        );
        if (!options) return;
        const assertion = await holder.key.getAssertion(options, { origin });
        const signedIn = await call('POST', '/webauthn/authentication/verify', { credential: assertion });
        if (!signedIn) return;
        if (signedIn.user?.userPrincipalName !== holder.upn)
          failures.push(`signed in as ${signedIn.user?.userPrincipalName}, expected ${holder.upn}`);
        counts[usernameless ? 'usernameless' : 'upnFirst']++;
      }

      async function policyRead(): Promise<void> {
        if (await call('GET', POLICY_V1, undefined, admin)) counts.policyReads++;
      }

      const rss: Array<{ at: number; mb: number }> = [];
      const started = Date.now();
      const sampler = setInterval(() => rss.push({ at: Date.now() - started, mb: rssMb(host.child.pid!) }), 200);
      const deadline = started + DURATION_MS;
      await Promise.all(
        Array.from({ length: WORKERS }, async () => {
          while (Date.now() < deadline && failures.length === 0) {
            const r = Math.random();
            await (r < 0.2 ? registration() : r < 0.5 ? signIn(false) : r < 0.75 ? signIn(true) : policyRead());
          }
        }),
      );
      clearInterval(sampler);
      const seconds = (Date.now() - started) / 1000;

      expect(failures.slice(0, 5)).toEqual([]);
      expect(host.child.exitCode).toBeNull();

      const steady = rss.filter((s) => s.at >= WARM_UP_MS).map((s) => s.mb);
      const third = Math.max(1, Math.floor(steady.length / 3));
      const first = median(steady.slice(0, third));
      const last = median(steady.slice(-third));
      const ceremonies = counts.registrations + counts.upnFirst + counts.usernameless;
      recordFigure('load', 'seconds', Math.round(seconds));
      recordFigure('load', 'ceremonies (registrations + sign-ins)', ceremonies);
      recordFigure('load', 'registrations', counts.registrations);
      recordFigure('load', 'sign-ins UPN-first', counts.upnFirst);
      recordFigure('load', 'sign-ins usernameless', counts.usernameless);
      recordFigure('load', 'policy reads', counts.policyReads);
      recordFigure('load', 'requests', requests);
      recordFigure('load', 'errors', failures.length);
      recordFigure('load', 'req/s', Math.round(requests / seconds));
      recordFigure('load', 'p50 ms', Math.round(percentile(latencies, 50) * 10) / 10);
      recordFigure('load', 'p99 ms', Math.round(percentile(latencies, 99) * 10) / 10);
      recordFigure('load', 'rss MB first third (after warm-up)', Math.round(first));
      recordFigure('load', 'rss MB last third', Math.round(last));
      expect(ceremonies).toBeGreaterThan(0);
      // Flat memory: the last third of the run no more than 20% above the first (or within the noise floor).
      expect({
        first: Math.round(first),
        last: Math.round(last),
        flat: last <= first * MAX_GROWTH || last - first <= NOISE_FLOOR_MB,
      }).toEqual({ first: Math.round(first), last: Math.round(last), flat: true });
    },
    DURATION_MS + 60_000,
  );
});
