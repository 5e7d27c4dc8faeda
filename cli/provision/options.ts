import { aaguidToBytes } from '../authenticators/soft/aaguid';
import { UsageError } from './errors';

export type AuthenticatorKind = 'soft' | 'fido2-cred';
export type SoftAttestationOption = 'none' | 'packed-self';

export const AUTHENTICATOR_KINDS: readonly AuthenticatorKind[] = ['soft', 'fido2-cred'];
export const SOFT_ATTESTATIONS: readonly SoftAttestationOption[] = ['none', 'packed-self'];
export const DEFAULT_SERVER = 'http://localhost:7071';

/** The local host `npm start` runs: it listens on PORT (7071 unless set), so the station follows the same setting. */
export function defaultServer(env: NodeJS.ProcessEnv): string {
  const port = env.PORT?.trim();
  return port && /^\d{1,5}$/.test(port) ? `http://localhost:${port}` : DEFAULT_SERVER;
}
/** AAGUID of the soft authenticator unless --aaguid says otherwise (a test model, not a real product). */
export const DEFAULT_SOFT_AAGUID = '5ca1ab1e-0000-4000-8000-00000000c0de';
export const DEFAULT_CONCURRENCY: Readonly<Record<AuthenticatorKind, number>> = { soft: 8, 'fido2-cred': 1 };
export const MAX_CONCURRENCY = 64;
/** Single-user mode: the challenge must outlive a PIN prompt and a touch. */
export const DEFAULT_CHALLENGE_TIMEOUT_MINUTES = 10;

/** Options as commander hands them over (strings, all optional). */
export interface RawProvisionOptions {
  job?: string;
  user?: string;
  authenticator?: string;
  server?: string;
  token?: string;
  origin?: string;
  device?: string;
  concurrency?: string;
  aaguid?: string;
  attestation?: string;
  displayName?: string;
  challengeTimeout?: string;
  keyPrompt?: boolean;
  csv?: string;
  state?: string;
  outcomes?: string;
  graph?: string;
  tenant?: string;
  clientId?: string;
}

export type ProvisionTarget =
  | { mode: 'job'; jobId: string }
  | { mode: 'user'; userPrincipalName: string; challengeTimeoutInMinutes: number }
  /** A CSV of users, each provisioned through Graph's own steps; resumable from `statePath`. */
  | { mode: 'csv'; csvPath: string; statePath: string; outcomesPath: string; challengeTimeoutInMinutes: number };

/** `--graph`: a tenant's Microsoft Graph (or this service, which speaks the same routes) through the Graph SDK. */
export interface GraphTarget {
  url: string;
  tenantId: string;
  clientId: string;
}

export type AuthenticatorOptions =
  | { kind: 'soft'; aaguid: string; attestation: SoftAttestationOption }
  | { kind: 'fido2-cred'; device: string; keyPrompt: boolean };

/** Validated options of `provision`. */
export interface ProvisionOptions {
  target: ProvisionTarget;
  authenticator: AuthenticatorOptions;
  /** Base URL without a trailing slash. */
  server: string;
  /** From --token or TOKEN; undefined means "mint a local dev token". */
  token?: string;
  /** Origin written into clientDataJSON (must be one of the server's ORIGINS). */
  origin: string;
  concurrency: number;
  /** Passkey name; `{displayName}` and `{userPrincipalName}` are replaced. */
  displayName?: string;
  graph?: GraphTarget;
}

