import { randomUUID } from 'node:crypto';
import { Actor, actorOf } from '../../domain/auth/actor';
import { Principal } from '../../domain/auth/principal';
import { auditRecord, passkeyActivityName } from '../../domain/auditRecords';
import { DomainError } from '../../domain/errors';
import { ErrorCodes } from '../../domain/errorCodes';
import { mustReEnrol } from '../../domain/webauthn/reEnrolmentHint';
import { Clock } from '../../ports/clock.port';
import { CredentialRepository } from '../../ports/credentials.port';
import { DirectoryService } from '../directoryService';
import { Fido2AuthenticationMethod, toFido2Method } from './fido2Method';
import { EventTypes } from '../../domain/events/eventTypes';

const methodMissing = (id: string) =>
  new DomainError(
    ErrorCodes.itemNotFound,
    `No passkey (fido2AuthenticationMethod) with id '${id}' is registered for this user.`,
  );

/** A user's registered passkeys (Graph: users/{id}/authentication/fido2Methods). */
export class MethodsService {
  constructor(
    private readonly directory: DirectoryService,
    private readonly credentials: CredentialRepository,
    private readonly clock: Clock,
  ) {}

  async list(userIdOrUpn: string): Promise<Fido2AuthenticationMethod[]> {
    const { value: user } = await this.directory.getUser(userIdOrUpn);
    return (await this.credentials.listByUser(user.id)).map(toFido2Method);
  }

  /** The signed-in user's own passkeys, with the hint that they should register a new one after a UPN change. */
  async listOwn(userId: string): Promise<{ reEnrolmentRequired: boolean; value: Fido2AuthenticationMethod[] }> {
    const value = await this.list(userId);
    return { reEnrolmentRequired: mustReEnrol(value), value };
  }

  async get(userIdOrUpn: string, methodId: string): Promise<Fido2AuthenticationMethod> {
    const { value: user } = await this.directory.getUser(userIdOrUpn);
    const found = await this.credentials.get(methodId);
    if (!found || found.value.userId !== user.id) throw methodMissing(methodId);
    return toFido2Method(found.value);
  }

  /**
   * A caller deletes a passkey. `on: 'user'` is an administrator acting on a user (users/{id}/...):
   * a user holding a privileged role needs a PAA or GA; `on: 'self'` (me/...) is the signed-in
   * user's own passkey.
   */
  async deleteForCaller(
    userIdOrUpn: string,
    methodId: string,
    principal: Principal,
    on: 'user' | 'self',
  ): Promise<void> {
    if (on === 'user') await this.directory.assertMayActOnUserNamed(principal, 'authenticationMethods', userIdOrUpn);
    await this.delete(userIdOrUpn, methodId, actorOf(principal));
  }

  /** Deletes a passkey: it can no longer sign in (system flows such as re-enrolment call this directly). */
  async delete(userIdOrUpn: string, methodId: string, actor: Actor): Promise<void> {
    const { value: user } = await this.directory.getUser(userIdOrUpn);
    const found = await this.credentials.get(methodId);
    if (!found || found.value.userId !== user.id) throw methodMissing(methodId);
    const deleted = await this.credentials.delete(
      user.id,
      methodId,
      auditRecord({
        id: randomUUID(),
        at: this.clock.now(),
        actor,
        category: 'UserManagement',
        activityDisplayName: passkeyActivityName('Delete', found.value.backupEligible),
        eventType: EventTypes.fido2MethodDeleted,
        operationType: 'Delete',
        target: { id: user.id, displayName: user.userPrincipalName, type: 'User' },
        before: toFido2Method(found.value),
        after: null,
      }),
    );
    if (!deleted) throw methodMissing(methodId);
  }
}
