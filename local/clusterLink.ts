import type { FunctionInput, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { RegisteredHttpFunction } from '../functions/registry';
import { RelayHealth, RelayStatus } from '../shared/services/events/relayHealth';
import {
  attachDurableClientInput,
  DurableClientBindingData,
  durableClientBindingData,
  DurableManagementResponse,
  DurableSystemKey,
} from './durable';
import { DurableManagementCall, isManagementPath, TASK_HUB } from './durableRuntime';
import type { RawRoute } from './host';
import type { DurableHostHooks } from './startLocal';

/**
 * The messages between the cluster primary and its HTTP workers (node:cluster's IPC channel, next to
 * its own `NODE_CLUSTER` messages). A worker says hello once it listens for messages; the primary
 * answers with what it needs to reach the durable engine.
 */
export type ClusterMessage =
  | { kind: 'passkeys:hello' }
  | { kind: 'passkeys:init'; rpcBaseUrl: string; relay: RelayStatus | null }
  | { kind: 'passkeys:ready'; port: number; addresses: string[] }
  | { kind: 'passkeys:failed'; message: string }
  | { kind: 'passkeys:relay'; relay: RelayStatus | null }
  | { kind: 'passkeys:durableCall'; id: number; call: DurableManagementCall }
  | { kind: 'passkeys:durableAnswer'; id: number; response: DurableManagementResponse }
  /** A provisioning job user's outcome was recorded (a station's request in another process waits for it). */
  | { kind: 'passkeys:outcome'; jobId: string; userId: string }
  | { kind: 'passkeys:stop' };

const KINDS = new Set<string>([
  'passkeys:hello',
  'passkeys:init',
  'passkeys:ready',
  'passkeys:failed',
  'passkeys:relay',
  'passkeys:durableCall',
  'passkeys:durableAnswer',
  'passkeys:outcome',
  'passkeys:stop',
]);

/** Whether an IPC message is one of ours (node:cluster sends its own on the same channel). */
export function isClusterMessage(message: unknown): message is ClusterMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    'kind' in message &&
    typeof message.kind === 'string' &&
    KINDS.has(message.kind)
  );
}

/** The headers the management routes look at (the system key); nothing else crosses to the primary. */
const FORWARDED_HEADERS = ['authorization', 'x-functions-key'] as const;

/**
 * The durable engine of the cluster primary, as a worker's local host uses it: the durable client
 * binding calls the primary's loopback management listener (with its key, received over IPC), and
 * the public `/runtime/webhooks/durabletask/...` routes are answered by the primary, which checks
 * the key, over IPC.
 */
export class RemoteDurableClient implements DurableHostHooks {
  private readonly clientInput = df.input.durableClient();
  private readonly systemKey: DurableSystemKey;
  private readonly rpcOrigin: string;
  private binding?: DurableClientBindingData;
  private publicBaseUrl = 'http://127.0.0.1:7071';

  constructor(
    rpcBaseUrl: string,
    private readonly forward: (call: DurableManagementCall) => Promise<DurableManagementResponse>,
  ) {
    this.systemKey = DurableSystemKey.fromCredentials(rpcBaseUrl);
    this.rpcOrigin = new URL(rpcBaseUrl).origin;
  }

  /** Where this worker's host listens (the origin of the binding's link templates). */
  usePublicBaseUrl(publicBaseUrl: string): void {
    this.publicBaseUrl = publicBaseUrl;
    this.binding = undefined;
  }

  extraInputsOf = (fn: RegisteredHttpFunction): FunctionInput[] =>
    fn.definition.durableClient ? [this.clientInput] : [];

  decorateContext = (fn: RegisteredHttpFunction, context: InvocationContext): void => {
    if (!fn.definition.durableClient) return;
    this.binding ??= durableClientBindingData(this.publicBaseUrl, TASK_HUB, {
      systemKey: this.systemKey,
      origin: this.rpcOrigin,
    });
    attachDurableClientInput(context, this.binding);
  };

  managementRoute: RawRoute = async (req, res, url, body) => {
    if (!isManagementPath(url.pathname)) return false;
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const response = await this.forward({
      method: req.method ?? 'GET',
      pathname: url.pathname,
      search: url.search,
      headers,
      body: body.toString('utf8'),
      origin: url.origin,
    });
    res.writeHead(response.status, response.headers);
    res.end(response.body);
    return true;
  };
}

/** The primary's relay as a worker's /health reports it: the last status the primary sent. */
export class MirroredRelayHealth extends RelayHealth {
  private mirrored: RelayStatus;

  constructor(initial: RelayStatus) {
    super(initial.kind);
    this.mirrored = initial;
  }

  update(status: RelayStatus): void {
    this.mirrored = status;
  }

  override status(): RelayStatus {
    return { ...this.mirrored };
  }
}
