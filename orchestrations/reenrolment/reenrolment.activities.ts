import { defineActivity } from '../activity';
import {
  DeletedOldPasskeysSchema,
  DeleteOldPasskeysInputSchema,
  MarkedPasskeysSchema,
  UpnReEnrolmentInputSchema,
} from './inputs';
import { ReEnrolmentActivities } from './names';

// The re-enrolment activities: each one call into the re-enrolment service (all I/O happens here).

/** Confirms the claimed change and marks the passkeys registered under the old name. */
export const markOldPasskeys = defineActivity(
  ReEnrolmentActivities.markOldPasskeys,
  { input: UpnReEnrolmentInputSchema, result: MarkedPasskeysSchema },
  (claim, app) => app.reEnrolment.markOldPasskeys(claim),
);

/** Confirms the change again and deletes the old passkeys. */
export const deleteOldPasskeys = defineActivity(
  ReEnrolmentActivities.deleteOldPasskeys,
  { input: DeleteOldPasskeysInputSchema, result: DeletedOldPasskeysSchema },
  (input, app) => app.reEnrolment.deleteOldPasskeys(input),
);

/** Every re-enrolment activity, for the registry. */
export const reEnrolmentActivities = [markOldPasskeys, deleteOldPasskeys];
