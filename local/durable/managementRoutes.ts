import { DurableRuntimeStatus, isTerminalDurableStatus } from './durable.port';
import { DURABLE_WEBHOOK_PATH, managementUrls } from './durableClientInput';
import { LocalDurableEngine } from './engine';
import { DurableEngineError, DurableInstanceStatus, ListInstancesFilter } from './types';

export { DURABLE_WEBHOOK_PATH, attachDurableClientInput, durableClientBindingData } from './durableClientInput';
export type { DurableClientBindingData, DurableClientRpc } from './durableClientInput';

/** A response for the host to send as is (`body` is JSON text, or undefined for none). */
export interface DurableManagementResponse {
  status: number;
  headers: Record<string, string>;
  body: string | undefined;
}

export type DurableManagementQuery = URLSearchParams | Record<string, string | string[] | undefined>;

export interface DurableManagementOptions {
  /** The host's origin (e.g. `http://localhost:7071`), for the links in start responses; relative links without it. */
  baseUrl?: string;
  /** Task hub name put in those links (default `LocalTaskHub`). */
  taskHubName?: string;
}

const RUNTIME_STATUSES: DurableRuntimeStatus[] = [
  'Pending',
  'Running',
  'Completed',
  'Failed',
  'Terminated',
  'ContinuedAsNew',
];

const ERROR_STATUS: Record<DurableEngineError['kind'], number> = {
  notFound: 404,
  gone: 410,
  conflict: 409,
  badRequest: 400,
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}): DurableManagementResponse => ({
  status,
  headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  body: body === undefined ? undefined : JSON.stringify(body),
});

const problem = (status: number, message: string) => json(status, { message });

/**
 * The Durable Functions extension's instance-management HTTP API, served by the local engine:
 * the routes `df.getClient(context)` (durable-functions 3.x DurableClient) calls under
 * `rpcBaseUrl`, which are also the `/runtime/webhooks/durabletask/...` webhooks.
 * Mount it under {@link DURABLE_WEBHOOK_PATH} and pass the path after `/runtime/webhooks/durabletask/`.
 * This is the router only: whoever mounts it on a socket must first require the system key
 * (`refuseWithoutSystemKey`; `durableManagementListener` does).
 *
 * - `POST orchestrators/{name}[/{instanceId}]` body = input → 202 `{ id, statusQueryGetUri, ... }` (409 if running, 400 unknown name)
 * - `GET instances/{id}[?showHistory&showHistoryOutput&showInput]` → 200 finished / 202 in progress / 404
 * - `GET instances?runtimeStatus=a,b&createdTimeFrom&createdTimeTo&instanceIdPrefix&top` → 200 list
 * - `POST instances/{id}/raiseEvent/{event}` body = data → 202 / 404 / 410 finished
 * - `POST instances/{id}/terminate?reason=` → 202 / 404 / 410 finished
 * - `DELETE instances/{id}` → 200 `{ instancesDeleted }` / 404 / 409 still running
 * - `DELETE instances?createdTimeFrom&createdTimeTo&runtimeStatus` → 200 `{ instancesDeleted }` / 404 none
 * - rewind, suspend, resume, restart and entities → 501
 */
export async function handleDurableManagementRequest(
  engine: LocalDurableEngine,
  method: string,
  pathAfterPrefix: string,
  query: DurableManagementQuery,
  bodyText: string | undefined,
  options: DurableManagementOptions = {},
): Promise<DurableManagementResponse> {
  const q = queryReader(query);
  const verb = method.toUpperCase();
  try {
    const segments = pathSegments(pathAfterPrefix);
    const [resource, id, action, actionArg] = segments;
    if (resource === 'orchestrators' && id && segments.length <= 3) {
      if (verb !== 'POST') return problem(405, `${verb} is not allowed on orchestrators/{name}; expected POST.`);
      return await startOrchestration(engine, id, action, bodyText, options);
    }
    if (resource === 'instances' && !id) {
      if (verb === 'GET') return json(200, await engine.listInstances(listFilter(q)));
      if (verb === 'DELETE') {
        const { instancesDeleted } = await engine.purgeInstances(listFilter(q));
        return instancesDeleted
          ? json(200, { instancesDeleted })
          : problem(404, 'No finished instances matched the purge filter.');
      }
      return problem(405, `${verb} is not allowed on instances; expected GET or DELETE.`);
    }
    if (resource === 'instances' && id && !action) {
      if (verb === 'GET') return await instanceStatus(engine, id, q);
      if (verb === 'DELETE') {
        const { instancesDeleted } = await engine.purge(id);
        return instancesDeleted ? json(200, { instancesDeleted }) : problem(404, `No instance with id '${id}' exists.`);
      }
      return problem(405, `${verb} is not allowed on instances/{id}; expected GET or DELETE.`);
    }
    if (
      resource === 'instances' &&
      id &&
      verb === 'POST' &&
      action === 'raiseEvent' &&
      actionArg &&
      segments.length === 4
    ) {
      await engine.raiseEvent(id, actionArg, parseBody(bodyText));
      return { status: 202, headers: {}, body: undefined };
    }
    if (resource === 'instances' && id && verb === 'POST' && action === 'terminate' && segments.length === 3) {
      await engine.terminate(id, q('reason') ?? '');
      return { status: 202, headers: {}, body: undefined };
    }
    if (
      (resource === 'instances' && ['rewind', 'suspend', 'resume', 'restart'].includes(action ?? '')) ||
      resource === 'entities'
    ) {
      return problem(
        501,
        `The local durable engine does not implement ${resource === 'entities' ? 'durable entities' : action}.`,
      );
    }
    return problem(404, `No durable management route for ${verb} ${pathAfterPrefix}.`);
  } catch (error) {
    if (error instanceof DurableEngineError) return problem(ERROR_STATUS[error.kind], error.message);
    if (error instanceof BadBodyError) return problem(400, error.message);
    throw error;
  }
}

