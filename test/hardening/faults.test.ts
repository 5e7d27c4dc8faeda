import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPolicy, POLICY_V1 } from '../support/ceremonies';
import { startCosmosServer, CosmosTestServer } from '../support/cosmosServer';
import { startTestService, TestService } from '../support/localService';
import { SoftAuthenticator } from '../../cli/authenticators/soft';
import { recordFigure, scaled } from './figures';
import { killDuring, RestartableHost } from './support/faultHost';
import { CosmosFaultProxy, startCosmosFaultProxy } from './support/cosmosFaultProxy';
import { settle, StoreWatch } from './support/storeWatch';
import { toGraphCredential } from '../../cli/provision/credential';

/*
 * Faults: the host is killed (SIGKILL: no handler, no flush) in the middle of a registration, a
 * policy PATCH, a provisioning job and a webhook delivery, then started again on the same store;
 * the store is busy (SQLite) or throttled and unavailable (Cosmos DB). After each, nothing is
 * half-written, no event is lost, no user is provisioned twice, and the API says "retry later"
 * (503 + Retry-After, a Graph error), never 500.
 */

const KILLS = scaled(3, 10);
const YUBIKEY = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
/** Kill delays (ms) spread over a request's life: before it is read, mid-ceremony, around the commit. */
const delay = (i: number) => [0, 3, 8, 15, 25, 40][i % 6] + (i % 3);

let survived = 0;
/** Kills that landed before the client got an answer (the others hit between requests). */
let inFlight = 0;
afterAll(() => {
  recordFigure('faults', 'faults survived', survived);
  recordFigure('faults', 'SIGKILLs with the request in flight', inFlight);
});

