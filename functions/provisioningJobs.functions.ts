import { InvocationContext } from '@azure/functions';
import { AccessRules } from '../shared/domain/auth/accessRules';
import { actorOf } from '../shared/domain/auth/actor';
import { ProvisioningJob, ProvisioningJobUser } from '../shared/ports/provisioningJobs.port';
import {
  ClaimBody,
  CreateJobBody,
  JobIdParams,
  JobListQuery,
  JobQuery,
  JobUserParams,
} from '../shared/schemas/provisioning.schema';
import { CreateFido2MethodBody } from '../shared/schemas/webauthn.schema';
import { durableClientOf } from './durable/durableClientOf';
import { DurableProvisioningOrchestrations } from './durable/durableProvisioningOrchestrations';
import { graphRoute } from './http/graphRoute';
import { HttpFunction } from './http/httpFunction';
import { serviceLink } from './http/links';
import { json, noContent } from './http/responses';

const errors = { 404: 'No such job' };
const orchestrations = (context: InvocationContext) => new DurableProvisioningOrchestrations(durableClientOf(context));
const jobPath = (id: string) => `provisioning/jobs/${id}`;
/** Where a job's client polls, claims and cancels (the durable-functions status-URL convention). */
const jobLinks = (baseUrl: string, id: string) => ({
  statusQueryGetUri: serviceLink(baseUrl, jobPath(id)),
  nextPostUri: serviceLink(baseUrl, `${jobPath(id)}/next`),
  cancelPostUri: serviceLink(baseUrl, `${jobPath(id)}/cancel`),
});

const userRow = (u: ProvisioningJobUser) => ({
  userId: u.userId,
  userPrincipalName: u.userPrincipalName,
  sequence: u.sequence,
  state: u.state,
  reason: u.reason,
  methodId: u.methodId,
  challengeTimeoutDateTime: u.challengeExpiresDateTime,
  updatedDateTime: u.updatedDateTime,
});

const jobSummary = (job: ProvisioningJob) => ({
  id: job.id,
  status: job.status,
  createdDateTime: job.createdDateTime,
  lastUpdatedDateTime: job.lastUpdatedDateTime,
  createdBy: job.createdBy,
  challengeTimeoutInMinutes: job.challengeTimeoutInMinutes,
  displayName: job.displayNameTemplate,
  totalUsers: job.totalUsers,
  idempotencyKey: job.idempotencyKey ?? null,
  requestedBy: job.requestedBy ?? null,
});

const createJob = graphRoute('POST', 'provisioning/jobs', {
  name: 'provisioningJobsCreate',
  access: AccessRules.methodsWrite,
  durableClient: true,
  body: CreateJobBody,
  doc: {
    summary: 'Start a bulk provisioning job for a list of users or a group',
    tags: ['Provisioning'],
    responses: { 202: { description: 'Accepted: the job id and its status URLs' } },
    errors: { 409: 'The idempotency key was used for a different request, or its first request is still running' },
  },
  handler: async ({ app, body, principal, context, baseUrl }) => {
    const { job } = await app.provisioningJobs.createJob(body, principal, orchestrations(context));
    const links = jobLinks(baseUrl, job.id);
    return json(202, { ...jobSummary(job), ...links }, { Location: links.statusQueryGetUri });
  },
});

const listJobs = graphRoute('GET', 'provisioning/jobs', {
  name: 'provisioningJobsList',
  access: AccessRules.methodsRead,
  query: JobListQuery,
  doc: {
    summary: 'Bulk provisioning jobs, newest first (paged with $top and @odata.nextLink)',
    tags: ['Provisioning'],
    responses: { 200: { description: 'A collection of job summaries' } },
    errors: { 400: 'Bad $skiptoken' },
  },
  handler: async ({ app, query, baseUrl }) => {
    const page = await app.provisioningJobs.listJobs({ top: query.$top, skipToken: query.$skiptoken });
    return json(200, {
      value: page.jobs.map((job) => ({ ...jobSummary(job), ...jobLinks(baseUrl, job.id) })),
      ...(page.next !== undefined
        ? {
            '@odata.nextLink': serviceLink(baseUrl, 'provisioning/jobs', { $top: query.$top, $skiptoken: page.next }),
          }
        : {}),
    });
  },
});

