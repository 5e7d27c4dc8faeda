import { app, FunctionHandler, FunctionInput, input, InvocationContext, trigger } from '@azure/functions';
import type * as DurableFunctionsLibrary from 'durable-functions';
import type { ActivityHandler, DurableClient, OrchestrationHandler } from 'durable-functions';

/*
 * durable-functions, loaded on first use (issue 10): importing the package costs a cold instance about
 * 200 ms (its durable client pulls in axios, validator, lodash and moment; its Orchestrator another
 * 45 ms), while registering a function needs only the binding types. These helpers register exactly
 * what df.app.orchestration, df.app.activity and df.input.durableClient register — the same trigger and
 * input bindings through `app.generic`, the library's own handler wrappers (built on the first
 * invocation) — and lazyDurableFunctions.test.ts compares them with the library's, invocation included.
 */

/** What `df.app.orchestration` hands to `app.generic` as the handler (lib/src/util/testingUtils.js). */
type LibraryOrchestratorFunction = (orchestrationTrigger: unknown, context: InvocationContext) => Promise<unknown>;

/**
 * The library-internal modules behind `df.app.orchestration` / `df.app.activity`: the package exposes
 * their wrappers only through registering. durable-functions is pinned exactly in package.json
 * (test/engine/durableLibraryCanary.test.ts); lazyDurableFunctions.test.ts fails if either moves.
 */
export const ORCHESTRATOR_WRAPPER_MODULE = 'durable-functions/lib/src/util/testingUtils';
export const ACTIVITY_WRAPPER_MODULE = 'durable-functions/lib/src/app';

/** `df.app.orchestration(name, handler)`, with durable-functions loaded on the first episode. */
export function registerOrchestration(name: string, handler: OrchestrationHandler): void {
  let orchestrator: LibraryOrchestratorFunction | undefined;
  app.generic(name, {
    trigger: trigger.generic({ type: 'orchestrationTrigger' }),
    handler: (orchestrationTrigger: unknown, context: InvocationContext) => {
      orchestrator ??= (
        require(ORCHESTRATOR_WRAPPER_MODULE) as {
          createOrchestrator(fn: OrchestrationHandler): LibraryOrchestratorFunction;
        }
      ).createOrchestrator(handler);
      return orchestrator(orchestrationTrigger, context);
    },
  });
}

/** `df.app.activity(name, { handler })`, with durable-functions loaded on the first call. */
export function registerActivity(name: string, handler: ActivityHandler): void {
  let wrapped: FunctionHandler | undefined;
  app.generic(name, {
    trigger: trigger.generic({ type: 'activityTrigger' }),
    handler: (activityInput: unknown, context: InvocationContext) => {
      // The library's wrapper: an error is reported with the registered exception properties, if any.
      wrapped ??= (
        require(ACTIVITY_WRAPPER_MODULE) as { wrapActivityHandler(fn: ActivityHandler): FunctionHandler }
      ).wrapActivityHandler(handler);
      return wrapped(activityInput, context);
    },
  });
}

/** `df.input.durableClient()`: the binding a function declares to get a durable client. */
export function durableClientInput(): FunctionInput {
  return input.generic({ type: 'durableClient' });
}

/** `df.getClient(context)`, loading durable-functions (its HTTP client) on the first call. */
export function getDurableClient(context: InvocationContext): DurableClient {
  return (require('durable-functions') as typeof DurableFunctionsLibrary).getClient(context);
}
