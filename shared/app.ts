import { AppConfig, loadConfig } from './config';
import { Clock, systemClock } from './ports/clock.port';
import { Store } from './ports/store.port';
import { AccessTokenVerifier, TokenSigner } from './ports/tokens.port';
import { DevTokenService } from './services/devTokenService';
import { DirectoryService } from './services/directoryService';
import { PolicyService } from './services/policyService';
import { KeyRestrictionImpactService } from './services/keyRestrictionImpactService';
import { ceremonyOrigins } from './domain/webauthn/relatedOrigins';
import { seedDemoTenant } from './services/seedDemoTenant';
import { ChallengeSealer } from './domain/webauthn/sealedChallenge';
import { ChallengeService } from './services/webauthn/challenges';
import { MethodsService } from './services/webauthn/methodsService';
import { RegistrationService, RelyingParty } from './services/webauthn/registrationService';
import { SignInService } from './services/webauthn/signInService';
import { WebAuthnPort } from './ports/webauthn.port';
import { ProvisioningJobService } from './services/provisioning/provisioningJobService';
import { ReEnrolmentService } from './services/reenrolment/reEnrolmentService';
import { HttpDownloader, HttpSender } from './ports/httpSender.port';
import { FidoMetadataService } from './services/metadata/fidoMetadataService';
import { WebhookService } from './services/events/webhookService';
import {
  AdapterNames,
  adapterNames,
  createDevTokenSigner,
  createSignInTokenSigner,
  createStore,
  createTokenVerifiers,
  createWebAuthn,
  createWebhookSender,
  createEntraConnector,
  loadServerSecret,
} from './adapterSelection';
import { AuditService } from './services/audit/auditService';
import { StrengthService } from './services/strengths/strengthService';
import { ProtectedResourceService } from './services/strengths/protectedResourceService';
import { ClientRateLimitService } from './services/rateLimit/clientRateLimitService';
import { DEFAULT_CHALLENGE_TIMEOUT_MS } from './domain/webauthn/challengeTimeout';
import type { TokenCredential } from '@azure/core-auth';
import { EntraSyncService } from './services/directorySync/entraSyncService';
import { RecordedSignIn } from './services/signInLog/recordedSignIn';
import { SignInLogService } from './services/signInLog/signInLogService';
import { AaguidInventoryService } from './services/reports/aaguidInventoryService';

/** Settings that hold a secret (keys, connection strings): adapterSelection reads them, no handler does. */
const SECRET_SETTINGS = [
  'serverSecret',
  'signingKeyJwk',
  'cosmos',
  'serviceBusConnection',
  'graph',
  'fidoMds',
] as const;

/** The settings a handler may read: every setting but the secrets. */
export type HandlerSettings = Omit<AppConfig, (typeof SECRET_SETTINGS)[number]>;

/** A copy of the configuration without its secrets (so they are not there at run time either). */
export function withoutSecrets(config: AppConfig): HandlerSettings {
  const settings: Partial<AppConfig> = { ...config };
  for (const name of SECRET_SETTINGS) delete settings[name];
  return settings as HandlerSettings;
}

/**
 * What the triggers (HTTP, consumers, activities) get, built once from the configuration: the
 * services, the configuration and the token keys. No store, clock or secret: a handler that
 * needs data asks a service, so every rule sits behind one.
 */
