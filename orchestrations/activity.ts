import type { ActivityHandler, OrchestrationContext, Task } from 'durable-functions';
import type { z } from 'zod';
import type { App } from '../shared/app';
import { parseOrchestrationInput } from './orchestrationInput';

/**
 * A typed activity handle: orchestrators schedule it with `yield activity.call(context, input)` (input typed
 * by its schema) and read the answer with `activity.result(value)` (parsed by its result schema); the
 * registry turns it into the durable ActivityHandler, which parses its input before any service runs.
 */
export interface Activity<I extends z.ZodType, R extends z.ZodType> {
  /** The durable activity name: histories on disk reference it, so it never changes. */
  readonly name: string;
  readonly input: I;
  readonly result: (value: unknown) => z.output<R>;
  /** The task to `yield` from an orchestrator. */
  call(context: OrchestrationContext, input: z.input<I>): Task;
  /** The durable handler: the input parsed by its schema (a bad one fails the activity, naming what was wrong). */
  handler(getApp: () => Promise<App>): ActivityHandler;
}

/** The schemas of an activity's input and of the result orchestrators read back from the history. */
export interface ActivitySchemas<I extends z.ZodType, R extends z.ZodType> {
  input: I;
  result: R;
}

/**
 * Declares an activity once: its name, the schemas of its input and result, and the one service call
 * it makes (all I/O happens in activities, never in orchestrators: STYLE.md §5).
 */
export function defineActivity<I extends z.ZodType, R extends z.ZodType>(
  name: string,
  schemas: ActivitySchemas<I, R>,
  run: (input: z.output<I>, app: App) => Promise<z.input<R>>,
): Activity<I, R> {
  return {
    name,
    input: schemas.input,
    result: (value) => parseOrchestrationInput(schemas.result, value, `${name} result`),
    call: (context, input) => context.df.callActivity(name, input),
    handler: (getApp) => async (input: unknown) =>
      run(parseOrchestrationInput(schemas.input, input, name), await getApp()),
  };
}

/** Name → durable handler for a list of activities, as `df.app.activity` and the local engine register them. */
export function activityHandlers(
  activities: ReadonlyArray<Activity<z.ZodType, z.ZodType>>,
  getApp: () => Promise<App>,
): Record<string, ActivityHandler> {
  return Object.fromEntries(activities.map((activity) => [activity.name, activity.handler(getApp)]));
}
