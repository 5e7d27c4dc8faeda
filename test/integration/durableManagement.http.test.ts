import { HttpRequest, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { createLogger } from '../../local/logger';
import { startLocal } from '../../local/startLocal';
import { loadConfig } from '../../shared/config';
import { ReEnrolmentOrchestrator, reEnrolmentInstanceId } from '../../orchestrations/reenrolment/names';
import { DemoTenant } from '../../shared/services/seedDemoTenant';
import { Roles, startTestService, TestService } from '../support/localService';
import type { TestJson } from '../support/testJson';

const HOOKS = '/runtime/webhooks/durabletask';

/** The management API of the local durable engine: every call needs the per-process system key. */
describe('durable management routes require the system key', () => {
  let svc: TestService;
  let systemKey: string;
  let rpcBaseUrl: string;

  /** A durable client exactly as a function gets it (df.getClient over the binding the runtime supplies). */
  const clientContext = () => {
    const context = new InvocationContext({
      functionName: 'probe',
      options: {
        trigger: { type: 'httpTrigger', name: 'request' },
        extraInputs: svc.durable.inputsFor(true),
        extraOutputs: [],
      },
    });
    svc.durable.attachClient(context);
    return context;
  };

  beforeAll(async () => {
    svc = await startTestService();
    const context = clientContext();
    rpcBaseUrl = (context.extraInputs.get(svc.durable.inputsFor(true)[0]) as { rpcBaseUrl: string }).rpcBaseUrl;
    systemKey = decodeURIComponent(new URL(rpcBaseUrl).password);
  });
  afterAll(() => svc.close());

  const instances = () => svc.durable.engine.listInstances({});
  const expectRefused = (res: { status: number; body: TestJson }) => {
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: expect.objectContaining({ code: 'Unauthorized', message: expect.stringMatching(/system key/) }),
    });
  };
  const bobInput = {
    eventId: 'forged',
    userId: DemoTenant.bob.id,
    changedAt: new Date().toISOString(),
    oldUserPrincipalName: 'bob@contoso.com',
    newUserPrincipalName: 'x@contoso.com',
    graceHours: 0,
  };

  it('attack: unauthenticated loopback call to start an orchestration is refused and starts nothing', async () => {
    const before = await instances();
    const res = await svc.call(
      'POST',
      `${HOOKS}/orchestrators/${ReEnrolmentOrchestrator}/${reEnrolmentInstanceId(DemoTenant.bob.id)}`,
      { body: bobInput },
    );
    expectRefused(res);
    expect(await instances()).toEqual(before);
    expect(await svc.durable.engine.getStatus(reEnrolmentInstanceId(DemoTenant.bob.id))).toBeUndefined();
  });

  it('attack: listing instances without the key is refused and leaks no user id', async () => {
    const id = await svc.durable.engine.startNew(ReEnrolmentOrchestrator, {
      instanceId: 'probe-list',
      input: { not: 'valid' },
    });
    await svc.durable.engine.waitForCompletion(id, 5000);
    const res = await svc.call('GET', `${HOOKS}/instances`);
    expectRefused(res);
    expect(JSON.stringify(res.body)).not.toContain('probe-list');
    expectRefused(await svc.call('GET', `${HOOKS}/instances/${id}`));
  });

  it('attack: raise event, terminate and purge without the key are refused and change nothing', async () => {
    const id = await svc.durable.engine.startNew(ReEnrolmentOrchestrator, {
      instanceId: 'probe-running',
      input: { not: 'valid' },
    });
    await svc.durable.engine.waitForCompletion(id, 5000);
    const before = await svc.durable.engine.getStatus(id, { showHistory: true });
    expectRefused(
      await svc.call('POST', `${HOOKS}/instances/${id}/raiseEvent/newPasskeyRegistered`, {
        body: { methodId: 'x', eventId: 'y' },
      }),
    );
    expectRefused(await svc.call('POST', `${HOOKS}/instances/${id}/terminate?reason=attack`));
    expectRefused(await svc.call('DELETE', `${HOOKS}/instances/${id}`));
    expectRefused(await svc.call('DELETE', `${HOOKS}/instances?createdTimeFrom=2000-01-01T00:00:00Z`));
    expect(await svc.durable.engine.getStatus(id, { showHistory: true })).toEqual(before);
  });

  it.each([
    ['x-functions-key header', (path: string) => ({ path, headers: { 'x-functions-key': 'not-the-key' } })],
    ['code= query parameter', (path: string) => ({ path: `${path}?code=not-the-key`, headers: {} })],
    [
      'Basic credentials',
      (path: string) => ({
        path,
        headers: { Authorization: `Basic ${Buffer.from('durabletask:not-the-key').toString('base64')}` },
      }),
    ],
    ['the key of another process', (path: string) => ({ path, headers: { 'x-functions-key': 'A'.repeat(43) } })],
  ])('attack: a wrong key (%s) is refused', async (_how, request) => {
    const list = request(`${HOOKS}/instances`);
    expectRefused(await svc.call('GET', list.path, { headers: list.headers }));
    const start = request(`${HOOKS}/orchestrators/${ReEnrolmentOrchestrator}/wrong-key-probe`);
    expectRefused(await svc.call('POST', start.path, { headers: start.headers, body: bobInput }));
    expect(await svc.durable.engine.getStatus('wrong-key-probe')).toBeUndefined();
  });

  it('attack: the loopback listener the durable client uses refuses callers without the key too', async () => {
    const origin = svc.durable.managementOrigin;
    expect(new URL(origin).hostname).toBe('127.0.0.1');
    expect(origin).not.toContain(String(svc.host.port));
    const list = await fetch(`${origin}${HOOKS}/instances`);
    expect(list.status).toBe(401);
    const start = await fetch(`${origin}${HOOKS}/orchestrators/${ReEnrolmentOrchestrator}/rpc-probe`, {
      method: 'POST',
      body: JSON.stringify(bobInput),
    });
    expect(start.status).toBe(401);
    expect(((await start.json()) as { error: { code: string } }).error.code).toBe('Unauthorized');
    const wrong = await fetch(`${origin}${HOOKS}/instances`, { headers: { 'x-functions-key': 'guess' } });
    expect(wrong.status).toBe(401);
    expect(await svc.durable.engine.getStatus('rpc-probe')).toBeUndefined();
  });

  it('serves the key holder: with x-functions-key or code= on the public listener, links on the caller origin and without the key', async () => {
    const list = await svc.call('GET', `${HOOKS}/instances?instanceIdPrefix=probe-`, {
      headers: { 'x-functions-key': systemKey },
    });
    expect(list.status).toBe(200);
    expect(list.body.map((i: { instanceId: string }) => i.instanceId).sort()).toEqual(['probe-list', 'probe-running']);
    const start = await svc.call(
      'POST',
      `${HOOKS}/orchestrators/${ReEnrolmentOrchestrator}/keyed-probe?code=${encodeURIComponent(systemKey)}`,
      { body: { not: 'valid' } },
    );
    expect(start.status).toBe(202);
    expect(start.body.statusQueryGetUri).toBe(
      `http://127.0.0.1:${svc.host.port}${HOOKS}/instances/keyed-probe?taskHub=PasskeyHub&connection=Storage`,
    );
    expect(JSON.stringify(start.body)).not.toContain(systemKey);
  });

  it('the durable client a function gets works unchanged, and its status links use the public origin without the key', async () => {
    const client = df.getClient(clientContext());
    const id = await client.startNew(ReEnrolmentOrchestrator, { instanceId: 'client-probe', input: { not: 'valid' } });
    await svc.durable.engine.waitForCompletion(id, 5000);
    expect((await client.getStatus(id)).runtimeStatus).toBe('Failed'); // invalid input fails the instance
    const request = new HttpRequest({ method: 'POST', url: 'https://passkeys.example.com/api/start' });
    const links = (await client.createCheckStatusResponse(request, id).json()) as Record<string, string>;
    expect(links.statusQueryGetUri).toBe(
      `https://passkeys.example.com${HOOKS}/instances/client-probe?taskHub=PasskeyHub&connection=Storage`,
    );
    for (const link of Object.values(links)) {
      expect(link).not.toContain(systemKey);
      expect(link).not.toContain(new URL(svc.durable.managementOrigin).host);
    }
    expect(await client.purgeInstanceHistory(id)).toEqual({ instancesDeleted: 1 });
  });
});

