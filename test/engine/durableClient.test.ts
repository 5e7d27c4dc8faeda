import { HttpRequest, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { AddressInfo } from 'node:net';
import { Server, createServer } from 'node:http';
import { durableManagementListener } from '../../local/durable/managementHttp';
import {
  attachDurableClientInput,
  durableClientBindingData,
  handleDurableManagementRequest,
} from '../../local/durable/managementRoutes';
import { DurableSystemKey } from '../../local/durable/systemKey';
import { Harness, startEngine, waitForStatus } from './support/engineHarness';
import { newWorld, sampleRegistry } from './fixtures/sampleOrchestrations';

describe('the real durable-functions DurableClient against the local management routes', () => {
  let h: Harness;
  let server: Server;
  let baseUrl: string;
  let client: df.DurableClient;
  const systemKey = DurableSystemKey.generate();

  beforeAll(async () => {
    h = await startEngine(sampleRegistry(newWorld()));
    const listener = durableManagementListener(h.engine, { systemKey });
    server = createServer((req, res) => {
      void listener(req, res).then((served) => {
        if (!served) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // What the local host does for a function registered with extraInputs: [df.input.durableClient()].
    const clientInput = df.input.durableClient();
    const context = new InvocationContext({ functionName: 'starter', options: { extraInputs: [clientInput] } });
    expect(attachDurableClientInput(context, durableClientBindingData(baseUrl, 'LocalTaskHub', { systemKey }))).toBe(1);
    client = df.getClient(context);
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  });

  it('starts an instance, reads its status and waits for its completion', async () => {
    const id = await client.startNew('helloSequence', { input: { prefix: 'Hey' } });
    const request = new HttpRequest({ method: 'POST', url: 'http://localhost:7071/api/start' });
    const response = await client.waitForCompletionOrCreateCheckStatusResponse(request, id, {
      timeoutInMilliseconds: 5000,
      retryIntervalInMilliseconds: 20,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(['Hey Tokyo!', 'Hey Seattle!', 'Hey London!']);

    const status = await client.getStatus(id, { showHistory: true, showHistoryOutput: true });
    expect(status).toMatchObject({
      name: 'helloSequence',
      instanceId: id,
      runtimeStatus: 'Completed',
      input: { prefix: 'Hey' },
    });
    expect(status.createdTime).toBeInstanceOf(Date);
    expect((status.history as Array<{ EventType: string }>).map((e) => e.EventType)).toContain('TaskCompleted');
  });

  it('starts with a chosen id, raises an event and reports custom status', async () => {
    const id = await client.startNew('customStatusFlow', { instanceId: 'client-custom' });
    expect(id).toBe('client-custom');
    await waitForStatus(h.engine, id, (s) => s.runtimeStatus === 'Running');
    expect((await client.getStatus(id)).customStatus).toEqual({ stage: 'waiting' });
    await client.raiseEvent(id, 'go', { at: 'noon' });
    const request = new HttpRequest({ method: 'POST', url: 'http://localhost:7071/api/start' });
    const response = await client.waitForCompletionOrCreateCheckStatusResponse(request, id, {
      timeoutInMilliseconds: 5000,
      retryIntervalInMilliseconds: 20,
    });
    expect(response.status).toBe(200);
    expect((await client.getStatus(id)).customStatus).toEqual({ stage: 'done', go: { at: 'noon' } });
    await expect(client.startNew('customStatusFlow', { instanceId: 'client-custom' })).resolves.toBe('client-custom');
  });

  it('returns a check-status response while the instance still runs, with links on the caller origin', async () => {
    const id = await client.startNew('waitForever');
    const request = new HttpRequest({ method: 'POST', url: 'http://example.test:8080/api/start' });
    const response = await client.waitForCompletionOrCreateCheckStatusResponse(request, id, {
      timeoutInMilliseconds: 60,
      retryIntervalInMilliseconds: 20,
    });
    expect(response.status).toBe(202);
    const links = (await response.json()) as Record<string, string>;
    expect(links.id).toBe(id);
    expect(links.statusQueryGetUri).toBe(
      `http://example.test:8080/runtime/webhooks/durabletask/instances/${id}?taskHub=LocalTaskHub&connection=Storage`,
    );
    await client.terminate(id, 'done testing');
  });

  it('terminates, lists and purges instances', async () => {
    const id = await client.startNew('waitForever');
    await waitForStatus(h.engine, id, (s) => s.runtimeStatus === 'Running');
    await client.terminate(id, 'stop it');
    await h.engine.waitForCompletion(id, 5000);
    const status = await client.getStatus(id);
    expect(status).toMatchObject({ runtimeStatus: 'Terminated', output: 'stop it' });
    await expect(client.raiseEvent(id, 'never', 1)).resolves.toBeUndefined(); // 410 Gone is not an error for the client.

    const terminated = await client.getStatusBy({ runtimeStatus: [df.OrchestrationRuntimeStatus.Terminated] });
    expect(terminated.map((s) => s.instanceId)).toContain(id);
    expect((await client.getStatusAll()).length).toBeGreaterThanOrEqual(3);

    expect(await client.purgeInstanceHistory(id)).toEqual({ instancesDeleted: 1 });
    await expect(client.getStatus(id)).rejects.toThrow(/HTTP 404/);
    expect(await client.purgeInstanceHistory(id)).toEqual({ instancesDeleted: 0 });
    const purged = await client.purgeInstanceHistoryBy({
      createdTimeFrom: new Date(Date.now() - 60_000),
      runtimeStatus: [df.OrchestrationRuntimeStatus.Completed, df.OrchestrationRuntimeStatus.Terminated],
    });
    expect(purged.instancesDeleted).toBeGreaterThanOrEqual(2);
  });

  it('reports missing instances and unknown orchestrators as the extension does', async () => {
    await expect(client.raiseEvent('missing', 'e', 1)).rejects.toThrow("No instance with ID 'missing' found.");
    await expect(client.terminate('missing', 'x')).rejects.toThrow("No instance with ID 'missing' found.");
    await expect(client.startNew('noSuchOrchestrator')).rejects.toThrow(/400.*not registered/);
    const entity = await handleDurableManagementRequest(h.engine, 'GET', 'entities/counter/one', {}, undefined);
    expect(entity.status).toBe(501);
  });
});
