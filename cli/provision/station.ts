import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { ErrorCodes } from '../../shared/domain/errorCodes';
import { ApiError, unfinishedCount, type ClaimedUser, type JobSnapshot, type ProvisioningApi } from './api';
import type { CredentialMaker, GraphPublicKeyCredential } from './credential';
import { FatalError } from './errors';
import type { Progress } from './progress';
import type { UserResult } from './summary';

export type StationApi = Pick<
  ProvisioningApi,
  'claimNext' | 'submitCredential' | 'getJob' | 'creationOptions' | 'createFido2Method'
>;

export interface StationDeps {
  api: StationApi;
  maker: CredentialMaker;
  progress: Progress;
  /** Origin written into clientDataJSON. */
  origin: string;
  /** Passkey name template (`{displayName}`, `{userPrincipalName}`); in job mode the job's template applies when absent. */
  displayName?: string;
  sleep?: (ms: number) => Promise<void>;
  /** Pause after a 204 without Retry-After; default 250-500 ms. */
  waitMs?: () => number;
}

export interface JobRun {
  /** Users this station claimed, in the order they finished. */
  results: UserResult[];
  /** The job as the server reported it after the station stopped. */
  finalJob: JobSnapshot;
  stopReason: string;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const defaultWaitMs = () => 250 + Math.floor(Math.random() * 250);
const TRANSIENT_ATTEMPTS = 4;

/** `{displayName} security key` → `Alice Smith security key`. */
export function expandDisplayName(template: string, user: { displayName: string; userPrincipalName: string }): string {
  return template
    .replace(/\{displayName\}/g, user.displayName)
    .replace(/\{userPrincipalName\}/g, user.userPrincipalName);
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Retries 429 and 5xx answers a few times (honouring Retry-After); other errors pass through. */
async function withRetry<T>(call: () => Promise<T>, sleep: (ms: number) => Promise<void>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      const transient = e instanceof ApiError && (e.status === 429 || e.status >= 500);
      if (!transient || attempt >= TRANSIENT_ATTEMPTS) {
        if (e instanceof ApiError)
          throw new FatalError(`The server answered ${e.message}${transient ? ` (after ${attempt} attempts)` : ''}.`, {
            cause: e,
          });
        throw e;
      }
      await sleep(e.retryAfterMs ?? 500 * attempt);
    }
  }
}

/** A refused Graph call as a user's outcome: 403 is a policy refusal, anything else a failure. */
function outcomeOfApiError(userPrincipalName: string, e: ApiError): UserResult {
  return {
    userPrincipalName,
    outcome: e.status === 403 ? 'refusedByPolicy' : 'failed',
    reason: `${e.code}: ${e.serverMessage}`,
    methodId: null,
  };
}

async function makeCredential(
  deps: StationDeps,
  userPrincipalName: string,
  publicKey: PublicKeyCredentialCreationOptionsJSON,
): Promise<GraphPublicKeyCredential | UserResult> {
  try {
    return await deps.maker.create(publicKey, { userPrincipalName, origin: deps.origin });
  } catch (e) {
    if (e instanceof FatalError) throw e;
    return {
      userPrincipalName,
      outcome: 'stationError',
      reason: `no credential sent: ${errorText(e)}`,
      methodId: null,
    };
  }
}

const isResult = (value: GraphPublicKeyCredential | UserResult): value is UserResult => 'outcome' in value;

/**
 * The station loop of a bulk job: `concurrency` workers each claim a user, create its credential and
 * deliver it, until the server says the job is not running (409), or a 204 finds the job finished or
 * with no user left to provision. 401/403 and unreachable servers are fatal.
 */