describe('status links behind a reverse proxy', () => {
  let svc: TestService;

  beforeAll(async () => {
    svc = await startTestService({ TRUST_PROXY: 'true' });
  });
  afterAll(() => svc.close());

  it('job links use the public origin of the request, never the internal management address nor the system key', async () => {
    const token = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authAdmin] });
    const headers = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'passkeys.example.com' };
    const job = await svc.call('POST', '/provisioning/jobs', { token, headers, body: { users: ['bob@contoso.com'] } });
    expect(job.status).toBe(202);
    const base = `https://passkeys.example.com/provisioning/jobs/${job.body.id}`;
    expect(job.body).toMatchObject({
      statusQueryGetUri: base,
      nextPostUri: `${base}/next`,
      cancelPostUri: `${base}/cancel`,
    });
    expect(job.headers.get('location')).toBe(base);
    const status = await svc.call('GET', `/provisioning/jobs/${job.body.id}`, { token, headers });
    expect(status.body.statusQueryGetUri).toBe(base);
    const internal = new URL(svc.durable.managementOrigin).host;
    for (const text of [JSON.stringify(job.body), JSON.stringify(status.body)]) {
      expect(text).not.toContain(internal);
      expect(text).not.toContain('/runtime/webhooks/durabletask');
    }
  });
});

