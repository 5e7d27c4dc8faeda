import { Actor } from '../../domain/auth/actor';
import { auditRecord } from '../../domain/auditRecords';
import { ConcurrencyConflictError, DomainError, notFound } from '../../domain/errors';
import { AuditRepository } from '../../ports/audit.port';
import { Clock } from '../../ports/clock.port';
import { CredentialRepository, StoredCredential } from '../../ports/credentials.port';
import { DomainEvent } from '../../ports/eventBus.port';
import {
  DeleteOldPasskeysInput,
  isRunningFlow,
  MarkedPasskeys,
  ReEnrolmentInstance,
  ReEnrolmentOrchestrations,
} from '../../ports/reEnrolmentOrchestrations.port';
import { DirectoryService } from '../directoryService';
import { MethodsService } from '../webauthn/methodsService';

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

interface UpnChangedData {
  userId?: string;
  oldUserPrincipalName?: string;
  newUserPrincipalName?: string;
}

interface MethodRegisteredData {
  userId?: string;
  method?: { id?: string };
}

const isNotFound = (e: unknown) => e instanceof DomainError && e.kind === 'notFound';

/**
 * A UPN change re-enrols the user's passkeys: the ones registered under the old name (whose
 * authenticators show the old name) are marked, kept working for a grace period, and deleted once a
 * new passkey is registered or the deadline passes. The durable flow orchestrates; this service
 * does the work of its activities and decides how the event consumers drive it.
 */
export class ReEnrolmentService {
  constructor(private readonly deps: ReEnrolmentDeps) {}

  /** `user.upnChanged`: (re)starts the user's flow; a redelivered or outdated event changes nothing. */
  async onUpnChanged(event: DomainEvent, flows: ReEnrolmentOrchestrations): Promise<void> {
    const data = event.data as UpnChangedData;
    if (!data.userId || !data.newUserPrincipalName) return;
    const existing = await flows.get(data.userId);
    if (existing?.input) {
      if (existing.input.eventId === event.id) return;
      if (Date.parse(existing.input.changedAt) > Date.parse(event.time)) return; // a later change already restarted it
    }
    if (existing && isRunningFlow(existing.runtimeStatus)) {
      await flows.stop(data.userId, `The userPrincipalName changed again (to ${data.newUserPrincipalName}, event ${event.id}): re-enrolment restarts.`);
    }
    await flows.start({
      eventId: event.id,
      userId: data.userId,
      changedAt: event.time,
      oldUserPrincipalName: data.oldUserPrincipalName ?? '',
      newUserPrincipalName: data.newUserPrincipalName,
      graceHours: this.deps.graceHours,
    });
  }

  /** `fido2Method.registered`: tells the user's running flow, unless the passkey is one of the old ones. */
  async onPasskeyRegistered(event: DomainEvent, flows: ReEnrolmentOrchestrations): Promise<void> {
    const data = event.data as MethodRegisteredData;
    const methodId = data.method?.id;
    if (!data.userId || !methodId) return;
    const flow = await flows.get(data.userId);
    if (!flow || !isRunningFlow(flow.runtimeStatus)) return;
    if (flow.customStatus?.oldMethodIds.includes(methodId)) return;
    await flows.notifyNewPasskey(data.userId, { methodId, eventId: event.id });
  }

  /** Activity: marks the passkeys created up to the change; returns them and any created since. */
  async markOldPasskeys(userId: string, changedAt: string): Promise<MarkedPasskeys> {
    const changed = Date.parse(changedAt);
    const credentials = await this.deps.credentials.listByUser(userId);
    const old = credentials.filter((c) => Date.parse(c.createdDateTime) <= changed);
    for (const credential of old) if (!credential.reEnrolmentRequired) await this.markForReEnrolment(credential.id);
    return { oldMethodIds: old.map((c) => c.id), newMethodIds: credentials.filter((c) => !old.includes(c)).map((c) => c.id) };
  }

  /**
   * Activity: deletes the old passkeys through the methods service (each deletion audited). Safe to
   * run again: passkeys already gone are skipped, the deadline notice has a fixed id and time.
   */
  async deleteOldPasskeys(input: DeleteOldPasskeysInput): Promise<string[]> {
    const deleted: string[] = [];
    for (const methodId of input.methodIds) {
      try {
        await this.deps.methods.delete(input.userId, methodId, REENROLMENT_ACTOR);
        deleted.push(methodId);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    if (input.notice) await this.recordDeadlinePassed(input, input.notice);
    return deleted;
  }

  /** The user's flow for administrators: 404 when the user has never had one. */
  async status(userIdOrUpn: string, flows: ReEnrolmentOrchestrations): Promise<ReEnrolmentInstance & { userId: string }> {
    const { value: user } = await this.deps.directory.getUser(userIdOrUpn);
    const flow = await flows.get(user.id);
    if (!flow) throw notFound('reEnrolmentNotFound', `No passkey re-enrolment exists for user '${userIdOrUpn}': one starts when the user's userPrincipalName changes.`);
    return { ...flow, userId: user.id };
  }

  private async markForReEnrolment(methodId: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.deps.credentials.get(methodId);
      if (!current || current.value.reEnrolmentRequired) return;
      const marked: StoredCredential = { ...current.value, reEnrolmentRequired: true };
      try {
        await this.deps.credentials.update(marked, current.etag);
        return;
      } catch (e) {
        if (!(e instanceof ConcurrencyConflictError) || attempt >= MAX_UPDATE_ATTEMPTS) throw e; // a sign-in updated it meanwhile
      }
    }
  }

  private async recordDeadlinePassed(input: DeleteOldPasskeysInput, notice: NonNullable<DeleteOldPasskeysInput['notice']>): Promise<void> {
    const at = new Date(notice.at);
    const existing = await this.deps.audit.list({ from: notice.at, to: new Date(at.getTime() + 1).toISOString(), top: 100 });
    if (existing.items.some((r) => r.id === notice.id)) return; // recorded by an earlier run of this activity
    const user = await this.deps.directory.findUser(input.userId);
    await this.deps.audit.append({
      ...auditRecord({
        id: notice.id,
        at,
        actor: REENROLMENT_ACTOR,
        category: 'UserManagement',
        activityDisplayName: 'Passkey re-enrolment deadline passed',
        operationType: 'Other',
        target: { id: input.userId, displayName: user?.value.userPrincipalName ?? notice.newUserPrincipalName, type: 'User' },
        before: { oldMethodIds: input.methodIds },
        after: { oldMethodIds: [], message: DEADLINE_PASSED_MESSAGE },
      }),
      resultReason: DEADLINE_PASSED_MESSAGE,
    });
  }
}
