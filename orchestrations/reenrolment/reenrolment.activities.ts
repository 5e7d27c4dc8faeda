import type { ActivityHandler } from 'durable-functions';
import type { App } from '../../shared/app';
import type { DeleteOldPasskeysInput } from '../../shared/ports/reEnrolmentOrchestrations.port';
import { ReEnrolmentActivities } from './names';

/** The re-enrolment activities: each one call into the re-enrolment service (all I/O happens here). */
export function reEnrolmentActivities(getApp: () => Promise<App>): Record<string, ActivityHandler> {
  const service = async () => (await getApp()).reEnrolment;
  return {
    [ReEnrolmentActivities.markOldPasskeys]: async (input: unknown) => {
      const { userId, changedAt } = input as { userId: string; changedAt: string };
      return (await service()).markOldPasskeys(userId, changedAt);
    },
    [ReEnrolmentActivities.deleteOldPasskeys]: async (input: unknown) => (await service()).deleteOldPasskeys(input as DeleteOldPasskeysInput),
  };
}
