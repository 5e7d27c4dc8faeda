import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SoftAuthenticator } from '../cli/authenticators/soft';
import { createSqliteStore } from '../shared/adapters/sqlite/store.sqlite';
import { createApp } from '../shared/app';
import { loadConfig } from '../shared/config';
import { countingStore, StoreOperations } from '../test/support/countingStore';

const ORIGIN = 'http://localhost:7071';
const UPN = 'alice@contoso.com';

/** The store operations one ceremony made, as counts and in call order. */
export interface CeremonyStoreOperations extends StoreOperations {
  name: string;
  readCount: number;
  writeCount: number;
}

export interface InProcessResult {
  storeOperations: CeremonyStoreOperations[];
  /** Sign-in verify through the service (embedded SQLite store, no HTTP), one after another. */
  signIn: {
    name: string;
    signIns: number;
    perSecond: number;
    /** 1000 / p50: the rate without the preemption spikes of a shared machine (its mean is dominated by them). */
    perSecondAtMedian: number;
    latencyP50Ms: number;
    latencyP99Ms: number;
  };
}

const percentile = (sorted: number[], p: number) =>
  Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 1000) / 1000;

/**
 * The services as `npm start` builds them, over a counting SQLite store: the store operations of
 * each ceremony (the same figures test/integration/storeOperations.http.test.ts asserts), then the
 * rate of `signIns` in-process sign-in verifications of pre-made assertions (the assertions are
 * made outside the timed part, so the authenticator's signing is not counted).
 */
export async function benchInProcess(signIns: number): Promise<InProcessResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-bench-inproc-'));
  const counted = countingStore(createSqliteStore(join(dataDir, 'passkeys.db')));
  const app = await createApp(loadConfig({ DATA_DIR: dataDir, ORIGINS: ORIGIN }), { store: counted.store });
  try {
    const actor = { user: null, app: { appId: 'bench' } };
    await app.policy.patchFido2({ state: 'enabled', isSelfServiceRegistrationAllowed: true }, { actor });
    const key = new SoftAuthenticator({ aaguid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8' });
    const storeOperations: CeremonyStoreOperations[] = [];
    const record = (name: string) => {
      const ops = counted.take();
      storeOperations.push({ name, readCount: ops.reads.length, writeCount: ops.writes.length, ...ops });
    };

    counted.take();
    const { options: creation, user } = await app.registration.options(UPN, 'selfService');
    record('registration options');
    const registration = await key.createCredential(creation, { origin: ORIGIN });
    counted.take();
    await app.registration.verify(UPN, 'selfService', registration, 'bench', {
      user: { id: user.id, userPrincipalName: user.userPrincipalName },
      app: null,
    });
    record('registration verify');
    await app.signIn.options();
    record('sign-in options (usernameless)');
    const request = await app.signIn.options(UPN);
    record('sign-in options (UPN-first)');
    const assertion = await key.getAssertion(request, { origin: ORIGIN });
    counted.take();
    await app.signIn.verify(assertion);
    record('sign-in verify, the first after start (caches cold)');
    // The steady state: policy, user, groups, the audience's protection and the passkey list cached.
    const again = await key.getAssertion(await app.signIn.options(UPN), { origin: ORIGIN });
    counted.take();
    await app.signIn.verify(again);
    record('sign-in verify');

    const assertions = [];
    for (let i = 0; i < signIns; i++)
      assertions.push(await key.getAssertion(await app.signIn.options(UPN), { origin: ORIGIN }));
    const latencies: number[] = [];
    const started = process.hrtime.bigint();
    for (const a of assertions) {
      const at = process.hrtime.bigint();
      await app.signIn.verify(a);
      latencies.push(Number(process.hrtime.bigint() - at) / 1e6);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    counted.take();
    latencies.sort((a, b) => a - b);
    return {
      storeOperations,
      signIn: {
        name: 'in-process sign-in verify (service call, SQLite, no HTTP)',
        signIns,
        perSecond: Math.round(signIns / seconds),
        perSecondAtMedian: Math.round(1000 / percentile(latencies, 50)),
        latencyP50Ms: percentile(latencies, 50),
        latencyP99Ms: percentile(latencies, 99),
      },
    };
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