describe('faults: the host killed mid-request', () => {
  let dataDir: string;
  let host: RestartableHost;
  let admin: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'passkeys-faults-'));
    host = await RestartableHost.create(dataDir);
    admin = host.token([
      '--upn',
      'admin@contoso.com',
      '--role',
      'Global Administrator',
      '--role',
      'Authentication Administrator',
    ]);
    await host.start();
    expect((await host.call('PATCH', POLICY_V1, admin, openPolicy())).status).toBe(204);
  }, 60_000);

  afterAll(async () => {
    await host?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fault: SIGKILL during a registration leaves the passkey registered with its audit record, or not at all', async () => {
    const user = await host.call('POST', '/v1.0/users', admin, {
      userPrincipalName: 'kill.register@contoso.com',
      displayName: 'Kill Register',
    });
    expect(user.status).toBe(201);
    const token = host.token(['--upn', 'kill.register@contoso.com']);
    for (let i = 0; i < KILLS; i++) {
      const options = await host.call('POST', '/webauthn/registration/options', token, {});
      // A new key each time: an authenticator holding an excluded credential refuses to make another.
      const credential = await new SoftAuthenticator({ aaguid: YUBIKEY }).createCredential(options.body, {
        origin: host.origin,
      });
      const { outcome } = await killDuring(host, delay(i), () =>
        host.call('POST', '/webauthn/registration/verify', token, { credential }),
      );
      const state = host.withStore((db) => ({
        stored: (db.prepare('SELECT COUNT(*) AS n FROM credentials WHERE id = ?').get(credential.id) as { n: number })
          .n,
        audited: (
          db.prepare('SELECT COUNT(*) AS n FROM audit WHERE doc LIKE ?').get(`%${credential.id}%`) as { n: number }
        ).n,
      }));
      // Both or neither; and an answer the client saw (201) was durable.
      expect({ attempt: i, both: state.stored === state.audited, atMostOnce: state.stored <= 1 }).toEqual({
        attempt: i,
        both: true,
        atMostOnce: true,
      });
      if (outcome?.status === 201) expect(state.stored).toBe(1);
      if (outcome === undefined) inFlight++;
      await host.start();
      const methods = await host.call('GET', `/v1.0/users/${user.body.id}/authentication/fido2Methods`, admin);
      expect(methods.body.value.some((m: { id: string }) => m.id === credential.id)).toBe(state.stored === 1);
      survived++;
    }
  }, 120_000);

  it('fault: SIGKILL during a policy PATCH leaves the old or the new policy, with an ETag that still works', async () => {
    for (let i = 0; i < KILLS; i++) {
      const before = await host.call('GET', POLICY_V1, admin);
      const oldGuids: string[] = before.body.keyRestrictions.aaGuids;
      const newGuids = oldGuids.length ? [] : [YUBIKEY];
      const patch = {
        ...openPolicy(),
        keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: newGuids },
      };
      const { outcome } = await killDuring(host, delay(i), () =>
        host.call('PATCH', POLICY_V1, admin, patch, { 'If-Match': before.headers.get('etag') ?? '*' }),
      );
      await host.start();
      const after = await host.call('GET', POLICY_V1, admin);
      const now: string[] = after.body.keyRestrictions.aaGuids;
      expect([JSON.stringify(oldGuids), JSON.stringify(newGuids)]).toContain(JSON.stringify(now));
      if (outcome?.status === 204) expect(now).toEqual(newGuids);
      if (outcome === undefined) inFlight++;
      const etag = after.headers.get('etag');
      if (JSON.stringify(now) === JSON.stringify(oldGuids)) expect(etag).toBe(before.headers.get('etag'));
      // The ETag read after the restart is the one the store holds: a conditional write with it succeeds.
      expect(
        (
          await host.call(
            'PATCH',
            POLICY_V1,
            admin,
            { ...patch, keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: now } },
            { 'If-Match': etag ?? '' },
          )
        ).status,
      ).toBe(204);
      survived++;
    }
  }, 120_000);

  it('fault: SIGKILL during a provisioning job: restarted, it finishes with no user provisioned twice', async () => {
    const USERS = scaled(4, 12);
    const upns: string[] = [];
    for (let i = 0; i < USERS; i++) {
      const res = await host.call('POST', '/v1.0/users', admin, {
        userPrincipalName: `kill.prov${i}@contoso.com`,
        displayName: `Kill Prov ${i}`,
      });
      upns.push(res.body.userPrincipalName);
    }
    const job = await host.call('POST', '/provisioning/jobs', admin, { users: upns });
    expect(job.status).toBe(202);
    const jobId: string = job.body.id;
    let kills = 0;
    for (let round = 0; round < 200; round++) {
      const next = await host.call('POST', `/provisioning/jobs/${job.body.id}/next`, admin, {}).catch(() => undefined);
      if (next?.status === 409) break;
      if (next?.status !== 200) {
        const status = await host.call('GET', `/provisioning/jobs/${job.body.id}`, admin);
        if (status.body.counts.pending + status.body.counts.ready + status.body.counts.claimed === 0) break;
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      const credential = await new SoftAuthenticator({ aaguid: YUBIKEY }).createCredential(next.body.publicKey, {
        origin: host.origin,
      });
      const body = {
        publicKeyCredential: toGraphCredential(credential),
      };
      const post = () =>
        host.call('POST', `/provisioning/jobs/${job.body.id}/users/${next.body.userId}/credential`, admin, body);
      if (kills < Math.min(KILLS, USERS - 1)) {
        const { outcome } = await killDuring(host, delay(kills), post);
        kills++;
        await host.start();
        if (outcome === undefined) {
          // The station never heard back: it sends the same credential again (at least once).
          inFlight++;
          const retried = await post();
          if (retried.status === 409) {
            // The first attempt had committed: the retry is refused (userNotClaimed), the user holds one passkey.
            expect(retried.body.error.code).toBe('userNotClaimed');
            const job = await host.call('GET', `/provisioning/jobs/${jobId}?$top=1000`, admin);
            expect(job.body.users.find((u: { userId: string }) => u.userId === next.body.userId).state).toBe(
              'provisioned',
            );
          } else {
            expect({ status: retried.status, state: retried.body?.state }).toEqual({
              status: 200,
              state: 'provisioned',
            });
          }
        }
      } else {
        await post();
      }
    }
    const final = await host.call('GET', `/provisioning/jobs/${job.body.id}?$top=1000`, admin);
    expect(final.body.counts.provisioned).toBe(USERS);
    for (const upn of upns) {
      const methods = await host.call('GET', `/v1.0/users/${upn}/authentication/fido2Methods`, admin);
      expect({ upn, methods: methods.body.value.length }).toEqual({ upn, methods: 1 });
    }
    survived += kills;
  }, 180_000);

  it('fault: SIGKILL during a webhook delivery: every event arrives after the restart (at least once, deduplicated by id)', async () => {
    const receiver = await startReceiver();
    try {
      receiver.hold = true;
      const sub = await host.call('POST', '/webhooks/subscriptions', admin, {
        url: receiver.url,
        eventTypes: ['fido2Policy.updated'],
      });
      expect(sub.status).toBe(201);
      // Several policy changes: the first delivery is held in flight, the others wait behind it.
      const EVENTS = scaled(3, 6);
      const since = new Date().toISOString();
      for (let i = 0; i < EVENTS; i++) {
        const current = await host.call('GET', POLICY_V1, admin);
        const aaGuids = current.body.keyRestrictions.aaGuids.length ? [] : [YUBIKEY];
        expect(
          (
            await host.call('PATCH', POLICY_V1, admin, {
              ...openPolicy(),
              keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids },
            })
          ).status,
        ).toBe(204);
      }
      await waitFor(() => receiver.received.length > 0, 15_000, 'the first delivery');
      const firstId = receiver.received[0];
      await host.kill();
      receiver.hold = false;
      await host.start();
      // No event lost: the event of every change (its id is the audit record's) arrives, at least
      // once; the receiver dedupes by webhook-id.
      const changes = host.withStore((db) =>
        (
          db.prepare('SELECT id, doc FROM audit WHERE activity_time >= ?').all(since) as Array<{
            id: string;
            doc: string;
          }>
        )
          .filter(
            (r) =>
              (JSON.parse(r.doc) as { activityDisplayName: string }).activityDisplayName ===
              'Update authentication methods policy',
          )
          .map((r) => r.id),
      );
      expect(changes).toHaveLength(EVENTS);
      // The delivery that was in flight at the kill (ours, or setup's own policy change) arrives too.
      const expected = [...new Set([firstId, ...changes])];
      await waitFor(
        () => expected.every((id) => receiver.acknowledged.includes(id)),
        30_000,
        `the events ${expected.join(', ')}`,
      );
      survived++;
    } finally {
      await receiver.close();
    }
  }, 90_000);
});