function parseHttpUrl(value: string, option: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`Invalid ${option} '${value}': expected an absolute http(s) URL such as ${DEFAULT_SERVER}.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      `Invalid ${option} '${value}': expected an http or https URL, received protocol '${url.protocol}'.`,
    );
  }
  return url;
}

function parseInteger(value: string, option: string, min: number, max: number): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`Invalid ${option} '${value}': expected a whole number from ${min} to ${max}.`);
  }
  return n;
}

function refuse(present: unknown, option: string, onlyWith: string): void {
  if (present !== undefined) throw new UsageError(`${option} applies only to ${onlyWith}.`);
}

function parseAuthenticator(raw: RawProvisionOptions): AuthenticatorOptions {
  const kind = raw.authenticator ?? 'soft';
  if (!AUTHENTICATOR_KINDS.includes(kind as AuthenticatorKind)) {
    throw new UsageError(`Invalid --authenticator '${kind}': expected one of ${AUTHENTICATOR_KINDS.join(', ')}.`);
  }
  if (kind === 'fido2-cred') {
    refuse(raw.aaguid, '--aaguid', '--authenticator soft');
    refuse(raw.attestation, '--attestation', '--authenticator soft');
    if (!raw.device?.trim()) {
      throw new UsageError(
        '--authenticator fido2-cred needs --device <path> (list the keys with `fido2-token -L`, e.g. /dev/hidraw0).',
      );
    }
    return { kind, device: raw.device.trim(), keyPrompt: raw.keyPrompt ?? true };
  }
  refuse(raw.device, '--device', '--authenticator fido2-cred');
  const aaguid = (raw.aaguid ?? DEFAULT_SOFT_AAGUID).toLowerCase();
  try {
    aaguidToBytes(aaguid);
  } catch {
    throw new UsageError(`Invalid --aaguid '${raw.aaguid}': expected a GUID such as ${DEFAULT_SOFT_AAGUID}.`);
  }
  const attestation = raw.attestation ?? 'none';
  if (!SOFT_ATTESTATIONS.includes(attestation as SoftAttestationOption)) {
    throw new UsageError(`Invalid --attestation '${attestation}': expected one of ${SOFT_ATTESTATIONS.join(', ')}.`);
  }
  return { kind: 'soft', aaguid, attestation: attestation as SoftAttestationOption };
}

function parseTarget(raw: RawProvisionOptions): ProvisionTarget {
  const job = raw.job?.trim();
  const user = raw.user?.trim();
  const csv = raw.csv?.trim();
  if (csv) {
    if (job || user) throw new UsageError('Give one of --job, --user or --csv.');
    const minutes =
      raw.challengeTimeout === undefined
        ? DEFAULT_CHALLENGE_TIMEOUT_MINUTES
        : parseInteger(raw.challengeTimeout, '--challenge-timeout', 5, 43200);
    return {
      mode: 'csv',
      csvPath: csv,
      statePath: raw.state?.trim() || `${csv}.state.jsonl`,
      outcomesPath: raw.outcomes?.trim() || `${csv}.outcomes.csv`,
      challengeTimeoutInMinutes: minutes,
    };
  }
  refuse(raw.state, '--state', '--csv');
  refuse(raw.outcomes, '--outcomes', '--csv');
  if (job && user) throw new UsageError('Give either --job <id> or --user <upn>, not both.');
  if (!job && !user)
    throw new UsageError(
      'Missing --job <id> (provision the users of a bulk job) or --user <upn> (provision one user).',
    );
  if (job) {
    refuse(raw.challengeTimeout, '--challenge-timeout', '--user (a job sets its own challenge timeout)');
    return { mode: 'job', jobId: job };
  }
  const upn = user as string;
  if (!/^[^@\s]+@[^@\s]+$/.test(upn))
    throw new UsageError(`Invalid --user '${upn}': expected a user principal name such as alice@contoso.com.`);
  const minutes =
    raw.challengeTimeout === undefined
      ? DEFAULT_CHALLENGE_TIMEOUT_MINUTES
      : parseInteger(raw.challengeTimeout, '--challenge-timeout', 5, 43200);
  return { mode: 'user', userPrincipalName: upn, challengeTimeoutInMinutes: minutes };
}

/**
 * Validates the options of `provision`. `env` supplies TOKEN when --token is absent.
 *
 * @throws UsageError naming the option, what was received and what was expected.
 */
export function parseProvisionOptions(raw: RawProvisionOptions, env: NodeJS.ProcessEnv = {}): ProvisionOptions {
  const target = parseTarget(raw);
  const authenticator = parseAuthenticator(raw);
  const serverUrl = parseHttpUrl(raw.server ?? defaultServer(env), '--server');
  const server = serverUrl.href.replace(/\/+$/, '');
  const origin = raw.origin === undefined ? serverUrl.origin : parseHttpUrl(raw.origin, '--origin').origin;
  const concurrency =
    raw.concurrency === undefined
      ? DEFAULT_CONCURRENCY[authenticator.kind]
      : parseInteger(raw.concurrency, '--concurrency', 1, MAX_CONCURRENCY);
  const token = raw.token?.trim() || env.TOKEN?.trim() || undefined;
  const displayName = raw.displayName?.trim();
  if (raw.displayName !== undefined && !displayName)
    throw new UsageError('Invalid --display-name: expected a non-empty name.');
  const graph = parseGraph(raw, target);
  return {
    target,
    authenticator,
    server: graph ? graph.url : server,
    token,
    origin: graph && raw.origin === undefined ? defaultGraphOrigin(graph.url) : origin,
    concurrency,
    ...(displayName ? { displayName } : {}),
    ...(graph ? { graph } : {}),
  };
}

/** Entra's passkey provisioning uses the RP ID login.microsoft.com; another Graph-shaped host, its own origin. */
function defaultGraphOrigin(graphUrl: string): string {
  const url = new URL(graphUrl);
  return url.hostname === 'graph.microsoft.com' ? 'https://login.microsoft.com' : url.origin;
}

function parseGraph(raw: RawProvisionOptions, target: ProvisionTarget): GraphTarget | undefined {
  if (raw.graph === undefined) {
    refuse(raw.tenant, '--tenant', '--graph');
    refuse(raw.clientId, '--client-id', '--graph');
    return undefined;
  }
  if (target.mode === 'job')
    throw new UsageError("--graph provisions --csv or --user, not --job (jobs are this service's).");
  const url = parseHttpUrl(raw.graph, '--graph');
  if (url.protocol !== 'https:')
    throw new UsageError(
      `Invalid --graph '${raw.graph}': expected an https URL (Graph tokens travel over https only).`,
    );
  const tenantId = raw.tenant?.trim();
  const clientId = raw.clientId?.trim();
  if (!tenantId || !clientId)
    throw new UsageError('--graph needs --tenant <tenant id or domain> and --client-id <app registration id>.');
  return { url: url.origin, tenantId, clientId };
}
