import { Actor } from '../../domain/auth/actor';
import { auditRecord } from '../../domain/auditRecords';
import { DomainError } from '../../domain/errors';
import { ErrorCodes } from '../../domain/errorCodes';
import { AuditRepository } from '../../ports/audit.port';
import { Clock } from '../../ports/clock.port';
import { CredentialRepository, StoredCredential } from '../../ports/credentials.port';
import { DomainEvent } from '../../domain/events/domainEvent';
import {
  DeletedOldPasskeys,
  DeleteOldPasskeysInput,
  isRunningFlow,
  MarkedPasskeys,
  ReEnrolmentInstance,
  ReEnrolmentOrchestrations,
  UpnReEnrolmentInput,
} from '../../ports/reEnrolmentOrchestrations.port';
import { DirectoryService } from '../directoryService';
import { retryOnConflict } from '../retryOnConflict';
import { MethodsService } from '../webauthn/methodsService';
import { findAuditRecord } from './auditLookup';
import { checkUpnChange, isNewPasskey, refusalMessage, showsStaleName, UpnChangeCheck } from './upnChangeCheck';
import { EventTypes } from '../../domain/events/eventTypes';

/** The flow's own changes (deletions, the deadline notice) are audited as made by this app. */
export const REENROLMENT_ACTOR: Actor = { user: null, app: { appId: 'upn-reenrolment' } };
export const DEADLINE_PASSED_MESSAGE = 'deadlinePassed — old passkeys deleted, user must register again';
const MAX_UPDATE_ATTEMPTS = 5;

export interface ReEnrolmentDeps {
  directory: DirectoryService;
  credentials: CredentialRepository;
  methods: MethodsService;
  audit: AuditRepository;
  clock: Clock;
  /** REENROLMENT_GRACE_HOURS: how long passkeys keep working after a UPN change without a new one. */
  graceHours: number;
}

/** A passkey's registration record is written right after it is created (the same operation). */
const REGISTRATION_WINDOW = { beforeMs: 1_000, afterMs: 5_000 };

const isNotFound = (e: unknown) => e instanceof DomainError && e.kind === 'notFound';

/**
 * A UPN change re-enrols the user's passkeys: the ones registered under the old name (whose
 * authenticators show the old name) are marked, kept working for a grace period, and deleted once a
 * new passkey is registered or the deadline passes. The durable flow orchestrates; this service
 * does the work of its activities and decides how the event consumers drive it.
 */
export class ReEnrolmentService {
  constructor(private readonly deps: ReEnrolmentDeps) {}

  /**
   * `user.upnChanged`: (re)starts the user's flow; a redelivered or outdated event changes nothing,
   * and neither does one the store does not bear out (no such recorded change, or the user's
   * name is still the old one): a forged or stale event starts nothing.
   */
  async onUpnChanged(
    event: DomainEvent<typeof EventTypes.userUpnChanged>,
    flows: ReEnrolmentOrchestrations,
  ): Promise<void> {
    const { userId, oldUserPrincipalName, newUserPrincipalName } = event.data;
    const claim: UpnReEnrolmentInput = {
      eventId: event.id,
      changedAt: event.time,
      userId,
      oldUserPrincipalName,
      newUserPrincipalName,
    };
    const existing = await flows.get(claim.userId);
    if (existing?.input) {
      if (existing.input.eventId === event.id) return;
      if (Date.parse(existing.input.changedAt) > Date.parse(event.time)) return; // a later change already restarted it
    }
    if (!(await this.confirmChange(claim)).confirmed) return;
    if (existing && isRunningFlow(existing.runtimeStatus)) {
      await flows.stop(
        claim.userId,
        `The userPrincipalName changed again (to ${claim.newUserPrincipalName}, event ${event.id}): re-enrolment restarts.`,
      );
    }
    await flows.start(claim);
  }

  /** `fido2Method.registered`: tells the user's running flow, unless the passkey is one of the old ones. */
  async onPasskeyRegistered(
    event: DomainEvent<typeof EventTypes.fido2MethodRegistered>,
    flows: ReEnrolmentOrchestrations,
  ): Promise<void> {
    const { userId, method } = event.data;
    const flow = await flows.get(userId);
    if (!flow?.input || !isRunningFlow(flow.runtimeStatus)) return;
    if (flow.customStatus?.oldMethodIds.includes(method.id)) return;
    // The store, not the event, says whether a new passkey exists (a forged event must not end the grace period).
    const passkey = await this.deps.credentials.get(method.id);
    if (!isNewPasskey(passkey?.value, userId, flow.input.changedAt)) return;
    await flows.notifyNewPasskey(userId, { methodId: method.id, eventId: event.id });
  }

  /**
   * Activity: confirms the claimed change against the store, then marks the passkeys that show a
   * name the user no longer has (registered under another UPN, before the change); returns them,
   * any created since, and the grace period from configuration (never from the flow's input).
   */
  async markOldPasskeys(claim: UpnReEnrolmentInput): Promise<MarkedPasskeys> {
    const graceHours = this.deps.graceHours;
    const check = await this.confirmChange(claim);
    if (!check.confirmed)
      return { oldMethodIds: [], newMethodIds: [], graceHours, notConfirmed: refusalMessage(check.reason) };
    const credentials = await this.deps.credentials.listByUser(claim.userId);
    const old: StoredCredential[] = [];
    for (const c of credentials)
      if (await this.showsStaleName(c, check.user.userPrincipalName, claim.changedAt)) old.push(c);
    for (const credential of old)
      if (!credential.reEnrolmentRequired) await this.setReEnrolmentRequired(credential.id, true);
    // A name changed back: passkeys that show the current name again no longer need replacing.
    for (const credential of credentials)
      if (credential.reEnrolmentRequired && !old.includes(credential))
        await this.setReEnrolmentRequired(credential.id, false);
    const changed = Date.parse(claim.changedAt);
    return {
      oldMethodIds: old.map((c) => c.id),
      newMethodIds: credentials.filter((c) => Date.parse(c.createdDateTime) > changed).map((c) => c.id),
      graceHours,
    };
  }

