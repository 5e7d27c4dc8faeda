import * as df from 'durable-functions';
import { InvocationContext } from '@azure/functions';
import { AccessRules } from '../shared/domain/auth/accessRules';
import { actorOf } from '../shared/domain/auth/actor';
import { ProvisioningJob, ProvisioningJobUser } from '../shared/ports/provisioningJobs.port';
import { GraphError } from '../shared/schemas/common.schema';
import { ClaimBody, CreateJobBody, JobIdParams, JobQuery, JobUserParams } from '../shared/schemas/provisioning.schema';
import { CreateFido2MethodBody } from '../shared/schemas/webauthn.schema';
import { DurableProvisioningOrchestrations } from './durable/durableProvisioningOrchestrations';
import { defineHttpFunction, HttpFunction } from './http/httpFunction';
import { json, noContent } from './http/responses';

const errors = { 400: { description: 'Invalid input', schema: GraphError }, 401: { description: 'No valid token', schema: GraphError }, 403: { description: 'Not allowed', schema: GraphError }, 404: { description: 'No such job', schema: GraphError } };
const orchestrations = (context: InvocationContext) => new DurableProvisioningOrchestrations(df.getClient(context));
const jobLinks = (baseUrl: string, id: string) => ({
  statusQueryGetUri: `${baseUrl}/provisioning/jobs/${id}`,
  nextPostUri: `${baseUrl}/provisioning/jobs/${id}/next`,
  cancelPostUri: `${baseUrl}/provisioning/jobs/${id}/cancel`,
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
});

const createJob = defineHttpFunction({
  name: 'provisioningJobsCreate',
  route: 'provisioning/jobs',
  methods: ['POST'],
  access: AccessRules.methodsWrite,
  durableClient: true,
  body: CreateJobBody,
  doc: { summary: 'Start a bulk provisioning job for a list of users or a group', tags: ['Provisioning'], responses: { 202: { description: 'Accepted: the job id and its status URLs' }, ...errors } },
  handler: async ({ app, body, principal, context, baseUrl }) => {
    const job = await app.provisioningJobs.createJob(body, principal, orchestrations(context));
    const links = jobLinks(baseUrl, job.id);
    return json(202, { ...jobSummary(job), ...links }, { Location: links.statusQueryGetUri });
  },
});

const getJob = defineHttpFunction({
  name: 'provisioningJobsGet',
  route: 'provisioning/jobs/{jobId}',
  methods: ['GET'],
  access: AccessRules.methodsRead,
  durableClient: true,
  params: JobIdParams,
  paramsNotFound: true,
  query: JobQuery,
  doc: { summary: 'Job progress: counts per outcome, per-user rows (paged), runtime status', tags: ['Provisioning'], responses: { 200: { description: 'The job' }, ...errors } },
  handler: async ({ app, params, query, context, baseUrl }) => {
    const view = await app.provisioningJobs.getJob(params.jobId, { top: query.$top, afterSequence: query.$skiptoken });
    const runtimeStatus = await orchestrations(context).runtimeStatus(params.jobId);
    return json(200, {
      ...jobSummary(view.job),
      runtimeStatus,
      counts: view.counts,
      users: view.users.map(userRow),
      ...(view.nextSequence !== undefined ? { '@odata.nextLink': `${baseUrl}/provisioning/jobs/${params.jobId}?$top=${query.$top}&$skiptoken=${view.nextSequence}` } : {}),
      ...jobLinks(baseUrl, params.jobId),
    });
  },
});

const claimNext = defineHttpFunction({
  name: 'provisioningJobsNext',
  route: 'provisioning/jobs/{jobId}/next',
  methods: ['POST'],
  access: AccessRules.methodsWrite,
  durableClient: true,
  params: JobIdParams,
  paramsNotFound: true,
  body: ClaimBody,
  doc: { summary: 'A provisioning station claims the next ready user and gets its creation options (204: none ready yet)', tags: ['Provisioning'], responses: { 200: { description: 'The claimed user and publicKey creation options' }, 204: { description: 'No user ready right now; retry' }, 409: { description: 'The job is not running', schema: GraphError }, ...errors } },
  handler: async ({ app, params, body, principal, context }) => {
    // Who claims is the caller (from its token); the station id in the body is only a label beside it.
    const caller = principal.userPrincipalName ?? principal.userId ?? principal.appId ?? 'unknown caller';
    const station = body.stationId ? `${caller} (station ${body.stationId})` : caller;
    const claimed = await app.provisioningJobs.claimNext(params.jobId, station, orchestrations(context), principal);
    return claimed ? json(200, claimed) : noContent({ 'Retry-After': '1' });
  },
});

const deliverCredential = defineHttpFunction({
  name: 'provisioningJobsCredential',
  route: 'provisioning/jobs/{jobId}/users/{userId}/credential',
  methods: ['POST'],
  access: AccessRules.methodsWrite,
  durableClient: true,
  params: JobUserParams,
  paramsNotFound: true,
  body: CreateFido2MethodBody.partial({ displayName: true }),
  doc: { summary: "Deliver the credential created for a claimed user; answers with the user's outcome", tags: ['Provisioning'], responses: { 200: { description: 'The outcome for that user' }, 409: { description: 'The user is not claimed', schema: GraphError }, ...errors } },
  handler: async ({ app, params, body, context, principal }) => {
    const { row, method } = await app.provisioningJobs.deliverCredential(params.jobId, params.userId, body.publicKeyCredential, orchestrations(context), principal);
    return json(200, { ...userRow(row), method });
  },
});

const cancelJob = defineHttpFunction({
  name: 'provisioningJobsCancel',
  route: 'provisioning/jobs/{jobId}/cancel',
  methods: ['POST'],
  access: AccessRules.methodsWrite,
  durableClient: true,
  params: JobIdParams,
  paramsNotFound: true,
  doc: { summary: 'Cancel a running job: users not yet provisioned are marked cancelled', tags: ['Provisioning'], responses: { 202: { description: 'Cancelled' }, 409: { description: 'The job is not running', schema: GraphError }, ...errors } },
  handler: async ({ app, params, context, baseUrl, principal }) => {
    const job = await app.provisioningJobs.cancel(params.jobId, orchestrations(context), actorOf(principal));
    return json(202, { ...jobSummary(job), ...jobLinks(baseUrl, job.id) });
  },
});

export const provisioningJobHttpFunctions: HttpFunction[] = [createJob, getJob, claimNext, deliverCredential, cancelJob];
