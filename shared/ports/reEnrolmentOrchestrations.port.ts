/**
 * The UPN-change re-enrolment flow as the service sees it: one durable orchestration per user
 * (instance id `reenrol-{userId}`), started by `user.upnChanged`, told of new passkeys by
 * `fido2Method.registered`. Adapter: functions/durable/durableReEnrolmentOrchestrations.ts.
 */

/**
 * Input of the `upnReEnrolment` orchestration: the change it claims happened. It is a claim, not
 * a fact: the activities confirm it against the store before marking or deleting anything. It
 * carries no policy value (the grace period comes from configuration).
 */
export interface UpnReEnrolmentInput {
  /** Id of the `user.upnChanged` event that started this run: redeliveries of it are skipped. */
  eventId: string;
  userId: string;
  /** When the UPN changed (ISO): passkeys created up to then carry the old name. */
  changedAt: string;
  oldUserPrincipalName: string;
  newUserPrincipalName: string;
}

/**
 * What the mark activity found: passkeys registered under a name the user no longer has, from
 * before the change (now marked), and any made since; `notConfirmed` when the store does not show
 * the claimed change (nothing marked then).
 */
export interface MarkedPasskeys {
  oldMethodIds: string[];
  newMethodIds: string[];
  /** REENROLMENT_GRACE_HOURS, read from configuration when the flow starts. */
  graceHours: number;
  notConfirmed?: string;
}

/** Input of the delete activity: the claimed change (confirmed again before deleting) and what to delete. */
export interface DeleteOldPasskeysInput extends UpnReEnrolmentInput {
  methodIds: string[];
  reason: 'newPasskeyRegistered' | 'deadlinePassed';
  /** The passkey whose registration ended the wait: it must be in the store before anything is deleted. */
  newMethodId?: string;
  /** Deadline passed: the notice to the user is recorded with this id and time (the same on a rerun). */
  notice?: { id: string; at: string; newUserPrincipalName: string };
}

/** What the delete activity did: the passkeys deleted, or why nothing was (`notConfirmed`). */
export interface DeletedOldPasskeys {
  deletedMethodIds: string[];
  notConfirmed?: string;
}

/** Data of the `newPasskeyRegistered` external event. */
export interface NewPasskeyRegistered {
  methodId: string;
  /** Id of the `fido2Method.registered` event. */
  eventId: string;
}

export type ReEnrolmentState =
  | 'markingOldPasskeys'
  | 'nothingToReEnrol'
  | 'waitingForNewPasskey'
  | 'deletingOldPasskeys'
  | 'completed'
  | 'deadlinePassed'
  /** The store does not show the claimed UPN change (forged, stale, or changed back): nothing deleted. */
  | 'changeNotConfirmed';

/** The orchestration's custom status: what admins see on GET users/{id}/authentication/reEnrolment. */
export interface ReEnrolmentStatus {
  state: ReEnrolmentState;
  eventId: string;
  oldUserPrincipalName: string;
  newUserPrincipalName: string;
  /** Passkeys registered before the change (marked `reEnrolmentRequired`, deleted at the end). */
  oldMethodIds: string[];
  /** When the old passkeys are deleted even without a new one (ISO), once known. */
  deadline: string | null;
  /** The passkey whose registration ended the wait. */
  newMethodId?: string;
  message?: string;
}

/** A user's re-enrolment orchestration, as the durable client reports it. */
export interface ReEnrolmentInstance {
  instanceId: string;
  runtimeStatus: string;
  input: UpnReEnrolmentInput | null;
  customStatus: ReEnrolmentStatus | null;
  createdTime: string;
  lastUpdatedTime: string;
}

/** What the re-enrolment service asks of the durable runtime. */
export interface ReEnrolmentOrchestrations {
  /** The user's flow (running or finished), or null when none was ever started (or it was purged). */
  get(userId: string): Promise<ReEnrolmentInstance | null>;
  /** Starts the flow; replaces a finished one. Fails when one is still running. */
  start(input: UpnReEnrolmentInput): Promise<void>;
  /** Terminates the user's running flow and resolves once it has stopped. */
  stop(userId: string, reason: string): Promise<void>;
  /** Raises `newPasskeyRegistered` to the user's flow (a finished flow ignores it). */
  notifyNewPasskey(userId: string, event: NewPasskeyRegistered): Promise<void>;
}

/** Runtime statuses in which a flow may still change. */
export const isRunningFlow = (runtimeStatus: string): boolean =>
  ['Pending', 'Running', 'ContinuedAsNew'].includes(runtimeStatus);
