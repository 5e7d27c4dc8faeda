import type { FunctionInput, InvocationContext } from '@azure/functions';
import type { DurableSystemKey } from './systemKey';

/** Where the management routes are mounted, as in the Functions host. */
export const DURABLE_WEBHOOK_PATH = '/runtime/webhooks/durabletask';

/** The durable client input data (`durableClient` binding) the Durable Functions extension supplies. */
export interface DurableClientBindingData {
  taskHubName: string;
  creationUrls: Record<string, string>;
  managementUrls: Record<string, string>;
  baseUrl: string;
  requiredQueryStringParameters: string;
  rpcBaseUrl: string;
  httpBaseUrl: string;
  maxGrpcMessageSizeInBytes: number;
  grpcHttpClientTimeout: string;
}

const INSTANCE_ID_PLACEHOLDER = 'INSTANCEID';

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/**
 * The management URLs of one instance (or of the `INSTANCEID` placeholder), in the shape of the
 * extension's HttpManagementPayload; `webhookRoot` is `<origin>/runtime/webhooks/durabletask`.
 */
export function managementUrls(webhookRoot: string, taskHubName: string, instanceId: string): Record<string, string> {
  const qs = requiredQuery(taskHubName);
  const instance = `${webhookRoot}/instances/${instanceId === INSTANCE_ID_PLACEHOLDER ? instanceId : encodeURIComponent(instanceId)}`;
  return {
    id: instanceId,
    statusQueryGetUri: `${instance}?${qs}`,
    sendEventPostUri: `${instance}/raiseEvent/{eventName}?${qs}`,
    terminatePostUri: `${instance}/terminate?reason={text}&${qs}`,
    rewindPostUri: `${instance}/rewind?reason={text}&${qs}`,
    purgeHistoryDeleteUri: `${instance}?${qs}`,
    restartPostUri: `${instance}/restart?${qs}`,
    suspendPostUri: `${instance}/suspend?reason={text}&${qs}`,
    resumePostUri: `${instance}/resume?reason={text}&${qs}`,
  };
}

const requiredQuery = (taskHubName: string) => `taskHub=${encodeURIComponent(taskHubName)}&connection=Storage`;

/** Where the durable client of this process sends its management calls, and with which key. */
export interface DurableClientRpc {
  /** The system key the management routes require; carried in `rpcBaseUrl`'s userinfo. */
  systemKey: DurableSystemKey;
  /** Origin of the listener serving the management routes to the client (default: the public base URL). */
  origin?: string;
}

/**
 * The JSON the host must supply as the `durableClient` input so that `df.getClient(context)`
 * works outside Azure.
 *
 * - `rpcBaseUrl` (`<rpc origin>/runtime/webhooks/durabletask/`, with the system key as its
 *   userinfo) is where durable-functions 3.x sends every client call — start, status, raise event,
 *   terminate, purge — as `new URL(path, rpcBaseUrl)`, like the extension's local RPC endpoint.
 * - `creationUrls`/`managementUrls` only feed the links of `createCheckStatusResponse`, which takes
 *   their path and the origin of the request it is given (outside Azure — no WEBSITE_HOSTNAME —
 *   getClient first rewrites their origin to http://localhost:7071). They are built on the public
 *   base URL and carry no key: Azure puts `code=<system key>` in them, but here the key would then
 *   reach whoever receives a status link; our own status links are the authenticated job routes.
 */
export function durableClientBindingData(
  publicBaseUrl: string,
  taskHubName: string,
  rpc: DurableClientRpc,
): DurableClientBindingData {
  const root = `${trimSlash(publicBaseUrl)}${DURABLE_WEBHOOK_PATH}`;
  const qs = requiredQuery(taskHubName);
  return {
    taskHubName,
    creationUrls: {
      createNewInstancePostUri: `${root}/orchestrators/{functionName}[/{instanceId}]?${qs}`,
      createAndWaitOnNewInstancePostUri: `${root}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${qs}`,
    },
    managementUrls: managementUrls(root, taskHubName, INSTANCE_ID_PLACEHOLDER),
    baseUrl: root,
    requiredQueryStringParameters: qs,
    rpcBaseUrl: rpc.systemKey.withCredentials(`${trimSlash(rpc.origin ?? publicBaseUrl)}${DURABLE_WEBHOOK_PATH}/`),
    httpBaseUrl: DURABLE_WEBHOOK_PATH,
    maxGrpcMessageSizeInBytes: 0,
    grpcHttpClientTimeout: '00:01:40',
  };
}

/** Whether a function input is the durable client binding (`df.input.durableClient()`), as getClient tests it. */
export const isDurableClientInput = (input: FunctionInput): boolean =>
  input.type === 'durableClient' || input.type === 'orchestrationClient';

/**
 * Supplies the durable client input data to an InvocationContext the local host built for a
 * function registered with `extraInputs: [df.input.durableClient()]` (the context must have been
 * constructed with `options.extraInputs`, which is where getClient looks for the binding).
 * Returns how many durable client inputs were filled.
 */
export function attachDurableClientInput(context: InvocationContext, data: DurableClientBindingData): number {
  const inputs = context.options.extraInputs.filter(isDurableClientInput);
  for (const input of inputs) context.extraInputs.set(input, data);
  return inputs.length;
}
