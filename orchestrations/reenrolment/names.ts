/** Names of the UPN-change re-enrolment flow: one constant each, never repeated strings (STYLE.md §5). */
export const ReEnrolmentOrchestrator = 'upnReEnrolment';

export const ReEnrolmentActivities = {
  markOldPasskeys: 'reEnrolmentMarkOldPasskeys',
  deleteOldPasskeys: 'reEnrolmentDeleteOldPasskeys',
} as const;

export const ReEnrolmentEvents = {
  /** The user registered a passkey during the flow: a NewPasskeyRegistered. */
  newPasskeyRegistered: 'newPasskeyRegistered',
} as const;

/** One flow per user, so a second UPN change finds (and replaces) the first. */
export const reEnrolmentInstanceId = (userId: string) => `reenrol-${userId}`;