export interface App {
  /** The settings, without secrets. */
  config: HandlerSettings;
  /** The adapters in use (for /health). */
  adapters: AdapterNames;
  /**
   * `verifier` accepts admin tokens (dev tokens, Entra); `signedInUserVerifier` also accepts our
   * sign-in tokens, and serves only the signed-in-user routes (/me, self-service registration).
   * `signer` holds the sign-in key; handlers see only its public keys (/.well-known/jwks.json):
   * sign-in tokens are signed by SignInService, never by a handler.
   */
  tokens: {
    verifier: AccessTokenVerifier;
    signedInUserVerifier: AccessTokenVerifier;
    signer: Pick<TokenSigner, 'jwks'>;
  };
  policy: PolicyService;
  directory: DirectoryService;
  challenges: ChallengeService;
  registration: RegistrationService;
  signIn: SignInService;
  methods: MethodsService;
  provisioningJobs: ProvisioningJobService;
  /** The UPN-change re-enrolment flow (its consumers and activities). */
  reEnrolment: ReEnrolmentService;
  webhooks: WebhookService;
  /** Reading the audit log (Graph's directoryAudits). */
  audit: AuditService;
  /** RATE_LIMIT_PER_MINUTE per client address on the unauthenticated ceremony routes. */
  clientRateLimit: ClientRateLimitService;
  /** Authentication strengths (Graph's authenticationStrengthPolicies). */
  strengths: StrengthService;
  /** Resources that require a strength at sign-in. */
  protectedResources: ProtectedResourceService;
  /** DIRECTORY=entra: following the tenant's user changes (notifications, delta, subscription renewal). */
  directorySync?: EntraSyncService;
  /** Sign-in that records every attempt in the sign-in log (the ceremony route calls this, not `signIn`). */
  recordedSignIn: RecordedSignIn;
  /** Reading and purging the sign-in log (Graph's auditLogs/signIns). */
  signInLog: SignInLogService;
  /** The AAGUID inventory report (reports/fido2/aaguids). */
  aaguidInventory: AaguidInventoryService;
  /** FIDO_MDS_URL: the metadata refresh (the `refreshFidoMetadata` timer) and the copy in use. */
  fidoMetadata?: FidoMetadataService;
}

/**
 * What the composition root built: the app, plus what only the runtime hosting it and tests reach
 * (the embedded outbox relay reads `store.outbox`; tests read the store and mint dev tokens).
 * Triggers are typed with {@link App} and so cannot reach any of it.
 */
export interface ComposedApp extends App {
  readonly store: Store;
  /** Seals challenges; tests use it to forge one the service would accept. */
  readonly serverSecret: Buffer;
  /** `devSigner` signs dev admin tokens, with a key of its own (never the sign-in key). */
  tokens: App['tokens'] & { signer: TokenSigner; devSigner: TokenSigner };
  /** Mints dev admin tokens (tests; the CLI mints without an app: cli/devToken.ts). */
  devTokens: DevTokenService;
  /** What start-up did about the demo tenant: seeded it now, found users already there, or was told not to (SEED_DEMO_TENANT). */
  demoTenant: 'seeded' | 'present' | 'off';
  /** Closes the store. */
  close(): Promise<void>;
}

export interface AppOverrides {
  clock?: Clock;
  store?: Store;
  webauthn?: WebAuthnPort;
  /** Outgoing HTTP of webhook deliveries (default: PinnedHttpSender). */
  httpSender?: HttpSender;
  /** Outgoing HTTP of the FIDO metadata download (default: PinnedHttpSender, FIDO_MDS_ALLOW_PRIVATE_NETWORKS). */
  mdsDownloader?: HttpDownloader;
  /** Operational log lines (the FIDO metadata refresh's reasons); default the console, which the Functions host records. */
  log?: (level: 'info' | 'warn', message: string) => void;
  /** DIRECTORY=entra in tests: the Graph credential and the CA of a test server's TLS proxy. */
  graph?: { credential?: TokenCredential; ca?: string };
}

