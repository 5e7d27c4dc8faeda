import { InvocationContext, type FunctionTrigger } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import type { LocalDurableRuntime } from '../durableRuntime';
import type { Logger } from '../logger';

/**
 * The InvocationContext of one storage-trigger delivery, as the Functions host builds it: the
 * trigger's metadata, the durable client input attached (`df.getClient(context)` starts jobs), and
 * the function's log lines prefixed with its name.
 */
export function storageTriggerContext(
  functionName: string,
  trigger: FunctionTrigger,
  triggerMetadata: Record<string, unknown>,
  durable: Pick<LocalDurableRuntime, 'inputsFor' | 'attachClient'>,
  logger: Logger,
): InvocationContext {
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName,
    logHandler: (level, ...args) => logger.log(level, `[${functionName}]`, ...args),
    triggerMetadata,
    options: { trigger, extraInputs: durable.inputsFor(true), extraOutputs: [] },
  });
  durable.attachClient(context);
  return context;
}
