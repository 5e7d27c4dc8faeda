import { AuditRecord } from '../audit';
import { Principal } from './principal';

/** Who made a change, as audit records name it. */
export type Actor = AuditRecord['initiatedBy'];

export function actorOf(principal: Principal | undefined): Actor {
  if (principal?.userId)
    return { user: { id: principal.userId, userPrincipalName: principal.userPrincipalName ?? null }, app: null };
  if (principal?.appId) return { user: null, app: { appId: principal.appId } };
  return { user: null, app: { appId: 'passkey-service' } };
}
