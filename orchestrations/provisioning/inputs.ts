import { z } from 'zod';
import { BATCH_SIZE } from './names';

/** Most users one job may hold: the job request's own limit, so a forged input cannot fan out further. */
export const MAX_JOB_USERS = 100_000;

const id = z.string().min(1).max(256);

/** Input of `provisioningJob`. */
export const ProvisioningJobInputSchema = z.object({ jobId: id, totalUsers: z.number().int().min(1).max(MAX_JOB_USERS) });

/** Input of `provisioningBatch`: at most one batch of sequences. */
export const ProvisioningBatchInputSchema = z
  .object({ jobId: id, fromSequence: z.number().int().min(0), toSequence: z.number().int().min(1) })
  .refine((b) => b.toSequence > b.fromSequence && b.toSequence - b.fromSequence <= BATCH_SIZE, {
    message: `toSequence must exceed fromSequence by 1..${BATCH_SIZE}`,
  });

/** Input of `provisionUser`. */
export const ProvisionUserInputSchema = z.object({ jobId: id, userId: id });

/** The `claimed` event a station's claim raises. */
export const ClaimedEventSchema = z.union([z.object({ expiresAt: z.iso.datetime() }), z.object({ refused: z.string() })]);
