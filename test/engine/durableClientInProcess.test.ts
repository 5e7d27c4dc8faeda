import { InvocationContext } from '@azure/functions';
import axios, { AxiosResponse } from 'axios';
import * as df from 'durable-functions';
import { AddressInfo } from 'node:net';
import { Server, createServer } from 'node:http';
import { MAX_BODY_BYTES } from '../../functions/http/pipeline';
import { serveDurableClientInProcess } from '../../local/durable/inProcessTransport';
import { durableManagementAnswer, durableManagementListener } from '../../local/durable/managementHttp';
import { attachDurableClientInput, durableClientBindingData } from '../../local/durable/managementRoutes';
import { DurableSystemKey } from '../../local/durable/systemKey';
import { Harness, startEngine, waitForStatus } from './support/engineHarness';
import { newWorld, sampleRegistry } from './fixtures/sampleOrchestrations';

const HOOKS = '/runtime/webhooks/durabletask';

/**
 * The durable client's in-process transport answers exactly what the loopback listener answers on
 * its socket: the same engine is reached through a listener (HTTP) and through an origin served in
 * process, and every call of the management API is made on both.
 */
describe('the durable client in-process transport', () => {
  let h: Harness;
  let server: Server;
  let socketRequests = 0;
  let httpOrigin: string;
  /** Served in process only: nothing listens there, so a call that went to a socket would fail. */
  const inProcessOrigin = 'http://127.0.0.1:9';
  const systemKey = DurableSystemKey.generate();
  const options = { systemKey, baseUrl: 'http://127.0.0.1:7071', taskHubName: 'LocalTaskHub' };
  let stopInProcess: () => void;

  beforeAll(async () => {
    h = await startEngine(sampleRegistry(newWorld()));
    const listener = durableManagementListener(h.engine, options);
    server = createServer((req, res) => {
      socketRequests++;
      void listener(req, res).then((served) => {
        if (!served) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    httpOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    stopInProcess = serveDurableClientInProcess(inProcessOrigin, durableManagementAnswer(h.engine, options));
  });
  afterAll(async () => {
    stopInProcess();
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  });

  /** A raw call through the axios module durable-functions uses, body kept as text, every status resolved. */
  const call = (
    origin: string,
    method: string,
    path: string,
    { key = true, body }: { key?: boolean; body?: string } = {},
  ): Promise<AxiosResponse<string>> => {
    const url = new URL(`${HOOKS}/${path}`, origin);
    const withKey = key ? systemKey.withCredentials(url.href) : url.href;
    return axios.request<string>({
      method,
      url: withKey,
      data: body === undefined ? undefined : Buffer.from(body), // as is: axios would JSON-encode a string
      headers: { 'Content-Type': 'application/json' },
      validateStatus: () => true,
      transformResponse: [(d: string) => d],
    });
  };

  /** What a caller can observe of an answer; the instance id (which differs per transport) and times masked. */
  const observed = (res: AxiosResponse<string>, id = '') => {
    const mask = (text: string) =>
      (id ? text.split(id).join('<id>') : text).replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>');
    return {
      status: res.status,
      contentType: res.headers['content-type'],
      location: res.headers.location === undefined ? undefined : mask(String(res.headers.location)),
      contentLength: res.headers['content-length'],
      body: mask(res.data),
    };
  };

  /** The same call on both transports, with per-transport instance ids; answers both observations. */
  const both = async (
    method: string,
    path: (id: string) => string,
    ids: { http: string; inProcess: string },
    opts: { key?: boolean; body?: string } = {},
  ) => {
    const before = socketRequests;
    const viaSocket = observed(await call(httpOrigin, method, path(ids.http), opts), ids.http);
    expect(socketRequests).toBe(before + 1);
    const inProcess = observed(await call(inProcessOrigin, method, path(ids.inProcess), opts), ids.inProcess);
    expect(socketRequests).toBe(before + 1); // the in-process call never reached a socket
    return { viaSocket, inProcess };
  };

  it('start, status, raise event and terminate answer the same status codes, headers and bodies', async () => {
    const ids = { http: 'http-approval', inProcess: 'inproc-approval' };
    const start = await both('POST', (id) => `orchestrators/approvalFlow/${id}`, ids, { body: '600000' });
    expect(start.inProcess).toEqual(start.viaSocket);
    expect(start.inProcess).toMatchObject({ status: 202, location: expect.stringContaining('/instances/<id>?') });
    expect(JSON.parse(start.inProcess.body)).toMatchObject({ id: '<id>', statusQueryGetUri: expect.any(String) });

    await waitForStatus(h.engine, ids.http, (s) => s.runtimeStatus === 'Running');
    await waitForStatus(h.engine, ids.inProcess, (s) => s.runtimeStatus === 'Running');
    const running = await both('GET', (id) => `instances/${id}`, ids);
    expect(running.inProcess).toEqual(running.viaSocket);
    expect(running.inProcess.status).toBe(202);

    const raised = await both('POST', (id) => `instances/${id}/raiseEvent/approve`, ids, { body: '"yes"' });
    expect(raised.inProcess).toEqual(raised.viaSocket);
    expect(raised.inProcess).toMatchObject({ status: 202, body: '' });

    await h.engine.waitForCompletion(ids.http, 5000);
    await h.engine.waitForCompletion(ids.inProcess, 5000);
    const done = await both('GET', (id) => `instances/${id}`, ids);
    expect(done.inProcess).toEqual(done.viaSocket);
    expect(done.inProcess.status).toBe(200);
    expect(JSON.parse(done.inProcess.body)).toMatchObject({ runtimeStatus: 'Completed', output: { approved: 'yes' } });

    const gone = await both('POST', (id) => `instances/${id}/raiseEvent/approve`, ids, { body: '1' });
    expect(gone.inProcess).toEqual(gone.viaSocket);
    expect(gone.inProcess.status).toBe(410);

    const toStop = { http: 'http-stop', inProcess: 'inproc-stop' };
    await both('POST', (id) => `orchestrators/waitForever/${id}`, toStop);
    await waitForStatus(h.engine, toStop.http, (s) => s.runtimeStatus === 'Running');
    await waitForStatus(h.engine, toStop.inProcess, (s) => s.runtimeStatus === 'Running');
    const terminated = await both('POST', (id) => `instances/${id}/terminate?reason=enough`, toStop);
    expect(terminated.inProcess).toEqual(terminated.viaSocket);
    expect(terminated.inProcess.status).toBe(202);
    await waitForStatus(h.engine, toStop.inProcess, (s) => s.runtimeStatus === 'Terminated');
  });

  it.each([
    ['an unknown instance (status)', 'GET', 'instances/nobody', undefined, 404],
    ['an unknown instance (raise event)', 'POST', 'instances/nobody/raiseEvent/e', '1', 404],
    ['an unknown instance (terminate)', 'POST', 'instances/nobody/terminate?reason=x', undefined, 404],
    ['an unregistered orchestrator', 'POST', 'orchestrators/noSuchOrchestrator', undefined, 400],
    ['a body that is not JSON', 'POST', 'orchestrators/helloSequence/bad-body', '{not json', 400],
    ['a body over the limit', 'POST', 'orchestrators/helloSequence/too-big', `"${'x'.repeat(MAX_BODY_BYTES)}"`, 413],
    ['an unimplemented feature', 'POST', 'instances/nobody/rewind?reason=x', undefined, 501],
  ])('refuses %s with the same answer', async (_name, method, path, body, status) => {
    const same = { http: 'unused', inProcess: 'unused' };
    const { viaSocket, inProcess } = await both(method, () => path, same, { body });
    expect(inProcess).toEqual(viaSocket);
    expect(inProcess.status).toBe(status);
    expect(JSON.parse(inProcess.body)).toEqual({ message: expect.any(String) });
  });

  it('attack: an in-process call without the system key is refused (401) and starts nothing', async () => {
    const ids = { http: 'keyless-http', inProcess: 'keyless-inproc' };
    const { viaSocket, inProcess } = await both('POST', (id) => `orchestrators/helloSequence/${id}`, ids, {
      key: false,
      body: '{}',
    });
    expect(inProcess).toEqual(viaSocket);
    expect(inProcess.status).toBe(401);
    expect(JSON.parse(inProcess.body)).toMatchObject({ error: { code: 'Unauthorized' } });
    expect(await h.engine.getStatus(ids.inProcess)).toBeUndefined();
  });

  it('attack: a wrong key is refused in process as on the socket', async () => {
    const url = new URL(`${HOOKS}/instances`, inProcessOrigin);
    url.username = 'durabletask';
    url.password = 'not-the-key';
    const res = await axios.get(url.href, { validateStatus: () => true });
    expect(res.status).toBe(401);
  });

  it('resolves a request given as baseURL + path + params as axios would', async () => {
    const res = await axios.post(`instances/nobody/terminate`, undefined, {
      baseURL: systemKey.withCredentials(`${inProcessOrigin}${HOOKS}/`),
      params: { reason: 'x' },
      validateStatus: () => true,
    });
    expect(res.status).toBe(404);
    expect(res.data).toEqual({ message: expect.stringContaining("'nobody'") });
  });

  it('serves the real DurableClient of getClient without the socket, and stops when told', async () => {
    const context = new InvocationContext({
      functionName: 'starter',
      options: { extraInputs: [df.input.durableClient()] },
    });
    attachDurableClientInput(
      context,
      durableClientBindingData('http://localhost:7071', 'LocalTaskHub', { systemKey, origin: inProcessOrigin }),
    );
    const client = df.getClient(context);
    const before = socketRequests;
    const id = await client.startNew('helloSequence', { input: { prefix: 'Hi' } });
    await h.engine.waitForCompletion(id, 5000);
    expect(await client.getStatus(id)).toMatchObject({ runtimeStatus: 'Completed', input: { prefix: 'Hi' } });
    await expect(client.raiseEvent('missing', 'e', 1)).rejects.toThrow("No instance with ID 'missing' found.");
    await expect(client.terminate('missing', 'x')).rejects.toThrow("No instance with ID 'missing' found.");
    await expect(client.startNew('noSuchOrchestrator')).rejects.toThrow(/400.*not registered/);
    expect(socketRequests).toBe(before);

    // Once the origin is no longer served in process, calls go to its socket (nothing listens on port 9).
    const other = serveDurableClientInProcess('http://127.0.0.1:8', durableManagementAnswer(h.engine, options));
    other();
    await expect(axios.get(`http://127.0.0.1:8${HOOKS}/instances`, { timeout: 2000 })).rejects.toThrow();
  });
});