export async function runJobStation(jobId: string, concurrency: number, deps: StationDeps): Promise<JobRun> {
  const sleep = deps.sleep ?? defaultSleep;
  const waitMs = deps.waitMs ?? defaultWaitMs;
  const getJob = () => withRetry(() => deps.api.getJob(jobId), sleep);
  const sync = (job: JobSnapshot) => deps.progress.sync(job.totalUsers - unfinishedCount(job), job.totalUsers);
  const results: UserResult[] = [];
  let stopReason: string | undefined;

  const provision = async (user: ClaimedUser): Promise<UserResult> => {
    const credential = await makeCredential(deps, user.userPrincipalName, user.publicKey);
    if (isResult(credential)) return credential;
    const displayName = deps.displayName ? expandDisplayName(deps.displayName, user) : undefined;
    try {
      const answer = await deps.api.submitCredential(jobId, user.userId, {
        ...(displayName ? { displayName } : {}),
        publicKeyCredential: credential,
      });
      if (typeof answer?.state !== 'string') {
        return {
          userPrincipalName: user.userPrincipalName,
          outcome: 'failed',
          reason: `unexpected answer to the credential: ${JSON.stringify(answer)?.slice(0, 200)}`,
          methodId: null,
        };
      }
      return {
        userPrincipalName: answer.userPrincipalName ?? user.userPrincipalName,
        outcome: answer.state,
        reason: answer.reason ?? null,
        methodId: answer.method?.id ?? null,
      };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.status === 409 && e.code === ErrorCodes.jobNotRunning.code) stopReason ??= `${e.code}: ${e.serverMessage}`;
      return {
        userPrincipalName: user.userPrincipalName,
        outcome: 'rejected',
        reason: `${e.status} ${e.code}: ${e.serverMessage}`,
        methodId: null,
      };
    }
  };

  const worker = async () => {
    while (stopReason === undefined) {
      const claim = await withRetry(() => deps.api.claimNext(jobId), sleep);
      if (claim.kind === 'stopped') {
        stopReason ??= claim.message;
      } else if (claim.kind === 'wait') {
        const job = await getJob();
        sync(job);
        if (job.status !== 'running') stopReason ??= `the job is ${job.status}`;
        else if (unfinishedCount(job) === 0) stopReason ??= 'no user of the job is left to provision';
        else await sleep(claim.retryAfterMs ?? waitMs());
      } else {
        const result = await provision(claim.user);
        results.push(result);
        deps.progress.userDone(result);
      }
    }
  };

  const initial = await getJob();
  sync(initial);
  if (initial.status !== 'running') {
    stopReason = `the job is ${initial.status}`;
  } else {
    let fatal: unknown;
    await Promise.all(
      Array.from({ length: concurrency }, () =>
        worker().catch((e: unknown) => {
          fatal ??= e;
          stopReason ??= 'fatal error';
        }),
      ),
    );
    if (fatal !== undefined) throw fatal;
  }
  const finalJob = await withRetry(() => deps.api.getJob(jobId, { allUsers: true }), sleep);
  sync(finalJob);
  return { results, finalJob, stopReason: stopReason ?? 'stopped' };
}

/**
 * One user without a job, through Graph's provisioning API: creationOptions, a credential, then
 * POST fido2Methods. A refusal is the user's outcome; only token and connection problems are fatal.
 */
export async function runSingleUser(
  userPrincipalName: string,
  challengeTimeoutInMinutes: number,
  defaultDisplayName: string,
  deps: StationDeps,
): Promise<UserResult> {
  let publicKey: PublicKeyCredentialCreationOptionsJSON;
  try {
    publicKey = (await deps.api.creationOptions(userPrincipalName, challengeTimeoutInMinutes)).publicKey;
  } catch (e) {
    if (e instanceof ApiError) return outcomeOfApiError(userPrincipalName, e);
    throw e;
  }
  const credential = await makeCredential(deps, userPrincipalName, publicKey);
  if (isResult(credential)) return credential;
  const displayName = expandDisplayName(deps.displayName ?? defaultDisplayName, {
    displayName: publicKey.user.displayName,
    userPrincipalName,
  });
  try {
    const method = await deps.api.createFido2Method(userPrincipalName, {
      displayName,
      publicKeyCredential: credential,
    });
    return { userPrincipalName, outcome: 'provisioned', reason: null, methodId: method.id };
  } catch (e) {
    if (e instanceof ApiError) return outcomeOfApiError(userPrincipalName, e);
    throw e;
  }
}
