import { randomUUID } from 'node:crypto';
import { AuditRecord } from '../../domain/audit';
import { Actor } from '../../domain/auth/actor';
import { auditRecord } from '../../domain/auditRecords';
import { EventType, EventTypes } from '../../domain/events/eventTypes';
import { AuthenticationStrength, ProtectedResource } from '../../domain/strengths/authenticationStrength';

type Verb = 'Add' | 'Update' | 'Delete';

const STRENGTH_EVENTS: Record<Verb, EventType> = {
  Add: EventTypes.authenticationStrengthCreated,
  Update: EventTypes.authenticationStrengthUpdated,
  Delete: EventTypes.authenticationStrengthDeleted,
};
const RESOURCE_EVENTS: Record<Verb, EventType> = {
  Add: EventTypes.protectedResourceCreated,
  Update: EventTypes.protectedResourceUpdated,
  Delete: EventTypes.protectedResourceDeleted,
};

/** The audit record (and so the event) of a change to a custom strength, in Entra's Conditional Access wording. */
export function strengthAudit(
  verb: Verb,
  at: Date,
  actor: Actor,
  before: AuthenticationStrength | null,
  after: AuthenticationStrength | null,
): AuditRecord {
  const subject = (after ?? before)!;
  return auditRecord({
    id: randomUUID(),
    at,
    actor,
    category: 'Policy',
    activityDisplayName: `${verb} authentication strength policy`,
    eventType: STRENGTH_EVENTS[verb],
    operationType: verb,
    target: { id: subject.id, displayName: subject.displayName, type: 'AuthenticationStrengthPolicy' },
    before,
    after,
  });
}

/** The audit record (and so the event) of a change to a protected resource. */
export function resourceAudit(
  verb: Verb,
  at: Date,
  actor: Actor,
  before: ProtectedResource | null,
  after: ProtectedResource | null,
): AuditRecord {
  const subject = (after ?? before)!;
  return auditRecord({
    id: randomUUID(),
    at,
    actor,
    category: 'Policy',
    activityDisplayName: `${verb} protected resource`,
    eventType: RESOURCE_EVENTS[verb],
    operationType: verb,
    target: { id: subject.name, displayName: subject.name, type: 'ProtectedResource' },
    before,
    after,
  });
}