describe('faults: the store is unavailable', () => {
  it('fault: SQLite locked by another writer past busy_timeout → 503 with Retry-After and a Graph error, nothing written', async () => {
    const svc = await startTestService();
    const blocker = new Database(join(svc.dataDir, 'passkeys.db'));
    try {
      const admin = await svc.token({ permissions: ['Policy.ReadWrite.AuthenticationMethod', 'User.ReadWrite.All'] });
      expect((await svc.call('PATCH', POLICY_V1, { token: admin, body: openPolicy() })).status).toBe(204);
      const before = await svc.call('GET', POLICY_V1, { token: admin });
      // Let the event runtime finish with the setup's events first: its writes would wait on the lock too.
      const watch = new StoreWatch(svc.dataDir);
      await settle(watch);
      watch.close();
      blocker.exec('BEGIN IMMEDIATE');
      const writes: Array<[string, string, unknown]> = [
        ['PATCH', POLICY_V1, { ...openPolicy(), isSelfServiceRegistrationAllowed: false }],
      ];
      if (scaled(0, 1))
        writes.push(['POST', '/v1.0/users', { userPrincipalName: 'busy@contoso.com', displayName: 'Busy' }]);
      for (const [method, path, body] of writes) {
        const res = await svc.call(method, path, { token: admin, body });
        expect({
          status: res.status,
          code: res.body?.error?.code,
          retryAfter: Number(res.headers.get('retry-after')) > 0,
        }).toEqual({ status: 503, code: 'serviceUnavailable', retryAfter: true });
        survived++;
      }
      // Reads go on under WAL while a writer holds the lock.
      expect((await svc.call('GET', POLICY_V1, { token: admin })).status).toBe(200);
      blocker.exec('ROLLBACK');
      const after = await svc.call('GET', POLICY_V1, { token: admin });
      expect({ etag: after.headers.get('etag'), selfService: after.body.isSelfServiceRegistrationAllowed }).toEqual({
        etag: before.headers.get('etag'),
        selfService: true,
      });
      expect(
        (
          await svc.call(
            'GET',
            '/v1.0/users?$filter=' + encodeURIComponent("userPrincipalName eq 'busy@contoso.com'"),
            { token: admin },
          )
        ).body.value,
      ).toEqual([]);
      expect(
        (
          await svc.call('PATCH', POLICY_V1, {
            token: admin,
            body: { ...openPolicy(), isSelfServiceRegistrationAllowed: false },
          })
        ).status,
      ).toBe(204);
    } finally {
      if (blocker.inTransaction) blocker.exec('ROLLBACK');
      blocker.close();
      await svc.close();
    }
  }, 60_000);

  describe('Cosmos DB throttling (429) and unavailability (503)', () => {
    let cosmos: CosmosTestServer;
    let proxy: CosmosFaultProxy;
    let svc: TestService;
    let admin: string;

    beforeAll(async () => {
      cosmos = await startCosmosServer();
      proxy = await startCosmosFaultProxy(cosmos.endpoint);
      svc = await startTestService({
        COSMOS_ENDPOINT: proxy.endpoint,
        COSMOS_KEY: cosmos.key,
        COSMOS_DATABASE: 'faults',
      });
      admin = await svc.token({ permissions: ['Policy.ReadWrite.AuthenticationMethod'] });
      expect((await svc.call('PATCH', POLICY_V1, { token: admin, body: openPolicy() })).status).toBe(204);
    }, 60_000);

    afterAll(async () => {
      await svc?.close();
      await proxy?.close();
      await cosmos?.close();
    });

    it('fault: a short burst of 429s is absorbed by the SDK retries (x-ms-retry-after-ms honoured)', async () => {
      proxy.fail({ status: 429, times: 3, retryAfterMs: 30 });
      const res = await svc.call('PATCH', POLICY_V1, {
        token: admin,
        body: { ...openPolicy(), isSelfServiceRegistrationAllowed: false },
      });
      expect(res.status).toBe(204);
      expect(proxy.refused).toBe(3);
      survived++;
    });

    it.each([
      [429, 'throttled past the SDK retries'],
      [503, 'unavailable'],
    ])(
      'fault: Cosmos DB answers %d (%s) → 503 with Retry-After and a Graph error, nothing written',
      async (status) => {
        const before = await svc.call('GET', POLICY_V1, { token: admin });
        proxy.fail({ status, times: Infinity, retryAfterMs: 20 });
        const res = await svc.call('PATCH', POLICY_V1, {
          token: admin,
          body: { ...openPolicy(), isSelfServiceRegistrationAllowed: !before.body.isSelfServiceRegistrationAllowed },
        });
        proxy.pass();
        expect({
          status: res.status,
          code: res.body?.error?.code,
          retryAfter: Number(res.headers.get('retry-after')) > 0,
        }).toEqual({ status: 503, code: 'serviceUnavailable', retryAfter: true });
        if (status === 429) expect(proxy.refused).toBeGreaterThanOrEqual(10); // the SDK's 9 retries, then us
        const after = await svc.call('GET', POLICY_V1, { token: admin });
        expect({ etag: after.headers.get('etag'), selfService: after.body.isSelfServiceRegistrationAllowed }).toEqual({
          etag: before.headers.get('etag'),
          selfService: before.body.isSelfServiceRegistrationAllowed,
        });
        survived++;
      },
      60_000,
    );
  });
});

/** A webhook receiver that can hold requests unanswered (a delivery in flight) and records event ids. */
async function startReceiver(): Promise<{
  url: string;
  hold: boolean;
  received: string[];
  acknowledged: string[];
  close(): Promise<void>;
}> {
  const held: ServerResponse[] = [];
  const state = {
    url: '',
    hold: false,
    received: [] as string[],
    acknowledged: [] as string[],
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const id = String(req.headers['webhook-id'] ?? '');
      state.received.push(id);
      if (state.hold) {
        held.push(res);
        return;
      }
      state.acknowledged.push(id);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return state;
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
