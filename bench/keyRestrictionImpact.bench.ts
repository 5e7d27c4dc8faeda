import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditRecord } from '../shared/domain/auditRecords';
import { EventTypes } from '../shared/domain/events/eventTypes';
import { createApp } from '../shared/app';
import { loadConfig } from '../shared/config';
import { startBenchHost } from './hostProcess';

const ACTOR = { user: null, app: { appId: 'bench' } };
const MODELS = [
  'cb69481e-8ff7-4039-93ec-0a2729a154a8',
  '12ded745-4bed-47d4-abaa-e713f51d6393',
  'fbfc3007-154e-4ecc-8c0b-6e020557d7bd',
  'ee882879-721c-4913-9775-3dfcce97072a',
  '90a3ccdf-635c-4729-a248-9b709135078f',
];
const POLICY = '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';

/**
 * Issue 11: the lock-out impact call on `users` users holding `passkeysPerUser` passkeys each (five
 * models), on SQLite, through a host process over HTTP: evaluateKeyRestrictions for an allow list
 * of one AAGUID, PATCH ?dryRun=true, the allow-list proposal, and a PATCH that warns.
 */
export async function benchKeyRestrictionImpact(users: number, passkeysPerUser: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-bench-impact-'));
  const setup = await createApp(loadConfig({ DATA_DIR: dataDir }));
  const admin = await setup.devTokens.mint({
    userPrincipalName: 'admin@contoso.com',
    roles: ['Authentication Policy Administrator'],
    permissions: [],
    expiresInSeconds: 7200,
  });
  const seedStarted = Date.now();
  const group = await setup.directory.createGroup({ displayName: 'Half', securityEnabled: true }, ACTOR);
  for (let i = 0; i < users; i++) {
    const user = await setup.directory.createUser(
      { userPrincipalName: `user${i}@contoso.com`, displayName: `User ${i}` },
      ACTOR,
    );
    if (i % 2 === 0) await setup.directory.addMember(group.id, user.id, ACTOR);
    for (let k = 0; k < passkeysPerUser; k++) {
      const aaGuid = MODELS[(i + k) % MODELS.length];
      const now = new Date().toISOString();
      const credential = {
        id: randomUUID().replace(/-/g, ''),
        userId: user.id,
        displayName: `Key ${k}`,
        publicKey: 'pQECAyYgASFYIA',
        signCount: 0,
        transports: ['usb'],
        aaGuid,
        model: null,
        attestationLevel: 'notAttested' as const,
        attestationCertificates: [],
        attestationFormat: 'none',
        backupEligible: k % 2 === 1,
        backedUp: false,
        createdDateTime: now,
        lastUsedDateTime: null,
        cloneWarningDateTime: null,
        reEnrolmentRequired: false,
      };
      await setup.store.credentials.create(
        credential,
        auditRecord({
          id: randomUUID(),
          at: new Date(),
          actor: ACTOR,
          category: 'UserManagement',
          activityDisplayName: 'Add Passkey (device-bound) security key',
          eventType: EventTypes.fido2MethodRegistered,
          operationType: 'Add',
          target: { id: user.id, displayName: user.userPrincipalName, type: 'User' },
          before: null,
          after: credential,
        }),
      );
    }
  }
  await setup.policy.patchFido2({ state: 'enabled' }, { actor: ACTOR });
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  await setup.close();

  const host = await startBenchHost(dataDir);
  const headers = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };
  const allowOne = { isEnforced: true, enforcementType: 'allow', aaGuids: [MODELS[0]] };
  const timed = async (method: string, path: string, body?: unknown) => {
    const started = process.hrtime.bigint();
    const res = await fetch(`${host.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (res.status >= 300 && res.status !== 204)
      throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
    return { ms: Math.round(ms), bytes: text.length, warning: res.headers.get('warning'), text };
  };
  const fido2 = '#microsoft.graph.fido2AuthenticationMethodConfiguration';
  try {
    const evaluate = [];
    for (let run = 0; run < 3; run++)
      evaluate.push(await timed('POST', `${POLICY}/evaluateKeyRestrictions`, { keyRestrictions: allowOne }));
    const totals = (JSON.parse(evaluate[0].text) as { totals: unknown }).totals;
    const dryRun = await timed('PATCH', `${POLICY}?dryRun=true`, { '@odata.type': fido2, keyRestrictions: allowOne });
    const proposal = await timed('GET', '/v1.0/reports/fido2/aaguids/proposedKeyRestrictions');
    const patch = await timed('PATCH', POLICY, { '@odata.type': fido2, keyRestrictions: allowOne });
    const ms = evaluate.map((e) => e.ms).sort((a, b) => a - b);
    return {
      bench: 'keyRestrictionImpact',
      store: 'sqlite',
      users,
      passkeys: users * passkeysPerUser,
      seedSeconds: Math.round(seedSeconds),
      evaluateKeyRestrictionsMs: { min: ms[0], median: ms[1], max: ms[2] },
      evaluateResponseMiB: Math.round((evaluate[0].bytes / 1024 / 1024) * 10) / 10,
      totals,
      dryRunMs: dryRun.ms,
      proposedKeyRestrictionsMs: proposal.ms,
      patchWithImpactMs: patch.ms,
      patchWarning: patch.warning,
      hostPeakRssMiB: host.peakRssMiB(),
    };
  } finally {
    await host.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** `node dist-bench/bench/keyRestrictionImpact.bench.js [users] [passkeysPerUser]` (default 10000 × 2). */
if (require.main === module) {
  const [users = '10000', perUser = '2'] = process.argv.slice(2);
  benchKeyRestrictionImpact(Number(users), Number(perUser)).then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