describe('the system key stays in memory', () => {
  it('never appears in the log (trace level), in DATA_DIR files or in an inspected runtime', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-key-'));
    const lines: string[] = [];
    const config = loadConfig(
      {
        PORT: '1',
        ORIGINS: 'http://localhost:7071',
        TOKEN_ISSUER: 'http://localhost:7071',
        DATA_DIR: dataDir,
        AZURITE: 'off',
      },
      dataDir,
    );
    config.port = 0;
    const running = await startLocal(config, { logger: createLogger('trace', (line) => lines.push(line)) });
    let key: string;
    try {
      const context = new InvocationContext({
        functionName: 'probe',
        options: {
          trigger: { type: 'httpTrigger', name: 'request' },
          extraInputs: running.durable.inputsFor(true),
          extraOutputs: [],
        },
      });
      running.durable.attachClient(context);
      key = decodeURIComponent(
        new URL((context.extraInputs.get(running.durable.inputsFor(true)[0]) as { rpcBaseUrl: string }).rpcBaseUrl)
          .password,
      );
      expect(key.length).toBeGreaterThanOrEqual(43);

      const base = `http://127.0.0.1:${running.host.port}`;
      const token = await running.app.devTokens.mint({
        userPrincipalName: 'admin@contoso.com',
        roles: ['Global Administrator'],
        permissions: [],
        expiresInSeconds: 600,
      });
      expect((await fetch(`${base}${HOOKS}/instances`)).status).toBe(401);
      expect(
        (
          await fetch(`${base}/v1.0/users/bob@contoso.com/authentication/reEnrolment`, {
            headers: { Authorization: `Bearer ${token}` },
          })
        ).status,
      ).toBe(404); // the client at work
      const client = df.getClient(context);
      const id = await client.startNew(ReEnrolmentOrchestrator, { instanceId: 'key-probe', input: { bad: true } });
      await running.durable.engine.waitForCompletion(id, 5000);
      await client.getStatus(id);

      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join('\n')).not.toContain(key);
      expect(inspect(running.durable, { depth: 3 })).not.toContain(key);
    } finally {
      await running.stop();
    }
    const files = readdirSync(dataDir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.length).toBeGreaterThan(0);
    for (const file of files)
      expect({
        file: file.name,
        holdsKey: readFileSync(join(file.parentPath, file.name)).includes(Buffer.from(key)),
      }).toEqual({ file: file.name, holdsKey: false });
    rmSync(dataDir, { recursive: true, force: true });
  });
});
