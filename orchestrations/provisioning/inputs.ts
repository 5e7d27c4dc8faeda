import { z } from 'zod';
import type { Actor } from '../../shared/domain/auth/actor';
import type { JobUserState } from '../../shared/ports/provisioningJobs.port';
import type { CredentialDelivery } from '../../shared/ports/provisioningOrchestrations.port';
import { RegistrationResponseJson } from '../../shared/schemas/webauthn.schema';
import { BATCH_SIZE } from './names';

/** Most users one job may hold: the job request's own limit, so a forged input cannot fan out further. */
export const MAX_JOB_USERS = 100_000;

const id = z.string().min(1).max(256);

/** Input of `provisioningJob`. */
export const ProvisioningJobInputSchema = z.object({
  jobId: id,
  totalUsers: z.number().int().min(1).max(MAX_JOB_USERS),
});

/** Input of `provisioningBatch`: at most one batch of sequences. */
export const ProvisioningBatchInputSchema = z
  .object({ jobId: id, fromSequence: z.number().int().min(0), toSequence: z.number().int().min(1) })
  .refine((b) => b.toSequence > b.fromSequence && b.toSequence - b.fromSequence <= BATCH_SIZE, {
    message: `toSequence must exceed fromSequence by 1..${BATCH_SIZE}`,
  });

/** What the user sub-orchestrations of one batch answer: one outcome (a job user state) each. */
export const BatchOutcomesSchema = z.array(z.string());

/** Input of `provisionUser`. */
export const ProvisionUserInputSchema = z.object({ jobId: id, userId: id });

/** The `claimed` event a station's claim raises. */
export const ClaimedEventSchema = z.union([
  z.object({ expiresAt: z.iso.datetime() }),
  z.object({ refused: z.string() }),
]);

/** Who delivered a credential (the audit record's actor), as the credential event carries it. */
const ActorSchema = z.object({
  user: z.object({ id: z.string(), userPrincipalName: z.string().nullable() }).nullable(),
  app: z.object({ appId: z.string() }).nullable(),
  provisioningJob: z
    .object({
      id: z.string(),
      createdBy: z.object({
        id: z.string().nullable(),
        userPrincipalName: z.string().nullable(),
        appId: z.string().nullable(),
      }),
    })
    .optional(),
}) satisfies z.ZodType<Actor>;

/** The `credential` event's payload: the credential and its deliverer (a bare credential in histories from before deliverers were recorded). */
export const CredentialDeliverySchema = z.union([
  z.object({ credential: RegistrationResponseJson, deliveredBy: ActorSchema }) satisfies z.ZodType<CredentialDelivery>,
  RegistrationResponseJson,
]);

/**
 * Input of the register activity: the user and the credential event's payload. The orchestrator hands the
 * payload on as it came (any JSON: the input side is `unknown`); the activity parses it before registering.
 */
export const RegisterCredentialInputSchema = ProvisionUserInputSchema.extend({
  credential: z.unknown().pipe(CredentialDeliverySchema),
});

/** Input of the complete activity: the job id. */
export const CompleteJobInputSchema = id;

// Every state, each once: a state added to JobUserState and not here fails to compile.
const jobUserStates: { [S in JobUserState]: S } = {
  pending: 'pending',
  ready: 'ready',
  claimed: 'claimed',
  provisioned: 'provisioned',
  skippedGuest: 'skippedGuest',
  refusedByPolicy: 'refusedByPolicy',
  timedOut: 'timedOut',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** A job user's state, as the activities answer it. */
export const JobUserStateSchema = z.enum(jobUserStates);

/** Counts per state, as the complete activity answers them. */
export const JobUserCountsSchema = z.record(z.string(), z.number());
