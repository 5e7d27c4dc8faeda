import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createApp } from '../../shared/app';
import { loadConfig } from '../../shared/config';
import { LocalEventBus } from '../../shared/adapters/localbus/localEventBus';
import { DomainEvent } from '../../shared/ports/eventBus.port';
import { OutboxRelay } from '../../shared/services/events/outboxRelay';
import { Roles, startTestService } from '../support/localService';

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

describe('domain events from the outbox', () => {
  it('publishes a policy PATCH as fido2Policy.updated within a second, and shows it in the audit log', async () => {
    const svc = await startTestService();
    try {
      const seen: DomainEvent[] = [];
      await svc.events.bus.subscribe('probe', async (event) => {
        seen.push(event);
      });
      const admin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
      const started = Date.now();
      expect((await svc.call('PATCH', POLICY, { token: admin, body: { '@odata.type': ODATA_TYPE, state: 'enabled' } })).status).toBe(204);
      const event = await waitFor(() => seen.find((e) => e.type === 'fido2Policy.updated'));
      expect(Date.now() - started).toBeLessThan(1000);
      expect(event).toMatchObject({ specversion: '1.0', subject: 'policies/authenticationMethodsPolicy/fido2', data: { before: { state: 'disabled' }, after: { state: 'enabled' } } });
      expect((event.data as { initiatedBy: { user: { userPrincipalName: string } } }).initiatedBy.user.userPrincipalName).toBe('admin@contoso.com');

      const audits = await svc.call('GET', '/v1.0/auditLogs/directoryAudits?$top=5', { token: admin });
      expect(audits.status).toBe(200);
      expect(audits.body.value[0]).toMatchObject({ id: event.id, activityDisplayName: 'Update authentication methods policy', result: 'success', initiatedBy: { user: { userPrincipalName: 'admin@contoso.com' } } });
      expect(audits.body.value[0].targetResources[0].modifiedProperties).toEqual(expect.arrayContaining([{ displayName: 'state', oldValue: '"disabled"', newValue: '"enabled"' }]));
      const since = await svc.call('GET', `/v1.0/auditLogs/directoryAudits?$filter=${encodeURIComponent(`activityDateTime ge ${new Date(started).toISOString()}`)}`, { token: admin });
      expect(since.body.value.map((a: { id: string }) => a.id)).toEqual([event.id]);
      expect((await svc.call('GET', "/v1.0/auditLogs/directoryAudits?$filter=displayName eq 'x'", { token: admin })).status).toBe(400);
      const alice = await svc.token({ upn: 'alice@contoso.com' });
      expect((await svc.call('GET', '/v1.0/auditLogs/directoryAudits', { token: alice })).status).toBe(403);
    } finally {
      await svc.close();
    }
  });

  it('loses nothing when the process dies between the state write and the publish', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-outbox-'));
    const bus = LocalEventBus.open(join(dataDir, 'probe-bus.db'), { pollMs: 5 });
    const seen: DomainEvent[] = [];
    await bus.subscribe('probe', async (event) => {
      seen.push(event);
    });
    try {
      // 1. A process commits the change (state and audit record in one transaction) and is killed
      //    with SIGKILL right after: no relay ran, nothing was published.
      const script = `
        const { createApp } = require('./dist/shared/app');
        const { loadConfig } = require('./dist/shared/config');
        createApp(loadConfig({ DATA_DIR: process.env.DATA_DIR }))
          .then((app) => app.policy.patchFido2({ state: 'enabled' }, { actor: { user: null, app: { appId: 'test' } } }))
          .then(() => process.kill(process.pid, 'SIGKILL'));`;
      const child = spawnSync(process.execPath, ['-e', script], { cwd: join(__dirname, '..', '..'), env: { ...process.env, DATA_DIR: dataDir } });
      expect(child.signal).toBe('SIGKILL');
      expect(seen).toEqual([]);

      // 2. After the restart the relay resumes from its persisted position and publishes the change.
      const second = await createApp(loadConfig({ DATA_DIR: dataDir }));
      const relay = new OutboxRelay(second.store.outbox!, bus, 'test');
      expect(await relay.drain()).toBeGreaterThan(0);
      const event = await waitFor(() => seen.find((e) => e.type === 'fido2Policy.updated'));
      expect(event.data).toMatchObject({ after: { state: 'enabled' } });
      // 3. Draining again publishes nothing new: the position moved after the publish.
      expect(await relay.drain()).toBe(0);
      await second.close();
    } finally {
      await bus.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('delivers the same event id once per subscription even when it is published twice', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-bus-'));
    const bus = LocalEventBus.open(join(dataDir, 'bus.db'), { pollMs: 5 });
    const seen: string[] = [];
    await bus.subscribe('probe', async (event) => {
      seen.push(event.id);
    });
    const event: DomainEvent = { specversion: '1.0', id: 'evt-1', type: 't', source: 's', subject: 'x', time: new Date().toISOString(), datacontenttype: 'application/json', data: {} };
    await bus.publish([event]);
    await bus.publish([event]);
    await waitFor(() => (seen.length ? true : undefined));
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(['evt-1']);
    await bus.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
});
