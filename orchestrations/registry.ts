import type { ActivityHandler, OrchestrationHandler } from 'durable-functions';
import type { App } from '../shared/app';
import { activityHandlers } from './activity';
import { Orchestrators } from './provisioning/names';
import { provisioningActivities } from './provisioning/provisioning.activities';
import {
  provisioningBatchOrchestrator,
  provisioningJobOrchestrator,
} from './provisioning/provisioningJob.orchestrator';
import { provisionUserOrchestrator } from './provisioning/provisionUser.orchestrator';
import { ReEnrolmentOrchestrator } from './reenrolment/names';
import { reEnrolmentActivities } from './reenrolment/reenrolment.activities';
import { upnReEnrolmentOrchestrator } from './reenrolment/upnReEnrolment.orchestrator';

export interface DurableFunctions {
  orchestrations: Record<string, OrchestrationHandler>;
  activities: Record<string, ActivityHandler>;
}

/** Every orchestrator and activity, declared once: Azure registers them with df.app.*, the local engine replays them. */
export function durableFunctions(getApp: () => Promise<App>): DurableFunctions {
  return {
    orchestrations: {
      [Orchestrators.job]: provisioningJobOrchestrator,
      [Orchestrators.batch]: provisioningBatchOrchestrator,
      [Orchestrators.user]: provisionUserOrchestrator,
      [ReEnrolmentOrchestrator]: upnReEnrolmentOrchestrator,
    },
    activities: activityHandlers([...provisioningActivities, ...reEnrolmentActivities], getApp),
  };
}
