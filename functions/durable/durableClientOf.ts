import type { FunctionInput, InvocationContext } from '@azure/functions';
import type * as df from 'durable-functions';
import { getDurableClient } from './lazyDurableFunctions';

/** Clients already built, by the binding data they were built from (its identity, not its content). */
const clients = new WeakMap<object, df.DurableClient>();

const isDurableClientInput = (input: FunctionInput) =>
  input.type === 'durableClient' || input.type === 'orchestrationClient';

/**
 * `df.getClient(context)`, built once per durable client binding data object: building a client
 * validates and rewrites a dozen URLs and creates an axios instance (a sixth of the local host's
 * time in a bulk job), while the client itself keeps no per-call state. A host that hands every
 * invocation the same binding data (the local host does) gets the same client; one that hands a
 * fresh object each time (Azure) gets a fresh client, exactly as from `df.getClient` (loaded on first use, as lazyDurableFunctions does).
 */
export function durableClientOf(context: InvocationContext): df.DurableClient {
  const input = context.options.extraInputs.find(isDurableClientInput);
  const data = input === undefined ? undefined : context.extraInputs.get(input);
  if (typeof data !== 'object' || data === null) return getDurableClient(context); // its own error when missing
  let client = clients.get(data);
  if (!client) {
    client = getDurableClient(context);
    clients.set(data, client);
  }
  return client;
}
