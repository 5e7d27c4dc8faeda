import { AuditRecord, ModifiedProperty } from './audit';
import { Actor } from './auth/actor';
import type { EventType } from './events/eventTypes';

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

/** Top-level properties whose values differ, in Graph's modifiedProperties shape. */
export function diffProperties(before: object | null, after: object | null): ModifiedProperty[] {
  const a = (before ?? {}) as Record<string, unknown>;
  const b = (after ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys
    .filter((k) => json(a[k]) !== json(b[k]))
    .map((k) => ({ displayName: k, oldValue: json(a[k]), newValue: json(b[k]) }));
}

export interface AuditInput {
  id: string;
  at: Date;
  actor: Actor;
  category: AuditRecord['category'];
  /** Entra's wording, for people reading the log: nothing is derived from it. */
  activityDisplayName: string;
  /** The event this change publishes (events/eventTypes.ts `EventTypes`), declared by the writer. */
  eventType: EventType;
  operationType: AuditRecord['operationType'];
  target: { id: string; displayName: string | null; type: string };
  before: object | null;
  after: object | null;
  additionalDetails?: AuditRecord['additionalDetails'];
}

/** Builds the audit record of a successful change. */
export function auditRecord(input: AuditInput): AuditRecord {
  return {
    id: input.id,
    activityDateTime: input.at.toISOString(),
    category: input.category,
    activityDisplayName: input.activityDisplayName,
    eventType: input.eventType,
    operationType: input.operationType,
    loggedByService: 'Authentication Methods',
    initiatedBy: input.actor,
    targetResources: [{ ...input.target, modifiedProperties: diffProperties(input.before, input.after) }],
    result: 'success',
    resultReason: '',
    before: input.before,
    after: input.after,
    ...(input.additionalDetails ? { additionalDetails: input.additionalDetails } : {}),
  };
}

/** Entra's audit wording for a passkey: "Passkey (device-bound) security key" or "Passkey (synced)". */
export const passkeyActivityName = (verb: 'Add' | 'Delete', backupEligible: boolean) =>
  backupEligible ? `${verb} Passkey (synced)` : `${verb} Passkey (device-bound) security key`;
