import type { TokenCredential } from '@azure/core-auth';
import { readFileSync } from 'node:fs';
import { ProvisioningApi, type JobSnapshot } from './api';
import { parseUsersCsv, runCsvStation } from './csvRun';
import { UsageError } from './errors';
import { GraphStationApi } from './graphApi';
import type { CredentialMaker } from './credential';
import { Fido2CredMaker } from './fido2CredMaker';
import type { AuthenticatorOptions, GraphTarget, ProvisionOptions } from './options';
import { createProgress, type ProgressStream } from './progress';
import { SoftCredentialMaker } from './softMaker';
import { runJobStation, runSingleUser } from './station';
import { formatSummary, type UserResult } from './summary';
import { LOCAL_ADMIN_ROLE, LOCAL_ADMIN_UPN, mintLocalAdminToken } from './token';

/** Everything `provision` touches outside itself, so tests can supply their own. */
export interface ProvisionDeps {
  stdout: { write(text: string): unknown };
  stderr: ProgressStream;
  mintToken: () => Promise<string>;
  fetchImpl?: typeof fetch;
  createMaker?: (options: AuthenticatorOptions) => CredentialMaker;
  sleep?: (ms: number) => Promise<void>;
  waitMs?: () => number;
  /** --graph: the credential (default: client secret from GRAPH_CLIENT_SECRET, else device code) and an extra CA. */
  graphCredential?: (graph: GraphTarget) => Promise<TokenCredential>;
  graphCa?: string;
}

/** --graph sign-in through @azure/identity: client credentials when GRAPH_CLIENT_SECRET is set, else device code. */
async function defaultGraphCredential(graph: GraphTarget, stderr: ProgressStream): Promise<TokenCredential> {
  const identity = await import('@azure/identity');
  const secret = process.env.GRAPH_CLIENT_SECRET;
  if (secret) return new identity.ClientSecretCredential(graph.tenantId, graph.clientId, secret);
  return new identity.DeviceCodeCredential({
    tenantId: graph.tenantId,
    clientId: graph.clientId,
    userPromptCallback: (info) => void stderr.write(`${info.message}\n`),
  });
}

export const defaultProvisionDeps = (): ProvisionDeps => ({
  stdout: process.stdout,
  stderr: process.stderr,
  mintToken: mintLocalAdminToken,
});

/** The passkey name in single-user mode when --display-name is not given. */
const DEFAULT_DISPLAY_NAME: Readonly<Record<AuthenticatorOptions['kind'], string>> = {
  soft: 'Soft authenticator',
  'fido2-cred': 'Security key',
};

export function createMaker(options: AuthenticatorOptions): CredentialMaker {
  if (options.kind === 'soft') return new SoftCredentialMaker(options);
  Fido2CredMaker.preflight();
  return new Fido2CredMaker(options.device, { keyPrompt: options.keyPrompt });
}

/** The station's rows, then the job's other users (handled elsewhere, skipped, timed out...) as the job reports them. */
export function mergeJobRows(station: readonly UserResult[], job: JobSnapshot): UserResult[] {
  const seen = new Set(station.map((r) => r.userPrincipalName.toLowerCase()));
  const others = job.users
    .filter((u) => !seen.has(u.userPrincipalName.toLowerCase()))
    .map((u) => ({
      userPrincipalName: u.userPrincipalName,
      outcome: u.state,
      reason: u.reason ?? null,
      methodId: u.methodId ?? null,
    }));
  return [...station, ...others];
}

export function formatJobFooter(job: JobSnapshot): string {
  const counts = Object.entries(job.counts)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${state} ${n}`)
    .join(', ');
  return `Job ${job.id}: ${job.status}, ${job.totalUsers} users${counts ? ` (${counts})` : ''}.\n`;
}

/**
 * Runs `provision`: resolves the token, pulls users (job) or asks Graph for one user's creation
 * options, creates credentials, posts them, shows progress on stderr and the summary on stdout.
 * Resolves when the run finished (refusals included); rejects with a FatalError otherwise.
 */
export async function runProvision(options: ProvisionOptions, deps: ProvisionDeps): Promise<void> {
  let token = options.token;
  if (options.graph) token = 'unused: the Graph client asks its credential';
  if (!token) {
    token = await deps.mintToken();
    deps.stderr.write(
      `No --token or TOKEN given: using a local dev token for ${LOCAL_ADMIN_UPN} (${LOCAL_ADMIN_ROLE}).\n`,
    );
  }
  const maker = (deps.createMaker ?? createMaker)(options.authenticator);
  const api = options.graph
    ? new GraphStationApi(
        options.graph.url,
        await (deps.graphCredential ?? ((g) => defaultGraphCredential(g, deps.stderr)))(options.graph),
        { ca: deps.graphCa },
      )
    : new ProvisioningApi(options.server, token, deps.fetchImpl);
  // fido2-cred shares the terminal with its PIN prompt: print lines rather than redraw a bar.
  const progress = createProgress(deps.stderr, { interactive: maker.kind === 'soft' });
  const stationDeps = {
    api,
    maker,
    progress,
    origin: options.origin,
    displayName: options.displayName,
    sleep: deps.sleep,
    waitMs: deps.waitMs,
  };

  if (options.target.mode === 'user') {
    const { userPrincipalName, challengeTimeoutInMinutes } = options.target;
    progress.sync(0, 1);
    const result = await runSingleUser(
      userPrincipalName,
      challengeTimeoutInMinutes,
      DEFAULT_DISPLAY_NAME[maker.kind],
      stationDeps,
    );
    progress.userDone(result);
    progress.finish();
    deps.stdout.write(formatSummary([result]));
    return;
  }

  if (options.target.mode === 'csv') {
    const { csvPath, statePath, outcomesPath, challengeTimeoutInMinutes } = options.target;
    let text: string;
    try {
      text = readFileSync(csvPath, 'utf8');
    } catch (e) {
      throw new UsageError(`Cannot read --csv '${csvPath}': ${(e as Error).message}`);
    }
    const users = parseUsersCsv(text, csvPath);
    const run = await runCsvStation(
      users,
      { statePath, outcomesPath, concurrency: options.concurrency, challengeTimeoutInMinutes },
      stationDeps,
      DEFAULT_DISPLAY_NAME[maker.kind],
    );
    progress.finish();
    if (run.resumed) deps.stderr.write(`Resumed from ${statePath}: ${run.resumed} users were already done.\n`);
    deps.stdout.write(formatSummary(run.results));
    deps.stdout.write(`\nOutcomes written to ${outcomesPath}.\n`);
    return;
  }

  const run = await runJobStation(options.target.jobId, options.concurrency, stationDeps);
  progress.finish();
  deps.stderr.write(`Station stopped: ${run.stopReason.replace(/\.+$/, '')}.\n`);
  deps.stdout.write(formatSummary(mergeJobRows(run.results, run.finalJob)));
  deps.stdout.write(`\n${formatJobFooter(run.finalJob)}`);
}
