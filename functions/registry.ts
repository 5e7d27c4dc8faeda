import { HttpHandler } from '@azure/functions';
import type { App } from '../shared/app';
import { directoryHttpFunctions } from './directory.functions';
import { HttpFunction } from './http/httpFunction';
import { toAzureHandler } from './http/pipeline';
import { metaHttpFunctions } from './meta.functions';
import { policyHttpFunctions } from './policy.functions';
import { methodsHttpFunctions } from './methods.functions';
import { webauthnHttpFunctions } from './webauthn.functions';
import { provisioningHttpFunctions } from './provisioning.functions';
import { provisioningJobHttpFunctions } from './provisioningJobs.functions';
import { auditHttpFunctions } from './audit.functions';
import { webhookHttpFunctions } from './webhooks.functions';
import { reEnrolmentHttpFunctions } from './reEnrolment.functions';
import { roleAssignmentHttpFunctions } from './roleAssignments.functions';
import { strengthHttpFunctions } from './strengths.functions';
import { protectedResourceHttpFunctions } from './protectedResources.functions';
import { graphNotificationHttpFunctions } from './graphNotifications.functions';
import { signInLogHttpFunctions } from './signInLog.functions';
import { reportsHttpFunctions } from './reports.functions';
import { proposedKeyRestrictionsHttpFunctions } from './proposedKeyRestrictions.functions';
import {
  storageBlobFunctions,
  storageQueueFunctions,
  type StorageBlobFunction,
  type StorageQueueFunction,
} from './provisioningRequests.functions';

/** Every HTTP function, declared once; Azure and the local host both mount this list. */
export function httpFunctions(): HttpFunction[] {
  const list: HttpFunction[] = [
    ...policyHttpFunctions,
    ...directoryHttpFunctions,
    ...webauthnHttpFunctions,
    ...methodsHttpFunctions,
    ...provisioningHttpFunctions,
    ...provisioningJobHttpFunctions,
    ...auditHttpFunctions,
    ...webhookHttpFunctions,
    ...reEnrolmentHttpFunctions,
    ...roleAssignmentHttpFunctions,
    ...strengthHttpFunctions,
    ...protectedResourceHttpFunctions,
    ...graphNotificationHttpFunctions,
    ...signInLogHttpFunctions,
    ...reportsHttpFunctions,
    ...proposedKeyRestrictionsHttpFunctions,
  ];
  list.push(...metaHttpFunctions(() => list));
  return list;
}

export interface RegisteredHttpFunction {
  definition: HttpFunction;
  handler: HttpHandler;
}

/** Binds each declared function to an app source (the Azure singleton, or a local host's app). */
export function buildHttpRegistry(getApp: () => Promise<App>): RegisteredHttpFunction[] {
  return httpFunctions().map((definition) => ({ definition, handler: toAzureHandler(definition, getApp) }));
}

/** Every storage queue and blob trigger, declared once: Azure registers them; the local host polls their queues and containers. */
export function storageTriggerFunctions(): { queues: StorageQueueFunction[]; blobs: StorageBlobFunction[] } {
  return { queues: [...storageQueueFunctions], blobs: [...storageBlobFunctions] };
}
