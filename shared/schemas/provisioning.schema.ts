import { guid } from './common.schema';
import { CHALLENGE_TIMEOUT_MINUTES } from '../domain/webauthn/challengeTimeout';
import { z } from './zod';

const upn = z.string().trim().min(3).max(113);

export const CreateJobBody = z
  .object({
    users: z.array(upn).min(1).max(100_000).optional(),
    groupId: guid.optional(),
    challengeTimeoutInMinutes: z
      .number()
      .int()
      .min(CHALLENGE_TIMEOUT_MINUTES.min)
      .max(CHALLENGE_TIMEOUT_MINUTES.max)
      .default(60),
    displayName: z.string().trim().min(1).max(256).default('{displayName} security key'),
  })
  .strict()
  .refine((b) => (b.users === undefined) !== (b.groupId === undefined), {
    message: 'expected exactly one of users (a list of userPrincipalNames) or groupId',
  })
  .openapi('createProvisioningJob');

export const JobIdParams = z.object({ jobId: guid });
export const JobUserParams = JobIdParams.extend({ userId: guid });

export const JobQuery = z.object({
  $top: z.coerce.number().int().min(1).max(1000).default(100),
  $skiptoken: z.coerce.number().int().min(0).optional(),
});

export const ClaimBody = z.object({ stationId: z.string().trim().min(1).max(128).optional() }).strict();
