import type { JobUserCounts, ProvisioningJob, ProvisioningJobUser } from '../../ports/provisioningJobs.port';
import { jobMissing } from './jobLookups';
import type { ProvisioningDeps } from './provisioningDeps';

/** A job with its counts and one page of its users (`nextSequence` set when more follow). */
export interface JobView {
  job: ProvisioningJob;
  counts: JobUserCounts;
  users: ProvisioningJobUser[];
  nextSequence?: number;
}

/** Reads a job and one keyset page of its users, in sequence order (404 `jobNotFound`). */
export async function getJob(
  deps: Pick<ProvisioningDeps, 'jobs'>,
  jobId: string,
  page: { top: number; afterSequence?: number },
): Promise<JobView> {
  const job = await deps.jobs.get(jobId);
  if (!job) throw jobMissing(jobId);
  // One row more than the page tells whether another page follows.
  const [counts, users] = await Promise.all([
    deps.jobs.counts(jobId),
    deps.jobs.listUsers(jobId, { top: page.top + 1, afterSequence: page.afterSequence }),
  ]);
  const more = users.length > page.top;
  const shown = users.slice(0, page.top);
  return { job, counts, users: shown, nextSequence: more ? shown[shown.length - 1].sequence : undefined };
}
