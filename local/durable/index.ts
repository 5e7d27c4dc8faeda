/** The local durable engine: what the local host and composition code import. */
export { LocalDurableEngine } from './engine';
export { SqliteDurableStore } from './durable.sqlite';
export type { DurableStore } from './durable.port';
export { DurableEngineError } from './types';
export type {
  DurableInstanceStatus,
  DurableRegistry,
  GetStatusOptions,
  ListInstancesFilter,
  LocalDurableEngineOptions,
} from './types';
export {
  DURABLE_WEBHOOK_PATH,
  attachDurableClientInput,
  durableClientBindingData,
  handleDurableManagementRequest,
} from './managementRoutes';
export type {
  DurableClientBindingData,
  DurableClientRpc,
  DurableManagementOptions,
  DurableManagementQuery,
  DurableManagementResponse,
} from './managementRoutes';
export { durableManagementAnswer, durableManagementListener, notServedHere } from './managementHttp';
export type {
  DurableManagementAnswer,
  DurableManagementListenerOptions,
  DurableManagementRequest,
} from './managementHttp';
export { serveDurableClientInProcess } from './inProcessTransport';
export { refuseWithoutSystemKey } from './managementAuth';
export { DurableSystemKey, presentedSystemKeys, presentsSystemKey, SYSTEM_KEY_USER } from './systemKey';