const getJob = graphRoute('GET', 'provisioning/jobs/{jobId}', {
  name: 'provisioningJobsGet',
  access: AccessRules.methodsRead,
  durableClient: true,
  params: JobIdParams.shape,
  query: JobQuery,
  doc: {
    summary: 'Job progress: counts per outcome, per-user rows (paged), runtime status',
    tags: ['Provisioning'],
    responses: { 200: { description: 'The job' } },
    errors,
  },
  handler: async ({ app, params, query, context, baseUrl }) => {
    const view = await app.provisioningJobs.getJob(params.jobId, { top: query.$top, afterSequence: query.$skiptoken });
    const runtimeStatus = await orchestrations(context).runtimeStatus(params.jobId);
    return json(200, {
      ...jobSummary(view.job),
      runtimeStatus,
      counts: view.counts,
      users: view.users.map(userRow),
      ...(view.nextSequence !== undefined
        ? {
            '@odata.nextLink': serviceLink(baseUrl, jobPath(params.jobId), {
              $top: query.$top,
              $skiptoken: view.nextSequence,
            }),
          }
        : {}),
      ...jobLinks(baseUrl, params.jobId),
    });
  },
});

const claimNext = graphRoute('POST', 'provisioning/jobs/{jobId}/next', {
  name: 'provisioningJobsNext',
  access: AccessRules.methodsWrite,
  durableClient: true,
  params: JobIdParams.shape,
  body: ClaimBody,
  doc: {
    summary: 'A provisioning station claims the next ready user and gets its creation options (204: none ready yet)',
    tags: ['Provisioning'],
    responses: {
      200: { description: 'The claimed user and publicKey creation options' },
      204: { description: 'No user ready right now; retry' },
    },
    errors: { ...errors, 409: 'The job is not running' },
  },
  handler: async ({ app, params, body, principal, context }) => {
    const claimed = await app.provisioningJobs.claimNext(
      params.jobId,
      body.stationId,
      orchestrations(context),
      principal,
    );
    return claimed ? json(200, claimed) : noContent({ 'Retry-After': '1' });
  },
});

const deliverCredential = graphRoute('POST', 'provisioning/jobs/{jobId}/users/{userId}/credential', {
  name: 'provisioningJobsCredential',
  access: AccessRules.methodsWrite,
  durableClient: true,
  params: JobUserParams.shape,
  body: CreateFido2MethodBody.partial({ displayName: true }),
  doc: {
    summary: "Deliver the credential created for a claimed user; answers with the user's outcome",
    tags: ['Provisioning'],
    responses: { 200: { description: 'The outcome for that user' } },
    errors: { ...errors, 409: 'The user is not claimed' },
  },
  handler: async ({ app, params, body, context, principal }) => {
    const { row, method } = await app.provisioningJobs.deliverCredential(
      params.jobId,
      params.userId,
      body.publicKeyCredential,
      orchestrations(context),
      principal,
    );
    return json(200, { ...userRow(row), method });
  },
});

const cancelJob = graphRoute('POST', 'provisioning/jobs/{jobId}/cancel', {
  name: 'provisioningJobsCancel',
  access: AccessRules.methodsWrite,
  durableClient: true,
  params: JobIdParams.shape,
  doc: {
    summary: 'Cancel a running job: users not yet provisioned are marked cancelled',
    tags: ['Provisioning'],
    responses: { 202: { description: 'Cancelled' } },
    errors: { ...errors, 409: 'The job is not running' },
  },
  handler: async ({ app, params, context, baseUrl, principal }) => {
    const job = await app.provisioningJobs.cancel(params.jobId, orchestrations(context), actorOf(principal));
    return json(202, { ...jobSummary(job), ...jobLinks(baseUrl, job.id) });
  },
});

export const provisioningJobHttpFunctions: HttpFunction[] = [
  createJob,
  listJobs,
  getJob,
  claimNext,
  deliverCredential,
  cancelJob,
];
