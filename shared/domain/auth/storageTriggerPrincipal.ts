import type { Principal } from './principal';

/** The app id a queued or uploaded job is recorded under (`createdBy.appId`, the audit actor). */
export const STORAGE_TRIGGER_APP_ID = 'provisioning-requests-storage-trigger';

/**
 * Who starts a job that arrived through Azure Storage (the `provisioning-requests` queue or blob
 * container): an application, app-only, with no application permission at all. Whoever can write to
 * the queue is not authenticated by this service, so a queued job is treated like one from a
 * creator who is not a Privileged Authentication Administrator: users holding a privileged role are
 * refused (`refusedByPolicy`), never provisioned. Stations still claim users with their own tokens.
 */
export function storageTriggerPrincipal(): Principal {
  return { kind: 'application', appId: STORAGE_TRIGGER_APP_ID, permissions: [], roleTemplateIds: [], scopes: [] };
}
