import { z } from '../schemas/zod';
import { ActorSchema, AuditRecord, KeyValueSchema, ModifiedPropertySchema } from './audit';
import { EventTypes } from './events/eventTypes';

/**
 * An audit record read back from outside the process (a change-feed document): the record that was
 * written, with its declared event type. Unknown properties (Cosmos DB's `_rid`, `_ts`..., the
 * adapter's sort key) are dropped.
 */
export const AuditRecordSchema: z.ZodType<AuditRecord> = z.object({
  id: z.string().min(1),
  activityDateTime: z.string().min(1),
  category: z.enum([
    'Policy',
    'UserManagement',
    'GroupManagement',
    'RoleManagement',
    'ApplicationManagement',
    'Authentication',
  ]),
  activityDisplayName: z.string(),
  eventType: z.enum(Object.values(EventTypes)).optional(),
  operationType: z.enum(['Add', 'Update', 'Delete', 'Other']),
  loggedByService: z.string(),
  initiatedBy: ActorSchema,
  targetResources: z.array(
    z.object({
      id: z.string(),
      displayName: z.string().nullable(),
      type: z.string(),
      modifiedProperties: z.array(ModifiedPropertySchema),
    }),
  ),
  result: z.enum(['success', 'failure']),
  resultReason: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  additionalDetails: z.array(KeyValueSchema).optional(),
});
