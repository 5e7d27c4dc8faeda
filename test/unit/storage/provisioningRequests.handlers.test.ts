import { InvocationContext, output } from '@azure/functions';
import * as df from 'durable-functions';
import {
  MAX_DEQUEUE_COUNT,
  provisioningRequestsBlob,
  provisioningRequestsQueue,
} from '../../../functions/provisioningRequests.functions';
import { storageBlobHandler, storageQueueHandler } from '../../../functions/storage/azureStorageTriggers';
import { attachDurableClientInput, durableClientBindingData } from '../../../local/durable/durableClientInput';
import { DurableSystemKey } from '../../../local/durable/systemKey';
import type { App } from '../../../shared/app';
import { STORAGE_TRIGGER_APP_ID } from '../../../shared/domain/auth/storageTriggerPrincipal';
import { DomainError, StoreUnavailableError } from '../../../shared/domain/errors';
import { ErrorCodes } from '../../../shared/domain/errorCodes';
import type { ProvisioningJob } from '../../../shared/ports/provisioningJobs.port';
import type { CreateJobResult, NewJobRequest } from '../../../shared/services/provisioning/provisioningJobService';
import type { Principal } from '../../../shared/domain/auth/principal';

const poison = output.storageQueue({ queueName: 'provisioning-requests-poison', connection: 'AzureWebJobsStorage' });

/** A context as the host builds it for these triggers: the durable client input filled, the poison output declared. */
function contextWith(triggerMetadata: Record<string, unknown> = {}): InvocationContext {
  const context = new InvocationContext({
    functionName: 'provisioningRequestsQueue',
    triggerMetadata,
    logHandler: () => undefined,
    options: {
      trigger: { type: 'queueTrigger', name: 'message' },
      extraInputs: [df.input.durableClient()],
      extraOutputs: [poison],
    },
  });
  attachDurableClientInput(
    context,
    durableClientBindingData('http://127.0.0.1:1', 'TestHub', { systemKey: DurableSystemKey.generate() }),
  );
  return context;
}

/** An app whose job service answers with `createJob` (the only thing these handlers call). */
function appWith(createJob: (request: NewJobRequest, principal: Principal) => Promise<CreateJobResult>) {
  const calls: Array<{ request: NewJobRequest; principal: Principal }> = [];
  const app = {
    provisioningJobs: {
      createJob: async (request: NewJobRequest, principal: Principal) => {
        calls.push({ request, principal });
        return createJob(request, principal);
      },
    },
  } as unknown as App; // a fake of the one service these handlers call (as orchestrations/activity.test.ts)
  return { app, calls };
}

const job: ProvisioningJob = {
  id: 'j1',
  status: 'running',
  createdDateTime: '2026-12-03T05:00:00.000Z',
  lastUpdatedDateTime: '2026-12-03T05:00:00.000Z',
  createdBy: { id: null, userPrincipalName: null, appId: STORAGE_TRIGGER_APP_ID },
  challengeTimeoutInMinutes: 60,
  displayNameTemplate: '{displayName} security key',
  source: { users: ['alice@contoso.com'] },
  totalUsers: 1,
};
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');
const message = b64({ users: ['alice@contoso.com'], idempotencyKey: 'k1', requestedBy: 'ops@contoso.com' });

