import { ProtectedResourceService } from '../../shared/services/strengths/protectedResourceService';
import { KeyRestrictionImpactService } from '../../shared/services/keyRestrictionImpactService';
import { createSqliteStore } from '../../shared/adapters/sqlite/store.sqlite';
import { Principal } from '../../shared/domain/auth/principal';
import { DomainError } from '../../shared/domain/errors';
import { Fido2PolicyPatch } from '../../shared/domain/policy/applyPolicyPatch';
import { ChallengeSealer } from '../../shared/domain/webauthn/sealedChallenge';
import { Clock } from '../../shared/ports/clock.port';
import { Store } from '../../shared/ports/store.port';
import { PublicJwks, TokenSigner } from '../../shared/ports/tokens.port';
import type { VerifiedRegistration } from '../../shared/ports/webauthn.port';
import { DirectoryService } from '../../shared/services/directoryService';
import { PolicyService } from '../../shared/services/policyService';
import { DemoTenant, seedDemoTenant } from '../../shared/services/seedDemoTenant';
import { ChallengeService } from '../../shared/services/webauthn/challenges';
import { MethodsService } from '../../shared/services/webauthn/methodsService';
import { RegistrationService } from '../../shared/services/webauthn/registrationService';
import { FakeWebAuthn, registrationResponse, RP } from './fakeWebAuthn';
import { SignInService } from '../../shared/services/webauthn/signInService';

/**
 * Service-level test builders (issue 9 item 4): the real services over `createSqliteStore(':memory:')`
 * with the demo tenant seeded, a clock the test moves, and a fake WebAuthnPort (./fakeWebAuthn.ts) whose verdicts the
 * test sets, so each policy rule and refusal is tested where it lives, without HTTP or real keys.
 */

export const API_AUDIENCE = 'api://passkey-service';
export const TIMEOUT_MS = 5 * 60_000;

/** A clock that stands still until the test moves it. */
export class FakeClock implements Clock {
  constructor(private at = Date.parse('2026-12-02T10:00:00.000Z')) {}
  now(): Date {
    return new Date(this.at);
  }
  advance(ms: number): void {
    this.at += ms;
  }
}

/** Signs nothing: the "token" is the claims as JSON, so a test can read what would be signed. */
export class FakeSigner implements TokenSigner {
  readonly issuer = 'https://passkeys.test';
  async sign(
    claims: Record<string, unknown>,
    options: { lifetimeSeconds: number; audience: string; subject: string },
  ): Promise<string> {
    return JSON.stringify({
      ...claims,
      aud: options.audience,
      sub: options.subject,
      lifetime: options.lifetimeSeconds,
    });
  }
  jwks(): PublicJwks {
    return { keys: [] };
  }
}

export interface WebAuthnServices {
  store: Store;
  clock: FakeClock;
  webauthn: FakeWebAuthn;
  serverSecret: Buffer;
  directory: DirectoryService;
  policy: PolicyService;
  challenges: ChallengeService;
  registration: RegistrationService;
  signIn: SignInService;
  methods: MethodsService;
  /** Sets the FIDO2 policy: enabled for all users, nothing enforced, then `patch` on top. */
  setPolicy(patch?: Fido2PolicyPatch): Promise<void>;
  close(): Promise<void>;
}

export const ADMIN_ACTOR = {
  user: { id: DemoTenant.admin.id, userPrincipalName: DemoTenant.admin.userPrincipalName },
  app: null,
};

/** An app-only caller with every permission (the directory's own rules are not under test here). */
export const ADMIN_APP: Principal = {
  kind: 'application',
  appId: 'test-admin-app',
  permissions: ['Directory.ReadWrite.All'],
  roleTemplateIds: [],
  scopes: [],
};

/** The services as shared/app.ts wires them, over an in-memory SQLite store with the demo tenant. */
export async function createWebAuthnServices(): Promise<WebAuthnServices> {
  const store = createSqliteStore(':memory:');
  const clock = new FakeClock();
  const webauthn = new FakeWebAuthn();
  const serverSecret = Buffer.alloc(32, 7);
  const directory = new DirectoryService(store.directory, clock);
  const policy = new PolicyService(
    store.policies,
    store.directory,
    clock,
    new KeyRestrictionImpactService(store.credentials, store.directory),
  );
  const challenges = new ChallengeService(new ChallengeSealer(serverSecret), store.challenges, clock);
  const common = {
    directory,
    policy,
    credentials: store.credentials,
    challenges,
    webauthn,
    clock,
    serverSecret,
    rp: RP,
  };
  const services: WebAuthnServices = {
    store,
    clock,
    webauthn,
    serverSecret,
    directory,
    policy,
    challenges,
    registration: new RegistrationService(common),
    signIn: new SignInService({
      ...common,
      audit: store.audit,
      signer: new FakeSigner(),
      token: { lifetimeSeconds: 3600, defaultAudience: API_AUDIENCE, allowedAudiences: ['https://app.contoso.com'] },
      timeoutMs: TIMEOUT_MS,
      protectedResources: new ProtectedResourceService({ strengths: store.strengths, clock }),
    }),
    methods: new MethodsService(directory, store.credentials, clock),
    async setPolicy(patch = {}) {
      await policy.patchFido2(
        { state: 'enabled', isSelfServiceRegistrationAllowed: true, ...patch },
        { actor: ADMIN_ACTOR },
      );
    },
    close: () => store.close(),
  };
  await seedDemoTenant(directory);
  return services;
}

/** Self-service registration of a passkey for `upn`: options, then verify with the fake port's facts. */
export async function registerPasskey(
  services: WebAuthnServices,
  upn: string,
  credentialId: string,
  facts: Partial<VerifiedRegistration> = {},
) {
  const { options, user } = await services.registration.options(upn, 'selfService', { timeoutMs: TIMEOUT_MS });
  services.webauthn.registration = facts;
  const actor = { user: { id: user.id, userPrincipalName: user.userPrincipalName }, app: null };
  return services.registration.verify(
    upn,
    'selfService',
    registrationResponse(options.challenge, credentialId),
    undefined,
    actor,
  );
}

/** Runs `promise` and returns the DomainError it rejects with (fails when it resolves). */
export async function refusalOf(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a refusal (DomainError), the call succeeded');
}
