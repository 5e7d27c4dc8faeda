import { decodeJobCursor, encodeJobCursor } from '../../domain/provisioning/jobCursor';
import type { ProvisioningJob } from '../../ports/provisioningJobs.port';
import type { ProvisioningContext } from './provisioningDeps';

/** One page of jobs, newest first, and the `$skiptoken` of the next page (absent on the last page). */
export interface JobList {
  jobs: ProvisioningJob[];
  next?: string;
}

/** Reads one more than a page to know whether another page follows. Throws 400 for a token not handed out here. */
export async function listJobs(
  deps: Pick<ProvisioningContext, 'jobs'>,
  page: { top: number; skipToken?: string },
): Promise<JobList> {
  const after = page.skipToken !== undefined ? decodeJobCursor(page.skipToken) : undefined;
  const found = await deps.jobs.list({ top: page.top + 1, after });
  const jobs = found.slice(0, page.top);
  const last = jobs[jobs.length - 1];
  return found.length > page.top && last ? { jobs, next: encodeJobCursor(last) } : { jobs };
}
