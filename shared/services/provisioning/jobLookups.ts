import { DomainError } from '../../domain/errors';
import { ErrorCodes } from '../../domain/errorCodes';
import type { ProvisioningJob } from '../../ports/provisioningJobs.port';
import type { ProvisioningDeps } from './provisioningDeps';

/** The 404 for a job id that names no job. */
export const jobMissing = (jobId: string): DomainError =>
  new DomainError(ErrorCodes.jobNotFound, `No provisioning job with id '${jobId}'.`);

/** The job, which must exist (404) and still be running (409: a finished job takes no more work). */
export async function runningJob(deps: Pick<ProvisioningDeps, 'jobs'>, jobId: string): Promise<ProvisioningJob> {
  const job = await deps.jobs.get(jobId);
  if (!job) throw jobMissing(jobId);
  if (job.status !== 'running')
    throw new DomainError(
      ErrorCodes.jobNotRunning,
      `Provisioning job '${jobId}' is ${job.status}; it takes no more work.`,
    );
  return job;
}
