import type { InvocationContext } from '@azure/functions';
import { durableClientOf } from './durable/durableClientOf';
import type { App } from '../shared/app';
import { storageTriggerPrincipal } from '../shared/domain/auth/storageTriggerPrincipal';
import { csvBlobRequest, type CsvBlob } from '../shared/domain/provisioning/csvBlobRequest';
import { decodeQueueMessage } from '../shared/domain/provisioning/decodeQueueMessage';
import { poisonMessage, type PoisonMessage, type PoisonSource } from '../shared/domain/provisioning/poisonMessage';
import { isFinalRequestFailure } from '../shared/domain/provisioning/requestFailure';
import { QueuedJobRequest } from '../shared/schemas/provisioning.schema';
import { DurableProvisioningOrchestrations } from './durable/durableProvisioningOrchestrations';
import { describeZodError } from './http/errorResponse';

/** The storage account setting the triggers connect with (the Functions host's own storage). */
export const STORAGE_CONNECTION = 'AzureWebJobsStorage';
/** The queue of job requests, and the blob container of CSV job requests: one name for both. */
export const PROVISIONING_REQUESTS = 'provisioning-requests';
/** Functions' own poison-queue name for the queue (`<queue>-poison`); refused blobs are reported there too. */
export const PROVISIONING_REQUESTS_POISON = `${PROVISIONING_REQUESTS}-poison`;
/**
 * Deliveries of a message before it is given up (host.json `extensions.queues.maxDequeueCount`,
 * the Functions default 5). The last delivery that still fails is reported with its reason.
 */
export const MAX_DEQUEUE_COUNT = 5;

/** What a storage trigger did with a request: started its job, found the job it already started, or refused it. */
export type StorageTriggerResult =
  { outcome: 'started' | 'existing'; jobId: string } | { outcome: 'refused'; poison: PoisonMessage };

/** What a storage trigger's handler gets besides the message or blob. */
export interface StorageTriggerInput {
  app: App;
  /** An InvocationContext with the durable client input (`durableClientOf(context)` starts the job). */
  context: InvocationContext;
  /** This is the n-th delivery (the queue's dequeue count; the blob's attempt). */
  attempt: number;
}

/**
 * A storage queue trigger, declared once: Azure registers it with `app.storageQueue` (and a queue
 * output binding for the poison queue); the local host polls the queue with @azure/storage-queue.
 * The handler throws to have a delivery retried; a refused request is returned, never thrown.
 */
export interface StorageQueueFunction {
  name: string;
  queueName: string;
  poisonQueueName: string;
  connection: string;
  maxDequeueCount: number;
  handler(message: unknown, input: StorageTriggerInput & { messageId?: string }): Promise<StorageTriggerResult>;
}

/** A storage blob trigger, declared once: `app.storageBlob` on Azure; a container poller with blob receipts locally. */
export interface StorageBlobFunction {
  name: string;
  container: string;
  /** `container/{name}`, as `app.storageBlob` takes it. */
  path: string;
  poisonQueueName: string;
  connection: string;
  maxAttempts: number;
  handler(blob: CsvBlob, input: StorageTriggerInput): Promise<StorageTriggerResult>;
}

const orchestrations = (context: InvocationContext) => new DurableProvisioningOrchestrations(durableClientOf(context));

/**
 * Validates a decoded request with the POST body's schema and starts its job once; a refusal (or the
 * last failed attempt) goes to the poison queue. `reasonPrefix` names the request in a refusal's reason.
 */
async function startJob(
  candidate: unknown,
  source: PoisonSource,
  input: StorageTriggerInput & { maxAttempts: number; originalMessage?: string; reasonPrefix?: string },
): Promise<StorageTriggerResult> {
  const { app, context, attempt } = input;
  const parsed = QueuedJobRequest.safeParse(candidate);
  if (!parsed.success)
    return refuse(
      context,
      `${input.reasonPrefix ?? ''}${describeZodError(parsed.error, 'job request')}`,
      source,
      input.originalMessage,
    );
  try {
    const { created, job } = await app.provisioningJobs.createJob(
      parsed.data,
      storageTriggerPrincipal(),
      orchestrations(context),
    );
    context.log(
      `${created ? 'Started' : 'Already started'} provisioning job ${job.id} (${job.totalUsers} users) from ${sourceLabel(source)}`,
    );
    return { outcome: created ? 'started' : 'existing', jobId: job.id };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (isFinalRequestFailure(e)) return refuse(context, message, source, input.originalMessage);
    // The host would poison the message after this delivery anyway: say why, where an operator looks.
    if (attempt >= input.maxAttempts)
      return refuse(
        context,
        `gave up after ${attempt} attempts; the last one failed: ${message}`,
        source,
        input.originalMessage,
      );
    throw e;
  }
}

function refuse(
  context: InvocationContext,
  reason: string,
  source: PoisonSource,
  originalMessage?: string,
): StorageTriggerResult {
  context.warn(`Refused the job request from ${sourceLabel(source)}: ${reason}`);
  return { outcome: 'refused', poison: poisonMessage({ reason, source, now: new Date(), originalMessage }) };
}

const sourceLabel = (source: PoisonSource) =>
  'queue' in source ? `queue ${source.queue} message ${source.messageId ?? '?'}` : `blob ${source.blob}`;

/** `provisioning-requests` queue: a job request per message (JSON, base64-encoded or plain). */
export const provisioningRequestsQueue: StorageQueueFunction = {
  name: 'provisioningRequestsQueue',
  queueName: PROVISIONING_REQUESTS,
  poisonQueueName: PROVISIONING_REQUESTS_POISON,
  connection: STORAGE_CONNECTION,
  maxDequeueCount: MAX_DEQUEUE_COUNT,
  handler: async (message, input) => {
    const source: PoisonSource = {
      queue: PROVISIONING_REQUESTS,
      messageId: input.messageId,
      dequeueCount: input.attempt,
    };
    const decoded = decodeQueueMessage(message);
    if (!decoded.ok) return refuse(input.context, decoded.reason, source, decoded.text);
    return startJob(decoded.value, source, { ...input, maxAttempts: MAX_DEQUEUE_COUNT, originalMessage: decoded.text });
  },
};

/** `provisioning-requests` container: a users CSV per blob (`userPrincipalName,displayName`), options in its metadata. */
export const provisioningRequestsBlob: StorageBlobFunction = {
  name: 'provisioningRequestsBlob',
  container: PROVISIONING_REQUESTS,
  path: `${PROVISIONING_REQUESTS}/{name}`,
  poisonQueueName: PROVISIONING_REQUESTS_POISON,
  connection: STORAGE_CONNECTION,
  maxAttempts: MAX_DEQUEUE_COUNT,
  handler: async (blob, input) => {
    const source: PoisonSource = { blob: `${blob.container}/${blob.name}`, etag: blob.etag };
    const request = csvBlobRequest(blob);
    if (!request.ok) return refuse(input.context, request.reason, source);
    return startJob(request.request, source, {
      ...input,
      maxAttempts: MAX_DEQUEUE_COUNT,
      reasonPrefix: `${source.blob}: `,
    });
  },
};

export const storageQueueFunctions: StorageQueueFunction[] = [provisioningRequestsQueue];
export const storageBlobFunctions: StorageBlobFunction[] = [provisioningRequestsBlob];
