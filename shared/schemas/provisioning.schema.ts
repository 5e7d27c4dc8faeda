import { guid } from './common.schema';
import { IDEMPOTENCY_KEY_PATTERN } from '../domain/provisioning/idempotencyKey';
import { CHALLENGE_TIMEOUT_MINUTES } from '../domain/webauthn/challengeTimeout';
import { z } from './zod';

const upn = z.string().trim().min(3).max(113);

/** 1..128 of `[A-Za-z0-9._:-]`: the same key starts one job however often it is sent. */
export const IdempotencyKey = z
  .string()
  .regex(IDEMPOTENCY_KEY_PATTERN, 'expected 1 to 128 characters of A-Z a-z 0-9 . _ : -');

const JOB_FIELDS = {
  users: z.array(upn).min(1).max(100_000).optional(),
  groupId: guid.optional(),
  challengeTimeoutInMinutes: z
    .number()
    .int()
    .min(CHALLENGE_TIMEOUT_MINUTES.min)
    .max(CHALLENGE_TIMEOUT_MINUTES.max)
    .default(60),
  displayName: z.string().trim().min(1).max(256).default('{displayName} security key'),
  idempotencyKey: IdempotencyKey.optional(),
};

const oneSource = (b: { users?: unknown; groupId?: unknown }) => (b.users === undefined) !== (b.groupId === undefined);
const ONE_SOURCE = { message: 'expected exactly one of users (a list of userPrincipalNames) or groupId' };

export const CreateJobBody = z
  .object(JOB_FIELDS)
  .strict()
  .refine(oneSource, ONE_SOURCE)
  .openapi('createProvisioningJob');

/**
 * A `provisioning-requests` queue message: the `POST /provisioning/jobs` body plus who asked (free
 * text, e.g. a UPN; recorded on the job, it grants nothing).
 */
export const QueuedJobRequest = z
  .object({ ...JOB_FIELDS, requestedBy: z.string().trim().min(1).max(256).optional() })
  .strict()
  .refine(oneSource, ONE_SOURCE);

export const JobIdParams = z.object({ jobId: guid });
export const JobUserParams = JobIdParams.extend({ userId: guid });

/** `GET /provisioning/jobs`: a page size and the opaque cursor of the page (from `@odata.nextLink`). */
export const JobListQuery = z.object({
  $top: z.coerce.number().int().min(1).max(1000).default(100),
  $skiptoken: z.string().min(1).max(512).optional(),
});

export const JobQuery = z.object({
  $top: z.coerce.number().int().min(1).max(1000).default(100),
  $skiptoken: z.coerce.number().int().min(0).optional(),
});

export const ClaimBody = z.object({ stationId: z.string().trim().min(1).max(128).optional() }).strict();
