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

/** An actor flattened as stored records name their creator (a job's, a subscription's `createdBy`). */
export interface CreatedBy {
  id: string | null;
  userPrincipalName: string | null;
  appId: string | null;
}

export const createdByOf = (actor: Actor): CreatedBy => ({
  id: actor.user?.id ?? null,
  userPrincipalName: actor.user?.userPrincipalName ?? null,
  appId: actor.app?.appId ?? null,
});
