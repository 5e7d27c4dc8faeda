import { z } from '../schemas/zod';
import type { EventType } from './events/eventTypes';

/**
 * An audit record in Microsoft Graph's `directoryAudit` shape, written in the same store operation as
 * the change it describes, so no change goes unrecorded.
 */
export interface ModifiedProperty {
  displayName: string;
  oldValue: string | null;
  newValue: string | null;
}

export interface AuditRecord {
  id: string;
  activityDateTime: string;
  category:
    'Policy' | 'UserManagement' | 'GroupManagement' | 'RoleManagement' | 'ApplicationManagement' | 'Authentication';
  activityDisplayName: string;
  /**
   * The event the outbox relay publishes for this record, declared by the service that made the
   * change (never derived from the display name). Absent only on records written before types were
   * declared (the relay maps those with legacyEventTypeFromDisplayText).
   */
  eventType?: EventType;
  operationType: 'Add' | 'Update' | 'Delete' | 'Other';
  loggedByService: string;
  initiatedBy: {
    user: { id: string; userPrincipalName: string | null } | null;
    app: { appId: string } | null;
    /** Work done for a provisioning job: the job and who created it (the actor above delivered the credential). */
    provisioningJob?: {
      id: string;
      createdBy: { id: string | null; userPrincipalName: string | null; appId: string | null };
    };
  };
  targetResources: Array<{
    id: string;
    displayName: string | null;
    type: string;
    modifiedProperties: ModifiedProperty[];
  }>;
  result: 'success' | 'failure';
  resultReason: string;
  /** Full before/after documents of the change, for the record. */
  before: unknown;
  after: unknown;
  /** Graph's `additionalDetails` key/value pairs (a policy change's lock-out impact, for one). */
  additionalDetails?: KeyValue[];
}

/** Graph's `keyValue`. */
export interface KeyValue {
  key: string;
  value: string;
}

const nullableString = z.string().nullable();

/** A modified property as stored and published. */
export const ModifiedPropertySchema: z.ZodType<ModifiedProperty> = z.object({
  displayName: z.string(),
  oldValue: nullableString,
  newValue: nullableString,
});

/** A key/value pair of `additionalDetails`, as stored. */
export const KeyValueSchema: z.ZodType<KeyValue> = z.object({ key: z.string(), value: z.string() });

/** Who made a change, as stored and published (`initiatedBy`). */
export const ActorSchema: z.ZodType<AuditRecord['initiatedBy']> = z.object({
  user: z.object({ id: z.string(), userPrincipalName: nullableString }).nullable(),
  app: z.object({ appId: z.string() }).nullable(),
  provisioningJob: z
    .object({
      id: z.string(),
      createdBy: z.object({ id: nullableString, userPrincipalName: nullableString, appId: nullableString }),
    })
    .optional(),
});