  /**
   * Activity: deletes the old passkeys through the methods service (each deletion audited) — after
   * reading the user, the change and each passkey again: nothing is deleted unless the store still
   * shows the change and the passkey still shows a name the user no longer has (a forged input, or
   * a name changed back during the grace period, deletes nothing). Safe to run again: passkeys
   * already gone are skipped, the deadline notice has a fixed id and time.
   */
  async deleteOldPasskeys(input: DeleteOldPasskeysInput): Promise<DeletedOldPasskeys> {
    const check = await this.confirmChange(input);
    if (!check.confirmed) return { deletedMethodIds: [], notConfirmed: refusalMessage(check.reason) };
    if (input.reason === 'newPasskeyRegistered') {
      const fresh = input.newMethodId ? await this.deps.credentials.get(input.newMethodId) : null;
      if (!isNewPasskey(fresh?.value, input.userId, input.changedAt))
        return { deletedMethodIds: [], notConfirmed: refusalMessage('newPasskeyNotFound') };
    }
    const deleted: string[] = [];
    for (const methodId of input.methodIds) {
      const current = await this.deps.credentials.get(methodId);
      if (!current || current.value.userId !== input.userId || !current.value.reEnrolmentRequired) continue;
      if (!(await this.showsStaleName(current.value, check.user.userPrincipalName, input.changedAt))) continue;
      try {
        await this.deps.methods.delete(input.userId, methodId, REENROLMENT_ACTOR);
        deleted.push(methodId);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    if (input.notice) await this.recordDeadlinePassed(input, input.notice);
    return { deletedMethodIds: deleted };
  }

  /** The user's flow for administrators: 404 when the user had no flow yet. */
  async status(
    userIdOrUpn: string,
    flows: ReEnrolmentOrchestrations,
  ): Promise<ReEnrolmentInstance & { userId: string }> {
    const { value: user } = await this.deps.directory.getUser(userIdOrUpn);
    const flow = await flows.get(user.id);
    if (!flow)
      throw new DomainError(
        ErrorCodes.reEnrolmentNotFound,
        `No passkey re-enrolment exists for user '${userIdOrUpn}': one starts when the user's userPrincipalName changes.`,
      );
    return { ...flow, userId: user.id };
  }

  /** Re-reads the user and the recorded change: the store, not the event, decides. */
  private async confirmChange(claim: UpnReEnrolmentInput): Promise<UpnChangeCheck> {
    const user = await this.deps.directory.findUser(claim.userId);
    const record = await findAuditRecord(this.deps.audit, claim.changedAt, (r) => r.id === claim.eventId, {
      beforeMs: 0,
      afterMs: 1,
    });
    return checkUpnChange(claim, user?.value ?? null, record);
  }

  /** Whether the passkey shows a stale name, by the UPN its registration record names. */
  private async showsStaleName(credential: StoredCredential, currentUpn: string, changedAt: string): Promise<boolean> {
    if (Date.parse(credential.createdDateTime) > Date.parse(changedAt)) return false;
    const registration = await findAuditRecord(
      this.deps.audit,
      credential.createdDateTime,
      (r) =>
        r.operationType === 'Add' &&
        r.targetResources[0]?.id === credential.userId &&
        (r.after as { id?: unknown } | null)?.id === credential.id,
      REGISTRATION_WINDOW,
    );
    return showsStaleName(
      {
        createdDateTime: credential.createdDateTime,
        registeredUserPrincipalName: registration?.targetResources[0]?.displayName ?? undefined,
      },
      currentUpn,
      changedAt,
    );
  }

  private async setReEnrolmentRequired(methodId: string, required: boolean): Promise<void> {
    // A sign-in may update the passkey meanwhile: read it again and retry, a bounded number of times.
    await retryOnConflict(async () => {
      const current = await this.deps.credentials.get(methodId);
      if (!current || current.value.reEnrolmentRequired === required) return;
      const next: StoredCredential = { ...current.value, reEnrolmentRequired: required };
      await this.deps.credentials.update(next, current.etag);
    }, MAX_UPDATE_ATTEMPTS);
  }

  private async recordDeadlinePassed(
    input: DeleteOldPasskeysInput,
    notice: NonNullable<DeleteOldPasskeysInput['notice']>,
  ): Promise<void> {
    const at = new Date(notice.at);
    const existing = await this.deps.audit.list({
      from: notice.at,
      to: new Date(at.getTime() + 1).toISOString(),
      top: 100,
    });
    if (existing.items.some((r) => r.id === notice.id)) return; // recorded by an earlier run of this activity
    const user = await this.deps.directory.findUser(input.userId);
    await this.deps.audit.append({
      ...auditRecord({
        id: notice.id,
        at,
        actor: REENROLMENT_ACTOR,
        category: 'UserManagement',
        activityDisplayName: 'Passkey re-enrolment deadline passed',
        eventType: EventTypes.userReEnrolmentDeadlinePassed,
        operationType: 'Other',
        target: {
          id: input.userId,
          displayName: user?.value.userPrincipalName ?? notice.newUserPrincipalName,
          type: 'User',
        },
        before: { oldMethodIds: input.methodIds },
        after: { oldMethodIds: [], message: DEADLINE_PASSED_MESSAGE },
      }),
      resultReason: DEADLINE_PASSED_MESSAGE,
    });
  }
}
