import type { AuditRecord } from '../../domain/audit';
import type { User } from '../../domain/directory/directory';
import type { UpnReEnrolmentInput } from '../../ports/reEnrolmentOrchestrations.port';

/** Why a claimed UPN change is not acted on. */
export type UpnChangeRefusal =
  'userNotFound' | 'changeNotRecorded' | 'changeDiffers' | 'upnNotChanged' | 'newPasskeyNotFound';

export type UpnChangeCheck = { confirmed: true; user: User } | { confirmed: false; reason: UpnChangeRefusal };

const sameUpn = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
const upnOf = (doc: unknown): string | undefined => {
  const value = (doc as { userPrincipalName?: unknown } | null)?.userPrincipalName;
  return typeof value === 'string' ? value : undefined;
};

/**
 * Whether a claimed UPN change (a `user.upnChanged` event, or the input of the flow it started)
 * really happened and still stands, judged only by the store: the user exists, the audit log holds
 * the change under the event's id (same user, same old and new names, same time), and the user's
 * current name is not the old one (a forged event, or a change undone since, deletes nothing).
 */
export function checkUpnChange(
  claim: UpnReEnrolmentInput,
  user: User | null,
  record: AuditRecord | undefined,
): UpnChangeCheck {
  if (!user || user.id !== claim.userId) return { confirmed: false, reason: 'userNotFound' };
  const target = record?.targetResources[0];
  if (
    !record ||
    record.id !== claim.eventId ||
    record.result !== 'success' ||
    target?.type !== 'User' ||
    target.id !== claim.userId
  ) {
    return { confirmed: false, reason: 'changeNotRecorded' };
  }
  const recordedOld = upnOf(record.before);
  const recordedNew = upnOf(record.after);
  if (
    recordedOld !== claim.oldUserPrincipalName ||
    recordedNew !== claim.newUserPrincipalName ||
    sameUpn(recordedOld, recordedNew) ||
    record.activityDateTime !== claim.changedAt
  ) {
    return { confirmed: false, reason: 'changeDiffers' };
  }
  if (sameUpn(user.userPrincipalName, claim.oldUserPrincipalName)) return { confirmed: false, reason: 'upnNotChanged' };
  return { confirmed: true, user };
}

/**
 * Whether a passkey shows a name the user no longer has: it was registered (by its registration
 * audit record) under a UPN other than the current one, before the change. A passkey whose
 * registration name is unknown is kept: nothing is deleted without proof.
 */
export function showsStaleName(
  passkey: { createdDateTime: string; registeredUserPrincipalName: string | undefined },
  currentUpn: string,
  changedAt: string,
): boolean {
  if (Date.parse(passkey.createdDateTime) > Date.parse(changedAt)) return false;
  return passkey.registeredUserPrincipalName !== undefined && !sameUpn(passkey.registeredUserPrincipalName, currentUpn);
}

/**
 * Whether a passkey can end the wait: it is in the store, belongs to the user and was registered
 * after the change (a forged `fido2Method.registered` event must not cut the grace period short).
 */
export function isNewPasskey(
  passkey: { userId: string; createdDateTime: string } | null | undefined,
  userId: string,
  changedAt: string,
): boolean {
  return !!passkey && passkey.userId === userId && Date.parse(passkey.createdDateTime) > Date.parse(changedAt);
}

/** A short sentence for the flow's status: why nothing was marked or deleted. */
export const refusalMessage = (reason: UpnChangeRefusal): string =>
  ({
    userNotFound: 'changeNotConfirmed — the user no longer exists; nothing deleted',
    changeNotRecorded: 'changeNotConfirmed — the audit log holds no such UPN change; nothing deleted',
    changeDiffers: 'changeNotConfirmed — the recorded UPN change differs from the claimed one; nothing deleted',
    upnNotChanged: "changeNotConfirmed — the user's current UPN is the old one; nothing deleted",
    newPasskeyNotFound: 'changeNotConfirmed — the new passkey that ended the wait is not in the store; nothing deleted',
  })[reason];
