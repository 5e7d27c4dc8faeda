import type { ActivityHandler } from 'durable-functions';
import type { App } from '../../shared/app';
import { parseOrchestrationInput } from '../orchestrationInput';
import { DeleteOldPasskeysInputSchema, UpnReEnrolmentInputSchema } from './inputs';
import { ReEnrolmentActivities } from './names';

/** The re-enrolment activities: each one call into the re-enrolment service (all I/O happens here). */
export function reEnrolmentActivities(getApp: () => Promise<App>): Record<string, ActivityHandler> {
  const service = async () => (await getApp()).reEnrolment;
  return {
    [ReEnrolmentActivities.markOldPasskeys]: async (input: unknown) =>
      (await service()).markOldPasskeys(parseOrchestrationInput(UpnReEnrolmentInputSchema, input, ReEnrolmentActivities.markOldPasskeys)),
    [ReEnrolmentActivities.deleteOldPasskeys]: async (input: unknown) => 
      (await service()).deleteOldPasskeys(parseOrchestrationInput(DeleteOldPasskeysInputSchema, input, ReEnrolmentActivities.deleteOldPasskeys)),
  };
}
