import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SoftAuthenticator, TestAttestationCa, type AttestationCertificate } from '../cli/authenticators/soft';
import { X509Certificate } from 'node:crypto';
import { SimpleWebAuthnAdapter } from '../shared/adapters/webauthn/simpleWebAuthn.adapter';
import { createApp } from '../shared/app';
import type { RegistrationResponseJSON } from '../shared/ports/webauthn.port';
import { loadConfig } from '../shared/config';
import { benchCrypto } from './crypto.bench';
import { summariseProfile } from './profile';

/** A V8 .cpuprofile, as bench/profile.ts reads it. */
type CpuProfile = Parameters<typeof summariseProfile>[0];

const ORIGIN = 'http://localhost:7071';
const AAGUID = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';

/** How the attestation leaves of the registered keys relate to each other. */
export type LeafSharing = 'batch' | 'perKey';

/**
 * Registration verify with packed x5c attestation, the service call over a file SQLite store: each
 * registration a fresh user and a fresh authenticator, prepared before the timed part (options,
 * credential creation). `batch`: every key carries the same attestation leaf, as a batch of real
 * authenticators does (FIDO basic attestation: one certificate per batch of ≥ 100,000 keys);
 * `perKey`: each key its own leaf (every certificate parsed on first sight). The first `warmUp`
 * registrations are verified untimed (JIT, caches).
 */
export async function benchRegistrationVerify(
  registrations: number,
  sharing: LeafSharing,
  options: { warmUp?: number; profile?: boolean } = {},
) {
  const warmUp = options.warmUp ?? 20;
  const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-bench-registration-'));
  const ca = await TestAttestationCa.create();
  // The model's FIDO metadata lists the CA as its root: the chain is checked and the key attested.
  const webauthn = await SimpleWebAuthnAdapter.create({
    metadata: [{ aaguid: AAGUID, roots: [new X509Certificate(ca.certificate)], statusReports: [] }],
  });
  // The adapter's share (the WebAuthn checks, statement and trust decision), timed through the port.
  let adapterUs = 0;
  const verifyRegistration = webauthn.verifyRegistration.bind(webauthn);
  webauthn.verifyRegistration = async (...args) => {
    const at = process.hrtime.bigint();
    try {
      return await verifyRegistration(...args);
    } finally {
      adapterUs += Number(process.hrtime.bigint() - at) / 1e3;
    }
  };
  const app = await createApp(loadConfig({ DATA_DIR: dataDir, ORIGINS: ORIGIN }), { webauthn });
  try {
    const actor = { user: null, app: { appId: 'bench' } };
    await app.policy.patchFido2({ state: 'enabled', isSelfServiceRegistrationAllowed: true }, { actor });
    const batchLeaf: AttestationCertificate | undefined =
      sharing === 'batch' ? await ca.issueAttestationCertificate({ aaguid: AAGUID }) : undefined;
    const pending: Array<{ upn: string; id: string; response: RegistrationResponseJSON }> = [];
    for (let i = 0; i < registrations + warmUp; i++) {
      const upn = `reg${i}@contoso.com`;
      const created = await app.directory.createUser({ userPrincipalName: upn, displayName: upn }, actor);
      const authenticator = new SoftAuthenticator({
        aaguid: AAGUID,
        attestation: 'packed-x5c',
        ...(batchLeaf ? { attestationCertificate: batchLeaf } : { ca }),
      });
      const { options } = await app.registration.options(upn, 'selfService');
      const response = await authenticator.createCredential(options, { origin: ORIGIN });
      pending.push({ upn, id: created.id, response });
    }
    const verify = (r: (typeof pending)[number]) =>
      app.registration.verify(r.upn, 'selfService', r.response, 'bench', {
        user: { id: r.id, userPrincipalName: r.upn },
        app: null,
      });
    for (const r of pending.splice(0, warmUp)) {
      const method = await verify(r);
      if (method.attestationLevel !== 'attested')
        throw new Error(`expected an attested key, got ${method.attestationLevel}`);
    }
    const session = options.profile ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    adapterUs = 0;
    const at = process.hrtime.bigint();
    for (const r of pending) await verify(r);
    const microsecondsEach = Number(process.hrtime.bigint() - at) / 1e3 / registrations;
    const profile = session ? ((await session.post('Profiler.stop')).profile as CpuProfile) : undefined;
    session?.disconnect();
    return {
      name: `registration verify, packed x5c (service call, SQLite, ${sharing === 'batch' ? 'batch leaf' : 'a leaf per key'})`,
      registrations,
      microsecondsEach: Math.round(microsecondsEach),
      perSecond: Math.round(1e6 / microsecondsEach),
      /** Of which the WebAuthn adapter's verifyRegistration (the rest: store, challenge, policy, audit). */
      adapterMicrosecondsEach: Math.round(adapterUs / registrations),
      profile,
    };
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * `node dist-bench/bench/registration.bench.js [registrations] [batch|perKey|both]`: the
 * registration verify rate and its ratio to the raw ES256 verify rate measured in the same run
 * (run it under `node --cpu-prof` for a profile of the loop; bench/profile.ts summarises it).
 */
async function main() {
  const registrations = Number(process.argv[2] ?? 500);
  const which = process.argv[3] ?? 'both';
  const sharings: LeafSharing[] = which === 'both' ? ['batch', 'perKey'] : [which as LeafSharing];
  const profileTo = process.env.REGISTRATION_PROFILE; // a file prefix: <prefix>.<sharing>.cpuprofile
  const raw = benchCrypto(1000)[0];
  for (const sharing of sharings) {
    const { profile, ...r } = await benchRegistrationVerify(registrations, sharing, { profile: !!profileTo });
    const ratio = Math.round((r.perSecond / raw.operationsPerSecond) * 1e4) / 1e4;
    process.stdout.write(
      `${JSON.stringify({ ...r, rawEs256VerifyPerSecond: raw.operationsPerSecond, ratioToRawEs256Verify: ratio })}\n`,
    );
    if (profile && profileTo) {
      writeFileSync(`${profileTo}.${sharing}.cpuprofile`, JSON.stringify(profile));
      const { frames, categories, totalMs } = summariseProfile(profile);
      process.stdout.write(`${JSON.stringify({ sharing, totalMs, categories, frames }, null, 1)}\n`);
    }
  }
}

if (require.main === module)
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