async function startOrchestration(
  engine: LocalDurableEngine,
  name: string,
  instanceId: string | undefined,
  bodyText: string | undefined,
  options: DurableManagementOptions,
): Promise<DurableManagementResponse> {
  const id = await engine.startNew(name, { instanceId, input: parseBody(bodyText) });
  const root = `${(options.baseUrl ?? '').replace(/\/+$/, '')}${DURABLE_WEBHOOK_PATH}`;
  const payload = managementUrls(root, options.taskHubName ?? 'LocalTaskHub', id);
  return json(202, payload, { Location: payload.statusQueryGetUri });
}

async function instanceStatus(
  engine: LocalDurableEngine,
  id: string,
  q: (key: string) => string | undefined,
): Promise<DurableManagementResponse> {
  const showHistory = q('showHistory') === 'true';
  const status = await engine.getStatus(id, {
    showHistory,
    showHistoryOutput: q('showHistoryOutput') === 'true',
    showInput: q('showInput') !== 'false',
  });
  if (!status) return problem(404, `No instance with id '${id}' exists.`);
  // The HTTP API documents the history as `historyEvents`; the JS client reads `history`.
  const body: DurableInstanceStatus & { historyEvents?: unknown } = showHistory
    ? { ...status, historyEvents: status.history }
    : status;
  return json(isTerminalDurableStatus(status.runtimeStatus) ? 200 : 202, body);
}

class BadBodyError extends Error {}

function pathSegments(pathAfterPrefix: string): string[] {
  const raw = pathAfterPrefix
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .filter((s) => s !== '');
  try {
    return raw.map((s) => decodeURIComponent(s));
  } catch {
    throw new BadBodyError(`The path ${JSON.stringify(pathAfterPrefix.slice(0, 80))} is not validly percent-encoded.`);
  }
}

/** Request bodies are JSON (the client JSON-encodes inputs and event data); empty means no value. */
function parseBody(bodyText: string | undefined): unknown {
  if (bodyText === undefined || bodyText.trim() === '') return undefined;
  try {
    return JSON.parse(bodyText);
  } catch (error) {
    throw new BadBodyError(
      `The request body must be JSON; received ${JSON.stringify(bodyText.slice(0, 80))} (${(error as Error).message}).`,
    );
  }
}

function listFilter(q: (key: string) => string | undefined): ListInstancesFilter {
  const statuses = q('runtimeStatus')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = statuses?.filter((s) => !RUNTIME_STATUSES.includes(s as DurableRuntimeStatus));
  if (unknown?.length)
    throw new BadBodyError(
      `Unknown runtimeStatus ${unknown.join(', ')}; expected any of ${RUNTIME_STATUSES.join(', ')}.`,
    );
  const date = (key: string) => {
    const value = q(key);
    if (value === undefined) return undefined;
    if (Number.isNaN(Date.parse(value)))
      throw new BadBodyError(`${key} must be an ISO-8601 date; received ${JSON.stringify(value)}.`);
    return value;
  };
  const top = q('top');
  return {
    runtimeStatus: statuses as DurableRuntimeStatus[] | undefined,
    createdTimeFrom: date('createdTimeFrom'),
    createdTimeTo: date('createdTimeTo'),
    instanceIdPrefix: q('instanceIdPrefix'),
    top: top === undefined ? undefined : Number(top),
    showInput: q('showInput') !== 'false',
  };
}

function queryReader(query: DurableManagementQuery): (key: string) => string | undefined {
  if (query instanceof URLSearchParams) return (key) => query.get(key) ?? undefined;
  return (key) => {
    const value = query[key];
    return Array.isArray(value) ? value[0] : value;
  };
}
