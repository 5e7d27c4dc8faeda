import { QueueClient } from '@azure/storage-queue';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorageQueueFunction, StorageTriggerResult } from '../../functions/provisioningRequests.functions';
import type { App } from '../../shared/app';
import { poisonMessage } from '../../shared/domain/provisioning/poisonMessage';
import { RunningAzurite, startAzurite } from '../azurite/startAzurite';
import { createLogger } from '../logger';
import { StorageQueuePoller } from './queuePoller';

const noDurable = { inputsFor: () => [], attachClient: () => undefined };
const app = {} as App; // the fake handlers below never read it

describe('StorageQueuePoller (the queue trigger as the Functions host runs it)', () => {
  let azurite: RunningAzurite;
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'passkeys-queuepoller-'));
    azurite = await startAzurite({ location: dir, blobPort: 0, queuePort: 0 });
  });
  afterAll(async () => {
    await azurite.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A declared function on fresh queues, whose handler is `handler`. */
  function fnWith(handler: StorageQueueFunction['handler']): StorageQueueFunction {
    n++;
    return {
      name: `test${n}`,
      queueName: `requests-${n}`,
      poisonQueueName: `requests-${n}-poison`,
      connection: 'AzureWebJobsStorage',
      maxDequeueCount: 3,
      handler,
    };
  }

  async function pollUntilEmpty(poller: StorageQueuePoller, queue: QueueClient): Promise<void> {
    for (let i = 0; i < 50; i++) {
      await poller.pollOnce();
      if ((await queue.getProperties()).approximateMessagesCount === 0) return;
    }
    throw new Error('the queue did not drain');
  }

  it('deletes a handled message; a refused one goes to the poison queue as its envelope', async () => {
    const seen: unknown[] = [];
    const fn = fnWith(async (message, input): Promise<StorageTriggerResult> => {
      seen.push([message, input.attempt, input.messageId]);
      if (message === 'bad')
        return {
          outcome: 'refused',
          poison: poisonMessage({ reason: 'bad it is', source: { queue: fn.queueName }, now: new Date(0) }),
        };
      return { outcome: 'started', jobId: 'j1' };
    });
    const poller = new StorageQueuePoller(fn, azurite.connectionString, app, noDurable, createLogger('none'), {
      minMs: 10,
      maxMs: 10,
    });
    await poller.pollOnce(); // creates the queues, as the host does
    const queue = new QueueClient(azurite.connectionString, fn.queueName);
    const good = await queue.sendMessage('good');
    await queue.sendMessage('bad');
    await pollUntilEmpty(poller, queue);
    expect(seen[0]).toEqual(['good', 1, good.messageId]);
    const poisoned = await new QueueClient(azurite.connectionString, fn.poisonQueueName).peekMessages();
    expect(poisoned.peekedMessageItems.map((m) => JSON.parse(m.messageText))).toEqual([
      { reason: 'bad it is', failedDateTime: '1970-01-01T00:00:00.000Z', source: { queue: fn.queueName } },
    ]);
  });

  it('retries a failing message maxDequeueCount times, then moves it to the poison queue unchanged (the host)', async () => {
    const attempts: number[] = [];
    const fn = fnWith(async (_message, input) => {
      attempts.push(input.attempt);
      throw new Error('store down');
    });
    const poller = new StorageQueuePoller(
      fn,
      azurite.connectionString,
      app,
      noDurable,
      createLogger('none'),
      { minMs: 10, maxMs: 10 },
      0, // visible again at once
    );
    await poller.pollOnce();
    const queue = new QueueClient(azurite.connectionString, fn.queueName);
    await queue.sendMessage('eyJ1c2VycyI6W119');
    await pollUntilEmpty(poller, queue);
    expect(attempts).toEqual([1, 2, 3]);
    const poisoned = await new QueueClient(azurite.connectionString, fn.poisonQueueName).peekMessages();
    expect(poisoned.peekedMessageItems.map((m) => m.messageText)).toEqual(['eyJ1c2VycyI6W119']);
  });

  it('the poll loop runs until stopped, and stop waits for the message in hand', async () => {
    let finished = 0;
    const fn = fnWith(async () => {
      await new Promise((r) => setTimeout(r, 200));
      finished++;
      return { outcome: 'started', jobId: 'j' };
    });
    const poller = new StorageQueuePoller(fn, azurite.connectionString, app, noDurable, createLogger('none'), {
      minMs: 10,
      maxMs: 20,
    });
    await poller.pollOnce();
    await new QueueClient(azurite.connectionString, fn.queueName).sendMessage('x');
    poller.start();
    await new Promise((r) => setTimeout(r, 100)); // received, in the handler
    await poller.stop();
    expect(finished).toBe(1);
  });
});
