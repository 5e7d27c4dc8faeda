import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SoftAuthenticator } from '../cli/authenticators/soft';
import { createSqliteStore } from '../shared/adapters/sqlite/store.sqlite';
import { SimpleWebAuthnAdapter } from '../shared/adapters/webauthn/simpleWebAuthn.adapter';
import { createApp } from '../shared/app';
import { loadConfig } from '../shared/config';
import { Store } from '../shared/ports/store.port';
import { AuthenticationVerifyBody } from '../shared/schemas/webauthn.schema';
import { benchRegistrationVerify } from './registration.bench';

const ORIGIN = 'http://localhost:7071';
const UPN = 'alice@contoso.com';

/** Wraps every method of `target` so the time of each call (until its promise settles) adds to `totals[name.method]`. */
function timed<T extends object>(name: string, target: T, totals: Map<string, number>): T {
  return new Proxy(target, {
    get(t, property) {
      const value: unknown = Reflect.get(t, property);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return async (...args: unknown[]) => {
        const at = process.hrtime.bigint();
        try {
          return await (value as (...a: unknown[]) => unknown).apply(t, args);
        } finally {
          const key = `${name}.${property}`;
          totals.set(key, (totals.get(key) ?? 0) + Number(process.hrtime.bigint() - at) / 1e3);
        }
      };
    },
  });
}

const perCall = (totalUs: number, n: number) => Math.round((totalUs / n) * 10) / 10;
const clock = <T>(n: number, f: (i: number) => T): number => {
  const at = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f(i);
  return Number(process.hrtime.bigint() - at) / 1e3;
};

/**
 * The cost of each stage of one sign-in verify, in microseconds, in process over a file SQLite
 * store: the store calls and the WebAuthn check timed through the ports (a proxy round each, so a
 * few µs high), the request body's JSON and zod parse, the challenge opening and the token
 * signature timed alone, and what is left of the service call (policy evaluation, the service's own
 * work) by difference. The HTTP host's share comes from the profile (bench/profile.ts).
 */
async function benchSignInVerifyStages(signIns: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-bench-stages-'));
  const totals = new Map<string, number>();
  const inner = createSqliteStore(join(dataDir, 'passkeys.db'));
  const store: Store = Object.create(inner) as Store;
  for (const name of ['policies', 'directory', 'credentials', 'challenges', 'audit'] as const)
    Object.defineProperty(store, name, { value: timed(name, inner[name], totals) });
  const webauthn = timed('webauthn', await SimpleWebAuthnAdapter.create(), totals);
  const app = await createApp(loadConfig({ DATA_DIR: dataDir, ORIGINS: ORIGIN }), { store, webauthn });
  try {
    const actor = { user: null, app: { appId: 'bench' } };
    await app.policy.patchFido2({ state: 'enabled', isSelfServiceRegistrationAllowed: true }, { actor });
    const key = new SoftAuthenticator({ aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8' });
    const { options: creation, user } = await app.registration.options(UPN, 'selfService');
    await app.registration.verify(UPN, 'selfService', await key.createCredential(creation, { origin: ORIGIN }), 'b', {
      user: { id: user.id, userPrincipalName: user.userPrincipalName },
      app: null,
    });
    const assertions: Awaited<ReturnType<SoftAuthenticator['getAssertion']>>[] = [];
    for (let i = 0; i < signIns + 20; i++)
      assertions.push(await key.getAssertion(await app.signIn.options(UPN), { origin: ORIGIN }));
    const bodies = assertions.map((credential) => JSON.stringify({ credential }));
    for (const a of assertions.splice(0, 20)) await app.signIn.verify(a); // warm-up: caches, JIT
    bodies.splice(0, 20);
    totals.clear();
    const at = process.hrtime.bigint();
    for (const a of assertions) await app.signIn.verify(a);
    const serviceUs = Number(process.hrtime.bigint() - at) / 1e3;
    const stages: Record<string, number> = {};
    for (const [name, us] of totals) stages[name] = perCall(us, signIns);
    stages['request body: JSON.parse + zod'] = perCall(
      clock(signIns, (i) => AuthenticationVerifyBody.parse(JSON.parse(bodies[i]))),
      signIns,
    );
    stages['challenge open (clientDataJSON, unseal, checks)'] = perCall(
      clock(signIns, (i) =>
        app.challenges.open(assertions[i].response.clientDataJSON, 'authentication', 'unauthorized'),
      ),
      signIns,
    );
    let signed = 0;
    const signAt = process.hrtime.bigint();
    for (let i = 0; i < signIns; i++)
      signed += (await app.tokens.signer.sign({ oid: 'u' }, { lifetimeSeconds: 3600, audience: 'a', subject: 'u' }))
        .length;
    stages['token sign (ES256 JWT)'] = perCall(Number(process.hrtime.bigint() - signAt) / 1e3, signIns);
    const measured = [...totals.values()].reduce((a, b) => a + b, 0) / signIns;
    return {
      name: 'sign-in verify, per stage (µs per sign-in, in process)',
      signIns,
      serviceCallUs: perCall(serviceUs, signIns),
      stages,
      restOfServiceCallUs:
        Math.round(
          (serviceUs / signIns -
            measured -
            stages['token sign (ES256 JWT)'] -
            stages['challenge open (clientDataJSON, unseal, checks)']) *
            10,
        ) / 10,
      tokenBytes: Math.round(signed / signIns),
    };
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The sign-in stages above, then registration verify with a packed x5c attestation
 * (bench/registration.bench.ts), the service call
 * over SQLite, each registration a fresh user and key: `registrationVerify` with the keys of one
 * batch sharing their attestation leaf (as real authenticators do), `registrationVerifyLeafPerKey`
 * with a leaf each (every certificate parsed and its chain checked on first sight).
 */
export async function benchSignInStages(signIns: number) {
  const signIn = await benchSignInVerifyStages(signIns);
  const registrations = Math.max(20, Math.floor(signIns / 5));
  const { profile: _batch, ...batch } = await benchRegistrationVerify(registrations, 'batch');
  const { profile: _perKey, ...perKey } = await benchRegistrationVerify(registrations, 'perKey');
  return {
    ...signIn,
    registrationVerify: { ...batch, name: 'registration verify, packed x5c (service call, SQLite)' },
    registrationVerifyLeafPerKey: perKey,
  };
}

if (require.main === module)
  benchSignInStages(Number(process.env.STAGES_SIGN_INS ?? 500)).then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(1);
    },
  );
