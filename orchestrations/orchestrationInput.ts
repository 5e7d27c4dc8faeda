import { z } from 'zod';

/**
 * Validates an orchestration's (or an activity's) input at its edge. The management API can start
 * any orchestrator with any JSON, so nothing an orchestrator does may rest on an unchecked input:
 * a bad one throws here, before any activity is scheduled, and the instance fails cleanly with a
 * message naming what was received and what was expected.
 */
export function parseOrchestrationInput<S extends z.ZodType>(schema: S, value: unknown, name: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new Error(`Invalid input for ${name}: ${z.prettifyError(parsed.error).replace(/\n+/g, '; ')}`);
}
