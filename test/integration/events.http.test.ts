import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../shared/app';
import { loadConfig, Settings } from '../../shared/config';
import { LocalEventBus } from '../../shared/adapters/localbus/localEventBus';
import { EventEnvelope } from '../../shared/ports/eventBus.port';
import { OutboxRelay } from '../../shared/services/events/outboxRelay';
import { CosmosTestServer, startCosmosServer } from '../support/cosmosServer';
import { Roles, startTestService, TEST_STORES, TestStore } from '../support/localService';
import { startReceiver } from '../support/webhookReceiver';

const POLICY = '/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';
const ODATA_TYPE = '#microsoft.graph.fido2AuthenticationMethodConfiguration';
const waitFor = async <T>(probe: () => T | undefined, ms = 1000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** Runs a script in a child process and resolves with the signal that ended it (async: the Cosmos test server lives in this process). */
function runChild(script: string, env: Settings): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    child.once('error', reject);
    child.once('exit', (_code, signal) => resolve(signal));
  });
}

// One cosmosdb-server for the Cosmos variants that restart a service on the same database.
let cosmos: CosmosTestServer;
beforeAll(async () => {
  cosmos = await startCosmosServer();
});
afterAll(async () => {
  await cosmos?.close();
});

/** Settings that put a service (or a child process) on the store; a Cosmos database of its own each call. */
const storeSettings = (store: TestStore): Settings =>
  store === 'cosmos'
    ? { COSMOS_ENDPOINT: cosmos.endpoint, COSMOS_KEY: cosmos.key, COSMOS_DATABASE: `events-${randomUUID()}` }
    : {};

