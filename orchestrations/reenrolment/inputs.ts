import { z } from 'zod';
import type {
  DeletedOldPasskeys,
  DeleteOldPasskeysInput,
  MarkedPasskeys,
  NewPasskeyRegistered,
  ReEnrolmentState,
  ReEnrolmentStatus,
  UpnReEnrolmentInput,
} from '../../shared/ports/reEnrolmentOrchestrations.port';

const id = z.string().min(1).max(256);
const upn = z.string().min(1).max(256);

/**
 * Input of `upnReEnrolment`: the claimed change only. Unknown properties are dropped, so a
 * `graceHours` smuggled into the input has no effect: the grace period comes from configuration.
 */
export const UpnReEnrolmentInputSchema = z.object({
  eventId: id,
  userId: id,
  changedAt: z.iso.datetime(),
  oldUserPrincipalName: upn,
  newUserPrincipalName: upn,
}) satisfies z.ZodType<UpnReEnrolmentInput>;

/** Result of the mark activity. */
export const MarkedPasskeysSchema = z.object({
  oldMethodIds: z.array(z.string()),
  newMethodIds: z.array(z.string()),
  graceHours: z.number().positive().finite(),
  notConfirmed: z.string().optional(),
}) satisfies z.ZodType<MarkedPasskeys>;

/** Result of the delete activity. */
export const DeletedOldPasskeysSchema = z.object({
  deletedMethodIds: z.array(z.string()),
  notConfirmed: z.string().optional(),
}) satisfies z.ZodType<DeletedOldPasskeys>;

/** Data of the `newPasskeyRegistered` event; a malformed one is ignored. */
export const NewPasskeyRegisteredSchema = z.object({
  methodId: z.string().min(1),
  eventId: z.string(),
}) satisfies z.ZodType<NewPasskeyRegistered>;

/** Input of the delete activity: the claimed change again (re-confirmed there) and what to delete. */
export const DeleteOldPasskeysInputSchema = UpnReEnrolmentInputSchema.extend({
  methodIds: z.array(z.string().min(1)).max(1000),
  reason: z.enum(['newPasskeyRegistered', 'deadlinePassed']),
  newMethodId: z.string().min(1).optional(),
  notice: z.object({ id: z.string().min(1), at: z.iso.datetime(), newUserPrincipalName: upn }).optional(),
}) satisfies z.ZodType<DeleteOldPasskeysInput>;

// Every state, each once: a state added to ReEnrolmentState and not here fails to compile.
const reEnrolmentStates: { [S in ReEnrolmentState]: S } = {
  markingOldPasskeys: 'markingOldPasskeys',
  nothingToReEnrol: 'nothingToReEnrol',
  waitingForNewPasskey: 'waitingForNewPasskey',
  deletingOldPasskeys: 'deletingOldPasskeys',
  completed: 'completed',
  deadlinePassed: 'deadlinePassed',
  changeNotConfirmed: 'changeNotConfirmed',
};

/** The flow's custom status, as the durable client reads it back (parsed, not cast). */
export const ReEnrolmentStatusSchema = z.object({
  state: z.enum(reEnrolmentStates),
  eventId: z.string(),
  oldUserPrincipalName: z.string(),
  newUserPrincipalName: z.string(),
  oldMethodIds: z.array(z.string()),
  deadline: z.string().nullable(),
  newMethodId: z.string().optional(),
  message: z.string().optional(),
}) satisfies z.ZodType<ReEnrolmentStatus>;