/** The composition root: picks the adapters for the configuration (adapterSelection.ts) and builds the services. */
export async function createApp(config: AppConfig, overrides: AppOverrides = {}): Promise<ComposedApp> {
  const clock = overrides.clock ?? systemClock;
  const store = overrides.store ?? (await createStore(config));
  const signer = await createSignInTokenSigner(config);
  const devSigner = await createDevTokenSigner(config);
  const entra = config.graph
    ? await createEntraConnector(config.graph, { store, clock, ...overrides.graph })
    : undefined;
  const directoryRepository = entra?.directory ?? store.directory;
  const directory = new DirectoryService(directoryRepository, clock, store.changes);
  const serverSecret = await loadServerSecret(config);
  const policy = new PolicyService(
    store.policies,
    directoryRepository,
    clock,
    new KeyRestrictionImpactService(store.credentials, directoryRepository),
    store.changes,
  );
  const { webauthn, fidoMetadata } = overrides.webauthn
    ? { webauthn: overrides.webauthn, fidoMetadata: undefined }
    : await createWebAuthn(config, { clock, mdsDownloader: overrides.mdsDownloader, log: overrides.log });
  const challenges = new ChallengeService(new ChallengeSealer(serverSecret), store.challenges, clock);
  const rp: RelyingParty = {
    id: config.rpId,
    name: config.rpName,
    origins: ceremonyOrigins(config.origins, config.relatedOrigins),
  };
  const common = { directory, policy, credentials: store.credentials, challenges, webauthn, clock, serverSecret, rp };
  const registration = new RegistrationService(common);
  const methods = new MethodsService(directory, store.credentials, clock);
  const protectedResources = new ProtectedResourceService({
    strengths: store.strengths,
    clock,
    changes: store.changes,
  });
  const signInLog = new SignInLogService(store.signInLog, clock, config.signInLogRetentionDays);
  const verifiers = await createTokenVerifiers(config, { signer, devSigner });
  const base: Omit<ComposedApp, 'recordedSignIn'> = {
    config: withoutSecrets(config),
    adapters: { ...adapterNames(config), store: store.kind },
    store,
    tokens: { ...verifiers, signer, devSigner },
    serverSecret,
    policy,
    directory,
    devTokens: new DevTokenService(devSigner, directory, config.apiAudience),
    challenges,
    registration,
    signIn: new SignInService({
      ...common,
      audit: store.audit,
      signer,
      token: {
        lifetimeSeconds: config.signInTokenLifetimeSeconds,
        defaultAudience: config.apiAudience,
        allowedAudiences: [config.issuer, ...config.allowedAudiences],
      },
      timeoutMs: DEFAULT_CHALLENGE_TIMEOUT_MS,
      protectedResources,
      credentialSetChanges: store.credentialSetChanges,
    }),
    methods,
    provisioningJobs: new ProvisioningJobService({
      jobs: store.provisioningJobs,
      directory,
      policy,
      registration,
      credentials: store.credentials,
      audit: store.audit,
      clock,
    }),
    reEnrolment: new ReEnrolmentService({
      directory,
      credentials: store.credentials,
      methods,
      audit: store.audit,
      clock,
      graceHours: config.reEnrolmentGraceHours,
    }),
    webhooks: new WebhookService({
      webhooks: store.webhooks,
      sender: overrides.httpSender ?? createWebhookSender(config),
      clock,
      audit: store.audit,
    }),
    audit: new AuditService(store.audit),
    clientRateLimit: new ClientRateLimitService(config.rateLimitPerMinute, clock, store.rateLimits),
    strengths: new StrengthService({ strengths: store.strengths, clock }),
    protectedResources,
    signInLog,
    aaguidInventory: new AaguidInventoryService({
      credentials: store.credentials,
      signInLog: store.signInLog,
      signInLogService: signInLog,
      policy,
    }),
    fidoMetadata,
    close: () => store.close(),
    demoTenant: 'off',
    directorySync:
      entra && config.graph
        ? new EntraSyncService({
            feed: entra.feed,
            mirror: store.directory,
            state: store.directorySync,
            clock,
            notificationUrl: config.graph.notificationUrl,
            clientState: config.graph.clientState,
            onUserChanged: (userId) => entra.directory.forgetMemberships(userId),
          })
        : undefined,
  };
  // Around the app's SignInService, so every rule it enforces is recorded too.
  const recordedSignIn = new RecordedSignIn({
    signIn: base.signIn,
    credentials: store.credentials,
    directory,
    signInLog: store.signInLog,
    clock,
    defaultAudience: config.apiAudience,
  });
  const app: ComposedApp = { ...base, recordedSignIn };
  // The tenant's users are Entra's: no demo users are made there.
  if (config.seedDemoTenant && !entra) app.demoTenant = (await seedDemoTenant(directory)) ? 'seeded' : 'present';
  return app;
}

let defaultConfig: AppConfig | undefined;
let defaultApp: Promise<App> | undefined;

/** The process-wide configuration, read from the environment once (the Azure Functions entry point). */
export function getDefaultConfig(): AppConfig {
  defaultConfig ??= loadConfig();
  return defaultConfig;
}

/** The process-wide app built from {@link getDefaultConfig} (used by the Azure Functions entry point). */
export function getDefaultApp(): Promise<App> {
  defaultApp ??= createApp(getDefaultConfig());
  return defaultApp;
}