describe.each(TEST_STORES)('domain events from the outbox (%s store)', (store) => {
  it('publishes a policy PATCH as fido2Policy.updated within a second, and shows it in the audit log', async () => {
    const svc = await startTestService({}, undefined, { store });
    try {
      expect(svc.app.store.kind).toBe(store);
      const seen: EventEnvelope[] = [];
      await svc.events.bus.subscribe('probe', async (event) => {
        seen.push(event);
      });
      const admin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
      const started = Date.now();
      expect(
        (await svc.call('PATCH', POLICY, { token: admin, body: { '@odata.type': ODATA_TYPE, state: 'enabled' } }))
          .status,
      ).toBe(204);
      const event = await waitFor(() => seen.find((e) => e.type === 'fido2Policy.updated'));
      expect(Date.now() - started).toBeLessThan(1000);
      expect(event).toMatchObject({
        specversion: '1.0',
        subject: 'policies/authenticationMethodsPolicy/fido2',
        data: { before: { state: 'disabled' }, after: { state: 'enabled' } },
      });
      expect(
        (event.data as { initiatedBy: { user: { userPrincipalName: string } } }).initiatedBy.user.userPrincipalName,
      ).toBe('admin@contoso.com');

      const audits = await svc.call('GET', '/v1.0/auditLogs/directoryAudits?$top=5', { token: admin });
      expect(audits.status).toBe(200);
      expect(audits.body.value[0]).toMatchObject({
        id: event.id,
        activityDisplayName: 'Update authentication methods policy',
        result: 'success',
        initiatedBy: { user: { userPrincipalName: 'admin@contoso.com' } },
      });
      expect(audits.body.value[0].targetResources[0].modifiedProperties).toEqual(
        expect.arrayContaining([{ displayName: 'state', oldValue: '"disabled"', newValue: '"enabled"' }]),
      );
      const since = await svc.call(
        'GET',
        `/v1.0/auditLogs/directoryAudits?$filter=${encodeURIComponent(`activityDateTime ge ${new Date(started).toISOString()}`)}`,
        { token: admin },
      );
      expect(since.body.value.map((a: { id: string }) => a.id)).toEqual([event.id]);
      expect(
        (await svc.call('GET', "/v1.0/auditLogs/directoryAudits?$filter=displayName eq 'x'", { token: admin })).status,
      ).toBe(400);
      const alice = await svc.token({ upn: 'alice@contoso.com' });
      expect((await svc.call('GET', '/v1.0/auditLogs/directoryAudits', { token: alice })).status).toBe(403);
    } finally {
      await svc.close();
    }
  });

  it('publishes a UPN change as user.upnChanged with the old and the new name', async () => {
    const svc = await startTestService({}, undefined, { store });
    try {
      const seen: EventEnvelope[] = [];
      await svc.events.bus.subscribe('probe', async (event) => {
        seen.push(event);
      });
      const admin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] });
      expect(
        (
          await svc.call('PATCH', '/v1.0/users/bob@contoso.com', {
            token: admin,
            body: { userPrincipalName: 'bob.jones@contoso.com' },
          })
        ).status,
      ).toBe(204);
      const event = await waitFor(() => seen.find((e) => e.type === 'user.upnChanged'));
      expect(event.data).toMatchObject({
        oldUserPrincipalName: 'bob@contoso.com',
        newUserPrincipalName: 'bob.jones@contoso.com',
        initiatedBy: { user: { userPrincipalName: 'admin@contoso.com' } },
      });
      expect(event.subject).toBe(`users/${(event.data as { userId: string }).userId}`);
    } finally {
      await svc.close();
    }
  });

  it('reports the relay on /health: its kind, that it runs, when it last published and how far behind', async () => {
    const svc = await startTestService({}, undefined, { store });
    try {
      const kind = store === 'cosmos' ? 'cosmos-query' : 'sqlite-poller';
      const before = await svc.call('GET', '/health');
      expect(before.status).toBe(200);
      expect(before.body.relay).toMatchObject({ kind, running: true, consecutiveFailures: 0 });
      const admin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
      const patchedAt = Date.now();
      expect(
        (await svc.call('PATCH', POLICY, { token: admin, body: { '@odata.type': ODATA_TYPE, state: 'enabled' } }))
          .status,
      ).toBe(204);
      let relay = before.body.relay;
      for (let i = 0; i < 100 && !(relay.lastPublishedAt && Date.parse(relay.lastPublishedAt) >= patchedAt); i++) {
        await new Promise((r) => setTimeout(r, 20));
        relay = (await svc.call('GET', '/health')).body.relay;
      }
      expect(Date.parse(relay.lastPublishedAt)).toBeGreaterThanOrEqual(patchedAt);
      expect(relay.lastPublishLagMs).toBeLessThan(1000);
      expect(Date.parse(relay.lastPolledAt)).toBeGreaterThanOrEqual(patchedAt);

      await svc.events.outboxRelay!.stop();
      expect((await svc.call('GET', '/health')).body.relay).toMatchObject({ kind, running: false });
    } finally {
      await svc.close();
    }
  });

  it('loses nothing when the process dies between the state write and the publish', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-outbox-'));
    const settings = { ...storeSettings(store), DATA_DIR: dataDir };
    const bus = LocalEventBus.open(join(dataDir, 'probe-bus.db'), { pollMs: 5 });
    const seen: EventEnvelope[] = [];
    await bus.subscribe('probe', async (event) => {
      seen.push(event);
    });
    try {
      // 0. What was written before (the demo tenant) is published and the position stored.
      const first = await createApp(loadConfig(settings));
      expect(await new OutboxRelay(first.store.outbox!, bus, 'test').drain()).toBeGreaterThan(0);
      await first.close();
      await waitFor(() => (seen.length > 0 ? true : undefined));
      await new Promise((r) => setTimeout(r, 50));
      seen.length = 0;

      // 1. A process commits the change (state and audit record) and is killed with SIGKILL right
      //    after: no relay ran, nothing was published.
      const script = `
        const { createApp } = require('./dist/shared/app');
        const { loadConfig } = require('./dist/shared/config');
        const keys = ['DATA_DIR', 'COSMOS_ENDPOINT', 'COSMOS_KEY', 'COSMOS_DATABASE', 'SEED_DEMO_TENANT'];
        createApp(loadConfig(Object.fromEntries(keys.map((k) => [k, process.env[k]]))))
          .then((app) => app.policy.patchFido2({ state: 'enabled' }, { actor: { user: null, app: { appId: 'test' } } }))
          .then(() => process.kill(process.pid, 'SIGKILL'));`;
      expect(await runChild(script, { ...settings, SEED_DEMO_TENANT: 'false' })).toBe('SIGKILL');
      expect(seen).toEqual([]);

      // 2. After the restart the relay resumes from its persisted position and publishes the change, only it.
      const second = await createApp(loadConfig({ ...settings, SEED_DEMO_TENANT: 'false' }));
      const relay = new OutboxRelay(second.store.outbox!, bus, 'test');
      expect(await relay.drain()).toBe(1);
      const event = await waitFor(() => seen.find((e) => e.type === 'fido2Policy.updated'));
      expect(event.data).toMatchObject({ after: { state: 'enabled' } });
      // 3. Draining again publishes nothing new: the position moved after the publish.
      expect(await relay.drain()).toBe(0);
      await second.close();
      expect(seen.map((e) => e.type)).toEqual(['fido2Policy.updated']);
    } finally {
      await bus.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('delivers to a webhook receiver a change written while the relay was stopped, after the restart, once', async () => {
    const receiver = await startReceiver();
    const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-restart-'));
    const settings = { ...storeSettings(store), DATA_DIR: dataDir, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' };
    try {
      const svc = await startTestService(settings, undefined, { store });
      const admin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
      expect(
        (
          await svc.call('POST', '/webhooks/subscriptions', {
            token: admin,
            body: { url: receiver.url, eventTypes: ['fido2Policy.updated'] },
          })
        ).status,
      ).toBe(201);
      expect(
        (await svc.call('PATCH', POLICY, { token: admin, body: { '@odata.type': ODATA_TYPE, state: 'enabled' } }))
          .status,
      ).toBe(204);
      await waitFor(() => (receiver.events.length === 1 ? true : undefined), 2000);

      // The relay stops (as in a crash after the commit); the next change is written, not published.
      await svc.events.outboxRelay!.stop();
      expect(
        (await svc.call('PATCH', POLICY, { token: admin, body: { '@odata.type': ODATA_TYPE, state: 'disabled' } }))
          .status,
      ).toBe(204);
      await new Promise((r) => setTimeout(r, 400));
      expect(receiver.events).toHaveLength(1);
      await svc.close();

      const restarted = await startTestService(settings, undefined, { store });
      try {
        await waitFor(() => (receiver.events.length >= 2 ? true : undefined), 2000);
        await new Promise((r) => setTimeout(r, 300));
        expect(receiver.events.map((e) => [e.type, (e.data as { after: { state: string } }).after.state])).toEqual([
          ['fido2Policy.updated', 'enabled'],
          ['fido2Policy.updated', 'disabled'],
        ]);
      } finally {
        await restarted.close();
      }
    } finally {
      await receiver.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the local bus', () => {
  it('delivers the same event id once per subscription even when it is published twice', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-bus-'));
    const bus = LocalEventBus.open(join(dataDir, 'bus.db'), { pollMs: 5 });
    const seen: string[] = [];
    await bus.subscribe('probe', async (event) => {
      seen.push(event.id);
    });
    const event: EventEnvelope = {
      specversion: '1.0',
      id: 'evt-1',
      type: 't',
      source: 's',
      subject: 'x',
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: {},
    };
    await bus.publish([event]);
    await bus.publish([event]);
    await waitFor(() => (seen.length ? true : undefined));
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(['evt-1']);
    await bus.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
});
