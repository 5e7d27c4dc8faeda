import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchInProcess } from './ceremonies.bench';
import { benchCrypto } from './crypto.bench';
import { startBenchHost } from './hostProcess';
import { prepareSignInTenant, runSignInCeremonies } from './signIn.bench';

const round = (n: number, digits = 4) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * `node dist-bench/bench/signInTargets.js`: issue 10's two sign-in targets alone, in one run — the raw
 * ES256 verify rate, in-process sign-in verify and HTTP sign-in ceremonies against the host as
 * `npm start` runs it (WORKERS as it defaults, or as set) — each with its ratio to the raw rate.
 * SIGN_IN_SECONDS (default 8) and SIGN_IN_CONNECTIONS (default 16) shape the HTTP load.
 */
async function main() {
  const seconds = Number(process.env.SIGN_IN_SECONDS ?? 8);
  const connections = Number(process.env.SIGN_IN_CONNECTIONS ?? 16);
  const raw = benchCrypto(1000)[0].operationsPerSecond;
  const print = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
  print({ kind: 'crypto', name: 'ES256 verify (P-256, node:crypto)', operationsPerSecond: raw });
  const inProcess = await benchInProcess(Number(process.env.IN_PROCESS_SIGN_INS ?? 1000));
  print({
    kind: 'inProcess',
    ...inProcess.signIn,
    ratioToRawEs256Verify: round(inProcess.signIn.perSecond / raw),
    ratioAtMedianToRawEs256Verify: round(inProcess.signIn.perSecondAtMedian / raw),
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-bench-signin-'));
  try {
    const passkeys = await prepareSignInTenant(dataDir, connections);
    const host = await startBenchHost(dataDir);
    try {
      await runSignInCeremonies(host.url, passkeys, 1); // warm-up
      const ceremonies = await runSignInCeremonies(host.url, passkeys, seconds, host.child.pid);
      print({
        kind: 'signInCeremonies',
        ...ceremonies,
        workers: host.workers,
        ratioToRawEs256Verify: round(ceremonies.ceremoniesPerSecond / raw),
      });
    } finally {
      await host.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
