import type { InvocationContext, StorageQueueOutput } from '@azure/functions';
import { createHash } from 'node:crypto';
import type { App } from '../../shared/app';
import { z } from '../../shared/schemas/zod';
import type { StorageBlobFunction, StorageQueueFunction } from '../provisioningRequests.functions';

/** The queue trigger's metadata the handler reads (the v4 model camel-cases the host's names). */
const QueueMetadata = z.object({ id: z.string().optional(), dequeueCount: z.coerce.number().int().min(1).catch(1) });

/** The blob trigger's metadata: the blob's name, its properties (the ETag) and its metadata. */
const BlobMetadata = z.object({
  name: z.string(),
  properties: z.record(z.string(), z.unknown()).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});

/**
 * The `app.storageQueue` handler of a declared queue function: a refused request is written to the
 * poison queue through the output binding and the message completes; a throw has the host deliver
 * it again (and poison it itself after maxDequeueCount).
 */
export function storageQueueHandler(fn: StorageQueueFunction, getApp: () => Promise<App>, poison: StorageQueueOutput) {
  return async (message: unknown, context: InvocationContext): Promise<void> => {
    const meta = QueueMetadata.parse(context.triggerMetadata ?? {});
    const result = await fn.handler(message, {
      app: await getApp(),
      context,
      attempt: meta.dequeueCount,
      messageId: meta.id,
    });
    if (result.outcome === 'refused') context.extraOutputs.set(poison, JSON.stringify(result.poison));
  };
}

/** The `app.storageBlob` handler of a declared blob function (the host keeps the blob receipts). */
export function storageBlobHandler(fn: StorageBlobFunction, getApp: () => Promise<App>, poison: StorageQueueOutput) {
  return async (blob: unknown, context: InvocationContext): Promise<void> => {
    const meta = BlobMetadata.parse(context.triggerMetadata ?? {});
    const content = Buffer.isBuffer(blob) ? blob : Buffer.from(typeof blob === 'string' ? blob : JSON.stringify(blob));
    const result = await fn.handler(
      {
        container: fn.container,
        name: meta.name,
        etag: etagOf(meta.properties, content),
        metadata: meta.metadata ?? {},
        content,
      },
      { app: await getApp(), context, attempt: 1 },
    );
    if (result.outcome === 'refused') context.extraOutputs.set(poison, JSON.stringify(result.poison));
  };
}

/** The ETag among the blob's properties (however the host cases it); else a digest of the content, one per version too. */
function etagOf(properties: Record<string, unknown> | undefined, content: Buffer): string {
  const etag = Object.entries(properties ?? {}).find(([k]) => k.toLowerCase() === 'etag')?.[1];
  if (typeof etag === 'string' && etag) return etag;
  return `sha256:${createHash('sha256').update(content).digest('base64')}`;
}