describe('the provisioning-requests queue handler', () => {
  it('hands the validated request to the job service as the storage trigger application', async () => {
    const { app, calls } = appWith(async () => ({ created: true, job }));
    const result = await provisioningRequestsQueue.handler(message, { app, context: contextWith(), attempt: 1 });
    expect(result).toEqual({ outcome: 'started', jobId: 'j1' });
    expect(calls[0].request).toEqual({
      users: ['alice@contoso.com'],
      idempotencyKey: 'k1',
      requestedBy: 'ops@contoso.com',
      challengeTimeoutInMinutes: 60,
      displayName: '{displayName} security key',
    });
    expect(calls[0].principal).toMatchObject({ kind: 'application', appId: STORAGE_TRIGGER_APP_ID, permissions: [] });
  });

  it('a key that already started its job: existing, nothing refused', async () => {
    const { app } = appWith(async () => ({ created: false, job }));
    expect(await provisioningRequestsQueue.handler(message, { app, context: contextWith(), attempt: 1 })).toEqual({
      outcome: 'existing',
      jobId: 'j1',
    });
  });

  it.each<[string, unknown, 'retry' | RegExp]>([
    ['the store unavailable for now', new StoreUnavailableError('sqlite', 1, 'busy'), 'retry'],
    [
      'the same key still creating its job',
      new DomainError(ErrorCodes.idempotencyKeyInProgress, 'in progress'),
      'retry',
    ],
    ['a crash', new Error('ECONNRESET'), 'retry'],
    [
      'the key reused for another request',
      new DomainError(ErrorCodes.idempotencyKeyReused, "The idempotency key 'k1' was already used"),
      /^The idempotency key 'k1' was already used/,
    ],
    [
      'unknown users',
      new DomainError(ErrorCodes.unknownUsers, 'These users do not exist: x@y.z.'),
      /^These users do not exist/,
    ],
  ])('%s: retried, or refused at once with the reason', async (_what, error, expected) => {
    const { app } = appWith(async () => Promise.reject(error));
    const attempt = provisioningRequestsQueue.handler(message, { app, context: contextWith(), attempt: 1 });
    if (expected === 'retry') await expect(attempt).rejects.toBe(error);
    else
      await expect(attempt).resolves.toMatchObject({
        outcome: 'refused',
        poison: { reason: expect.stringMatching(expected), originalMessage: message },
      });
  });

  it('the last delivery that still fails is refused with the reason, so the poison queue says why', async () => {
    const { app } = appWith(async () => Promise.reject(new StoreUnavailableError('sqlite', 1, 'busy')));
    const result = await provisioningRequestsQueue.handler(message, {
      app,
      context: contextWith(),
      attempt: MAX_DEQUEUE_COUNT,
      messageId: 'm1',
    });
    expect(result).toMatchObject({
      outcome: 'refused',
      poison: {
        reason: expect.stringMatching(
          /^gave up after 5 attempts; the last one failed: The SQLite store is unavailable/,
        ),
        source: { queue: 'provisioning-requests', messageId: 'm1', dequeueCount: 5 },
      },
    });
  });

  it('a message that fails validation never reaches the job service', async () => {
    const { app, calls } = appWith(async () => ({ created: true, job }));
    const result = await provisioningRequestsQueue.handler(b64({ users: [] }), {
      app,
      context: contextWith(),
      attempt: 1,
    });
    expect(result).toMatchObject({ outcome: 'refused', poison: { reason: expect.stringContaining("'users'") } });
    expect(calls).toEqual([]);
  });
});

describe('the Azure bindings of the storage triggers', () => {
  it('queue: the dequeue count and id from the trigger metadata; a refusal written to the poison output as JSON', async () => {
    const { app } = appWith(async () => ({ created: true, job }));
    const handler = storageQueueHandler(provisioningRequestsQueue, async () => app, poison);
    const refused = contextWith({ id: 'm9', dequeueCount: 2 });
    await handler({ users: 'nobody' }, refused); // the host parsed JSON text into an object
    const envelope = JSON.parse(String(refused.extraOutputs.get(poison)));
    expect(envelope).toMatchObject({ source: { queue: 'provisioning-requests', messageId: 'm9', dequeueCount: 2 } });
    expect(envelope.reason).toContain("'users'");
    const accepted = contextWith({ id: 'm10', dequeueCount: 1 });
    await handler(message, accepted);
    expect(accepted.extraOutputs.get(poison)).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['the ETag as the host names it', { ETag: '"0x8DC"' }, /^blob:[0-9a-f]{64}$/],
    ['no ETag: a digest of the content stands in', {}, /^blob:[0-9a-f]{64}$/],
  ])('blob: name, metadata and %s make the job request', async (_what, properties, key) => {
    const { app, calls } = appWith(async () => ({ created: true, job }));
    const handler = storageBlobHandler(provisioningRequestsBlob, async () => app, poison);
    const context = contextWith({ name: 'wave.csv', properties, metadata: { displayName: '{displayName} key' } });
    await handler(Buffer.from('userPrincipalName\nalice@contoso.com\n'), context);
    expect(calls[0].request).toMatchObject({
      users: ['alice@contoso.com'],
      displayName: '{displayName} key',
      idempotencyKey: expect.stringMatching(key),
    });
    expect(context.extraOutputs.get(poison)).toBeUndefined();
  });
});
