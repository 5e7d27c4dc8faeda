import { StoreUnavailableError } from '../../domain/errors';

export {
  credentialAlreadyRegistered,
  idempotencyKeyInProgress,
  idempotencyKeyReused,
  idTaken,
  upnTaken,
} from '../storeConflicts';

/*
 * Cosmos DB answers 429 when the request rate exceeds the provisioned throughput (the SDK has
 * already retried it, honouring x-ms-retry-after-ms, up to connectionPolicy.retryOptions: 9 tries
 * within 30 s by default), 503 when a partition is unavailable, 408 or a client-side timeout when
 * it does not answer in time, and a socket error when it cannot be reached. None of these applied
 * the operation the adapter was making (Cosmos writes of one document are atomic), so the caller
 * can answer "retry later" without anything half-written.
 */
const UNAVAILABLE_STATUS = new Set([408, 429, 449, 503]);
const UNAVAILABLE_SOCKET = new Set([
  'TimedOut',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'REQUEST_SEND_ERROR',
]);

interface CosmosFailure {
  code?: unknown;
  retryAfterInMs?: unknown;
  headers?: Record<string, unknown>;
}

/** Seconds until a retry may succeed: the server's hint when it gave one, else one second. */
function retryAfterSeconds(error: CosmosFailure): number {
  const hinted = Number(error.retryAfterInMs ?? error.headers?.['x-ms-retry-after-ms']);
  return Number.isFinite(hinted) && hinted > 0 ? Math.max(1, Math.ceil(hinted / 1000)) : 1;
}

/** Turns "Cosmos DB cannot serve this now" into StoreUnavailableError; every other error passes. */
export function translateCosmosError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || typeof error !== 'object' || error === null) return error;
  const failure = error as CosmosFailure;
  const code = failure.code;
  if (typeof code === 'number' && UNAVAILABLE_STATUS.has(code)) {
    return new StoreUnavailableError(
      'cosmos',
      retryAfterSeconds(failure),
      code === 429 ? 'request rate too large, throttled after the SDK retries' : `status ${code}`,
      { cause: error },
    );
  }
  if (typeof code === 'string' && UNAVAILABLE_SOCKET.has(code)) {
    return new StoreUnavailableError(
      'cosmos',
      1,
      code === 'TimedOut' ? 'the request timed out' : `cannot reach the account (${code})`,
      { cause: error },
    );
  }
  return error;
}
