import { createSqliteStore } from './adapters/sqlite/store.sqlite';
import { loadOrCreateServerSecret, loadOrCreateSigningKey } from './adapters/keys/localKeys';
import { JoseAccessTokenVerifier, localJwks, remoteJwks, TrustedIssuer } from './adapters/tokens/joseAccessTokenVerifier';
import { JoseTokenSigner } from './adapters/tokens/joseTokenSigner';
import { AppConfig, loadConfig } from './config';
import { Clock, systemClock } from './ports/clock.port';
import { Store } from './ports/store.port';
import { AccessTokenVerifier, TokenSigner } from './ports/tokens.port';
import { DevTokenService, LOCAL_DEV_ISSUER } from './services/devTokenService';
import { DirectoryService } from './services/directoryService';
import { PolicyService } from './services/policyService';
import { seedDemoTenant } from './services/seedDemoTenant';
import { loadMetadataStatements } from './adapters/webauthn/metadataStatements';
import { SimpleWebAuthnAdapter } from './adapters/webauthn/simpleWebAuthn.adapter';
import { ChallengeSealer } from './domain/webauthn/sealedChallenge';
import { ChallengeService } from './services/webauthn/challenges';
import { MethodsService } from './services/webauthn/methodsService';
import { RegistrationService, RelyingParty } from './services/webauthn/registrationService';
import { SignInService } from './services/webauthn/signInService';
import { WebAuthnPort } from './ports/webauthn.port';
import { ProvisioningJobService } from './services/provisioning/provisioningJobService';
import { join } from 'node:path';
import { ReEnrolmentService } from './services/reenrolment/reEnrolmentService';
import { PinnedHttpSender } from './adapters/http/pinnedHttpSender';
import { HttpSender } from './ports/httpSender.port';
import { WebhookService } from './services/events/webhookService';

/** Everything the triggers need, built once from the configuration. */
export interface App {
  config: AppConfig;
  store: Store;
  clock: Clock;
  tokens: { verifier: AccessTokenVerifier; signer: TokenSigner };
  serverSecret: Buffer;
  policy: PolicyService;
  directory: DirectoryService;
  devTokens: DevTokenService;
  webauthn: WebAuthnPort;
  challenges: ChallengeService;
  registration: RegistrationService;
  signIn: SignInService;
  methods: MethodsService;
  provisioningJobs: ProvisioningJobService;
  /** The UPN-change re-enrolment flow (its consumers and activities). */
  reEnrolment: ReEnrolmentService;
  webhooks: WebhookService;
  close(): Promise<void>;
}

export interface AppOverrides {
  clock?: Clock;
  store?: Store;
  webauthn?: WebAuthnPort;
  /** Outgoing HTTP of webhook deliveries (default: PinnedHttpSender). */
  httpSender?: HttpSender;
}

/** Sign-in options are valid for 5 minutes, as Entra's default challenge timeout. */
export const SIGN_IN_TIMEOUT_MS = 5 * 60 * 1000;

async function createStore(config: AppConfig): Promise<Store> {
  if (config.cosmos) {
    // Loaded lazily: the embedded default should not pay for the Cosmos SDK at start.
    const { createCosmosStore } = await import('./adapters/cosmos/store.cosmos');
    return createCosmosStore(config.cosmos);
  }
  return createSqliteStore(join(config.dataDir, 'passkeys.db'));
}

function trustedIssuers(config: AppConfig, signer: TokenSigner): TrustedIssuer[] {
  const issuers: TrustedIssuer[] = [];
  if (config.allowLocalTokens) {
    // Tokens signed by this installation's key: dev admin tokens, and sign-in tokens used on /me routes.
    for (const issuer of [LOCAL_DEV_ISSUER, config.issuer]) issuers.push({ issuer, audiences: [config.apiAudience], keys: localJwks(signer.jwks()) });
  }
  if (config.entra) issuers.push({ issuer: config.entra.issuer, audiences: [config.entra.audience], keys: remoteJwks(config.entra.jwksUri) });
  return issuers;
}

/** The composition root: picks the adapters for the configuration and builds the services. */
export async function createApp(config: AppConfig, overrides: AppOverrides = {}): Promise<App> {
  const clock = overrides.clock ?? systemClock;
  const store = overrides.store ?? (await createStore(config));
  const signingKey = await loadOrCreateSigningKey(config.dataDir, config.signingKeyJwk);
  const signer = new JoseTokenSigner(config.issuer, signingKey);
  // Dev admin tokens carry a fixed issuer so `npm run token` and a host on another PORT agree.
  const devSigner = new JoseTokenSigner(LOCAL_DEV_ISSUER, signingKey);
  const directory = new DirectoryService(store.directory, clock);
  const serverSecret = loadOrCreateServerSecret(config.dataDir, config.serverSecret);
  const policy = new PolicyService(store.policies, store.directory, clock);
  const webauthn = overrides.webauthn ?? (await SimpleWebAuthnAdapter.create(await loadMetadataStatements(config.fidoMdsPath)));
  const challenges = new ChallengeService(new ChallengeSealer(serverSecret), store.challenges, clock);
  const rp: RelyingParty = { id: config.rpId, name: config.rpName, origins: config.origins };
  const common = { directory, policy, credentials: store.credentials, challenges, webauthn, clock, serverSecret, rp };
  const registration = new RegistrationService(common);
  const methods = new MethodsService(directory, store.credentials, clock);
  const app: App = {
    config,
    store,
    clock,
    tokens: { verifier: new JoseAccessTokenVerifier(trustedIssuers(config, signer)), signer },
    serverSecret,
    policy,
    directory,
    devTokens: new DevTokenService(devSigner, directory, config.apiAudience),
    webauthn,
    challenges,
    registration,
    signIn: new SignInService({
      ...common,
      audit: store.audit,
      signer,
      token: { lifetimeSeconds: config.signInTokenLifetimeSeconds, defaultAudience: config.apiAudience },
      timeoutMs: SIGN_IN_TIMEOUT_MS,
    }),
    methods,
    provisioningJobs: new ProvisioningJobService({ jobs: store.provisioningJobs, directory, policy, registration, credentials: store.credentials, audit: store.audit, clock }),
    reEnrolment: new ReEnrolmentService({ directory, credentials: store.credentials, methods, audit: store.audit, clock, graceHours: config.reEnrolmentGraceHours }),
    webhooks: new WebhookService({ webhooks: store.webhooks, sender: overrides.httpSender ?? new PinnedHttpSender({ allowPrivateNetworks: config.webhookAllowPrivateNetworks }), clock, audit: store.audit }),
    close: () => store.close(),
  };
  if (config.seedDemoTenant) await seedDemoTenant(directory);
  return app;
}

let defaultApp: Promise<App> | undefined;

/** The process-wide app built from the environment (used by the Azure Functions entry point). */
export function getDefaultApp(): Promise<App> {
  defaultApp ??= createApp(loadConfig());
  return defaultApp;
}
