import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { QueueServiceClient, type QueueClient } from '@azure/storage-queue';
import type { StorageBlobFunction } from '../../functions/provisioningRequests.functions';
import type { App } from '../../shared/app';
import { storageStatusOf } from '../../shared/adapters/storage/storageErrors';
import type { LocalDurableRuntime } from '../durableRuntime';
import type { Logger } from '../logger';
import { PollLoop, type PollPacing } from './pollLoop';
import { storageTriggerContext } from './triggerContext';

/** Where the Functions host keeps its blob receipts, and the host id this runtime writes them under. */
export const RECEIPTS_CONTAINER = 'azure-webjobs-hosts';
const HOST_ID = 'local';

/** A blob version's receipt: `blobreceipts/<host>/<function>/<etag>/<container>/<name>`, the host's layout. */
export const receiptName = (functionName: string, etag: string, container: string, blobName: string) =>
  `blobreceipts/${HOST_ID}/${functionName}/${etag.replace(/"/g, '')}/${container}/${blobName}`;

/**
 * The blob trigger of the embedded runtime, as the Functions host runs it: scan the container, hand
 * each blob version (name + ETag) without a receipt to the declared handler, then write its receipt,
 * so a restart does not run it again and a new upload (a new ETag) runs once more. A refused blob
 * is reported to the poison queue with its reason (and gets its receipt: it is not retried); a
 * failure is retried on the next scans, and its last attempt is refused with the reason.
 */
export class StorageBlobPoller {
  private readonly container: ContainerClient;
  private readonly receipts: ContainerClient;
  private readonly poison: QueueClient;
  private readonly loop: PollLoop;
  /** Failed attempts per blob version in this process (the host counts them in its own queue). */
  private readonly attempts = new Map<string, number>();
  private created = false;

  constructor(
    private readonly fn: StorageBlobFunction,
    connectionString: string,
    private readonly app: App,
    private readonly durable: Pick<LocalDurableRuntime, 'inputsFor' | 'attachClient'>,
    private readonly logger: Logger,
    pacing: PollPacing,
  ) {
    const blobs = BlobServiceClient.fromConnectionString(connectionString);
    this.container = blobs.getContainerClient(fn.container);
    this.receipts = blobs.getContainerClient(RECEIPTS_CONTAINER);
    this.poison = QueueServiceClient.fromConnectionString(connectionString).getQueueClient(fn.poisonQueueName);
    this.loop = new PollLoop(fn.name, () => this.pollOnce(), pacing, logger);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** One scan and the blobs it ran; answers how many it handled. */
  async pollOnce(): Promise<number> {
    if (!this.created) {
      await this.container.createIfNotExists();
      await this.receipts.createIfNotExists();
      await this.poison.createIfNotExists();
      this.created = true;
    }
    const done = new Set<string>();
    for await (const receipt of this.receipts.listBlobsFlat({ prefix: `blobreceipts/${HOST_ID}/${this.fn.name}/` }))
      done.add(receipt.name);
    let handled = 0;
    for await (const blob of this.container.listBlobsFlat({ includeMetadata: true })) {
      const etag = blob.properties.etag ?? '';
      const receipt = receiptName(this.fn.name, etag, this.fn.container, blob.name);
      if (done.has(receipt)) continue;
      await this.handle(blob.name, etag, blob.metadata ?? {}, receipt);
      handled++;
    }
    return handled;
  }

  private async handle(name: string, etag: string, metadata: Record<string, string>, receipt: string): Promise<void> {
    const attempt = (this.attempts.get(receipt) ?? 0) + 1;
    const context = storageTriggerContext(
      this.fn.name,
      { type: 'blobTrigger', name: 'blob', path: this.fn.path, connection: this.fn.connection },
      { name, blobTrigger: `${this.fn.container}/${name}`, properties: { etag }, metadata },
      this.durable,
      this.logger,
    );
    try {
      // The version listed: a newer upload under the same name has another ETag and its own turn.
      const content = await this.container.getBlobClient(name).downloadToBuffer(undefined, undefined, {
        conditions: { ifMatch: etag },
      });
      const result = await this.fn.handler(
        { container: this.fn.container, name, etag, metadata, content },
        { app: this.app, context, attempt },
      );
      if (result.outcome === 'refused') await this.poison.sendMessage(JSON.stringify(result.poison));
      await this.writeReceipt(receipt);
      this.attempts.delete(receipt);
    } catch (e) {
      if ([412, 404].includes(storageStatusOf(e) ?? 0)) return; // replaced or deleted meanwhile: the next scan sees what is there
      this.attempts.set(receipt, attempt);
      this.logger.error(`[${this.fn.name}] blob ${this.fn.container}/${name} failed (attempt ${attempt}); retried:`, e);
    }
  }

  private async writeReceipt(receipt: string): Promise<void> {
    try {
      await this.receipts.getBlockBlobClient(receipt).upload('', 0, { conditions: { ifNoneMatch: '*' } });
    } catch (e) {
      if (storageStatusOf(e) !== 409) throw e; // 409: the receipt exists already
    }
  }
}
