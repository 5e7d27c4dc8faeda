import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../shared/app';
import { loadConfig } from '../../shared/config';
import { EventEnvelope } from '../../shared/ports/eventBus.port';
import { CosmosTestServer, startCosmosServer } from '../support/cosmosServer';
import { Roles } from '../support/localService';
import { HostProcess, startHostProcess } from '../support/processes';

const POLICY = '/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';
const FIDO2 = '#microsoft.graph.fido2AuthenticationMethodConfiguration';

async function until(what: string, probe: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * `npm start` with COSMOS_ENDPOINT set (issue 8: it published no event at all). The built host runs
 * in its own process against cosmosdb-server, which runs in this one (so nothing here may block the
 * event loop: no spawnSync).
 */
describe('npm start on Cosmos DB publishes events (the built host, cosmosdb-server)', () => {
  let cosmos: CosmosTestServer;
  let receiver: Server;
  let receiverUrl: string;
  const received: EventEnvelope[] = [];
  const hosts: HostProcess[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-cosmos-process-'));

  beforeAll(async () => {
    cosmos = await startCosmosServer();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(JSON.parse(body) as EventEnvelope);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    for (const host of hosts) if (host.child.exitCode === null) await host.stop('SIGKILL');
    await new Promise((r) => receiver.close(r));
    await cosmos.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers a policy PATCH to a webhook receiver, and after a SIGKILL a change made while the host was down once it restarts', async () => {
    const env = {
      DATA_DIR: dataDir,
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      COSMOS_DATABASE: `process-${randomUUID()}`,
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    };
    // The same data directory and database as the host: tokens signed with its key, changes in its store.
    const app = await createApp(loadConfig(env));
    try {
      const token = await app.devTokens.mint({
        userPrincipalName: 'admin@contoso.com',
        roles: [Roles.authPolicyAdmin],
        permissions: [],
        expiresInSeconds: 3600,
      });
      const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };

      const first = await startHostProcess(env);
      hosts.push(first);
      const health = (await (await fetch(`${first.url}/health`)).json()) as {
        adapters: { store: string };
        relay: { kind: string; running: boolean };
      };
      expect(health).toMatchObject({ adapters: { store: 'cosmos' }, relay: { kind: 'cosmos-query', running: true } });
      const sub = await fetch(`${first.url}/webhooks/subscriptions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ url: receiverUrl, eventTypes: ['fido2Policy.updated'] }),
      });
      expect(sub.status).toBe(201);
      const patch = await fetch(`${first.url}${POLICY}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ '@odata.type': FIDO2, state: 'enabled' }),
      });
      expect(patch.status).toBe(204);
      await until('the first delivery', () => received.length === 1, 3000);
      expect(received[0]).toMatchObject({ type: 'fido2Policy.updated', data: { after: { state: 'enabled' } } });

      // The host dies; a change is committed while no relay runs.
      await first.stop('SIGKILL');
      await app.policy.patchFido2({ state: 'disabled' }, { actor: { user: null, app: { appId: 'test' } } });

      const second = await startHostProcess(env);
      hosts.push(second);
      // Deliveries are at least once (a kill between the send and its log line sends again): receivers dedupe by event id.
      const distinct = () => [...new Map(received.map((e) => [e.id, e])).values()];
      await until('the delivery of the change made while the host was down', () => distinct().length >= 2, 5000);
      expect(distinct().map((e) => (e.data as { after: { state: string } }).after.state)).toEqual([
        'enabled',
        'disabled',
      ]);
      expect(await second.stop('SIGTERM')).toBe(0);
    } finally {
      await app.close();
    }
  });
});
