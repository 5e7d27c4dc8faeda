import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../shared/app';
import { loadConfig } from '../shared/config';
import { auditRecord } from '../shared/domain/auditRecords';
import { EventTypes } from '../shared/domain/events/eventTypes';
import { PASSKEY_METHOD } from '../shared/domain/signIns/signInRecord';

/** Twelve models, unevenly spread as in a real tenant (the first ones most common). */
const AAGUIDS = Array.from({ length: 12 }, (_, i) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`);
const pick = (n: number) =>
  AAGUIDS[Math.min(AAGUIDS.length - 1, Math.floor(Math.abs(Math.log(1 - (n % 997) / 997)) * 3))];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The AAGUID inventory on SQLite: `users` users with `perUser` passkeys each and `signIns` sign-in
 * log records, then the report (JSON rows and CSV) timed `runs` times; prints one JSON line.
 * `node dist-bench/bench/aaguidInventory.bench.js [users] [perUser] [signIns]`.
 */
export async function benchAaguidInventory(users = 10_000, perUser = 2, signIns = 40_000, runs = 7) {
  const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-bench-inventory-'));
  const app = await createApp(loadConfig({ DATA_DIR: dataDir, SEED_DEMO_TENANT: 'false' }));
  try {
    const started = Date.now();
    const now = new Date();
    let n = 0;
    for (let u = 0; u < users; u++) {
      const userId = randomUUID();
      for (let k = 0; k < perUser; k++, n++) {
        const aaGuid = pick(n);
        const id = randomUUID().replace(/-/g, '');
        await app.store.credentials.create(
          {
            id,
            userId,
            displayName: 'Key',
            publicKey: 'pQECAyYgASFYIA',
            signCount: 0,
            transports: ['usb'],
            aaGuid,
            model: `Model ${aaGuid.slice(0, 8)}`,
            attestationLevel: n % 3 === 0 ? 'notAttested' : 'attested',
            attestationCertificates: [],
            attestationFormat: 'packed',
            backupEligible: n % 4 === 0,
            backedUp: false,
            createdDateTime: new Date(now.getTime() - n * 1000).toISOString(),
            lastUsedDateTime: n % 2 ? new Date(now.getTime() - n * 100).toISOString() : null,
            cloneWarningDateTime: null,
            reEnrolmentRequired: false,
          },
          auditRecord({
            id: randomUUID(),
            at: now,
            actor: { user: null, app: { appId: 'bench' } },
            category: 'UserManagement',
            activityDisplayName: 'Register passkey',
            eventType: EventTypes.fido2MethodRegistered,
            operationType: 'Add',
            target: { id: userId, displayName: null, type: 'User' },
            before: null,
            after: { id },
          }),
        );
      }
    }
    for (let s = 0; s < signIns; s++) {
      const at = new Date(now.getTime() - s * 30_000).toISOString();
      await app.store.signInLog.append({
        id: randomUUID(),
        createdDateTime: at,
        userId: null,
        userPrincipalName: `user${s % users}@contoso.com`,
        userDisplayName: null,
        appId: 'api://passkey-service',
        resourceId: 'api://passkey-service',
        ipAddress: '203.0.113.1',
        clientAppUsed: 'Browser',
        userAgent: 'bench',
        isInteractive: true,
        status: { errorCode: s % 10 === 0 ? 90023 : 0, failureReason: null, additionalDetails: null },
        authenticationMethodsUsed: [PASSKEY_METHOD],
        authenticationDetails: [
          {
            authenticationMethod: PASSKEY_METHOD,
            authenticationMethodDetail: null,
            authenticationStepDateTime: at,
            authenticationStepResultDetail: '',
            succeeded: s % 10 !== 0,
            aaGuid: pick(s),
            credentialId: 'x',
          },
        ],
        conditionalAccessStatus: 'notApplied',
        appliedConditionalAccessPolicies: [],
      });
    }
    const setupSeconds = (Date.now() - started) / 1000;
    const time = async (f: () => Promise<unknown>) => {
      const t = process.hrtime.bigint();
      await f();
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const json: number[] = [];
    const csv: number[] = [];
    let rows = 0;
    for (let r = 0; r < runs; r++) {
      json.push(await time(async () => (rows = (await app.aaguidInventory.rows()).length)));
      csv.push(await time(() => app.aaguidInventory.csv()));
    }
    const result = {
      kind: 'aaguidInventory',
      store: 'sqlite',
      users,
      passkeys: users * perUser,
      signInRecords: signIns,
      models: rows,
      runs,
      medianRowsMs: Math.round(median(json) * 10) / 10,
      medianCsvMs: Math.round(median(csv) * 10) / 10,
      setupSeconds: Math.round(setupSeconds * 10) / 10,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return result;
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [users, perUser, signIns] = process.argv.slice(2).map(Number);
  benchAaguidInventory(users || undefined, perUser || undefined, signIns || undefined).catch((e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  });
}
