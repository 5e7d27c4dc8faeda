import { AuditRecord } from '../audit';
import type { DomainEvent } from '../../ports/eventBus.port';

/**
 * Every audit record is written in the same store transaction as the change it describes, so the
 * audit log doubles as the outbox: the relay turns each record into the domain event below. The
 * event id is the record id, so a record relayed twice is the same event twice (consumers dedupe).
 */
export function eventTypeOf(record: AuditRecord): string {
  const name = record.activityDisplayName;
  if (name === 'Update authentication methods policy') return 'fido2Policy.updated';
  if (name.startsWith('Add Passkey')) return 'fido2Method.registered';
  if (name.startsWith('Delete Passkey')) return 'fido2Method.deleted';
  if (name === 'Sign-in with passkey refused') return 'fido2Method.signInRefused';
  if (name === 'Update user') {
    const upnChanged = record.targetResources[0]?.modifiedProperties.some((p) => p.displayName === 'userPrincipalName');
    return upnChanged ? 'user.upnChanged' : 'user.updated';
  }
  if (name.startsWith('Provisioning job ')) return `provisioningJob.${name.slice('Provisioning job '.length)}`;
  if (name === 'Passkey re-enrolment deadline passed') return 'user.reEnrolmentDeadlinePassed';
  const generic: Record<string, string> = {
    'Add user': 'user.created',
    'Delete user': 'user.deleted',
    'Add group': 'group.created',
    'Add member to group': 'group.memberAdded',
    'Remove member from group': 'group.memberRemoved',
    'Add webhook subscription': 'webhookSubscription.created',
    'Delete webhook subscription': 'webhookSubscription.deleted',
  };
  return generic[name] ?? `audit.${record.category}`;
}

function dataOf(type: string, record: AuditRecord): unknown {
  const target = record.targetResources[0];
  const before = record.before as Record<string, unknown> | null;
  const after = record.after as Record<string, unknown> | null;
  switch (type) {
    case 'fido2Policy.updated':
      return { before, after, modifiedProperties: target?.modifiedProperties ?? [] };
    case 'fido2Method.registered':
      return { userId: target?.id, userPrincipalName: target?.displayName, method: after };
    case 'fido2Method.deleted':
      return { userId: target?.id, userPrincipalName: target?.displayName, method: before };
    case 'fido2Method.signInRefused':
      return { userId: target?.id, userPrincipalName: target?.displayName, ...(after ?? {}) };
    case 'user.upnChanged':
      return { userId: target?.id, oldUserPrincipalName: before?.userPrincipalName, newUserPrincipalName: after?.userPrincipalName };
    default:
      return { before, after };
  }
}

const subjectOf = (record: AuditRecord) => {
  const target = record.targetResources[0];
  if (!target) return 'tenant';
  if (target.type === 'Policy') return 'policies/authenticationMethodsPolicy/fido2';
  if (target.type === 'ProvisioningJob') return `provisioning/jobs/${target.id}`;
  if (target.type === 'WebhookSubscription') return `webhooks/subscriptions/${target.id}`;
  return `${target.type.toLowerCase()}s/${target.id}`;
};

export function eventFromAudit(record: AuditRecord, source: string): DomainEvent {
  const type = eventTypeOf(record);
  return {
    specversion: '1.0',
    id: record.id,
    type,
    source,
    subject: subjectOf(record),
    time: record.activityDateTime,
    datacontenttype: 'application/json',
    data: { ...(dataOf(type, record) as object), initiatedBy: record.initiatedBy, result: record.result },
  };
}
