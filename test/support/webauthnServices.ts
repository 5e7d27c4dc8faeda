import { createSqliteStore } from '../../shared/adapters/sqlite/store.sqlite';
import { Principal } from '../../shared/domain/auth/principal';
import { DomainError } from '../../shared/domain/errors';
import { Fido2PolicyPatch } from '../../shared/domain/policy/applyPolicyPatch';
import { ChallengeSealer } from '../../shared/domain/webauthn/sealedChallenge';
import { Clock } from '../../shared/ports/clock.port';
import { Store } from '../../shared/ports/store.port';
import { PublicJwks, TokenSigner } from '../../shared/ports/tokens.port';
import type {
  AuthenticationResponseJSON,
  ExpectedCeremony,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationOptionsInput,
  RegistrationResponseJSON,
  VerifiedAuthentication,
  VerifiedRegistration,
  WebAuthnPort,
} from '../../shared/ports/webauthn.port';
import { DirectoryService } from '../../shared/services/directoryService';
import { PolicyService } from '../../shared/services/policyService';
import { DemoTenant, seedDemoTenant } from '../../shared/services/seedDemoTenant';
import { ChallengeService } from '../../shared/services/webauthn/challenges';
import { MethodsService } from '../../shared/services/webauthn/methodsService';
import { RegistrationService, RelyingParty } from '../../shared/services/webauthn/registrationService';
import { SignInService } from '../../shared/services/webauthn/signInService';

/**
 * Service-level test builders (issue 9 item 4): the real services over `createSqliteStore(':memory:')`
 * with the demo tenant seeded, a clock the test moves, and a fake WebAuthnPort whose verdicts the
 * test sets, so each policy rule and refusal is tested where it lives, without HTTP or real keys.
 */

export const YUBIKEY_5 = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
export const UNLISTED_AAGUID = '5ca1ab1e-0000-4000-8000-00000000c0de';
export const RP: RelyingParty = { id: 'localhost', name: 'Contoso', origins: ['http://localhost:7071'] };
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
  async sign(claims: Record<string, unknown>, options: { lifetimeSeconds: number; audience: string; subject: string }): Promise<string> {
    return JSON.stringify({ ...claims, aud: options.audience, sub: options.subject, lifetime: options.lifetimeSeconds });
  }
  jwks(): PublicJwks {
    return { keys: [] };
  }
}

/** The challenge a response's clientDataJSON carries. */
export function challengeOf(clientDataJSON: string): string {
  return (JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as { challenge: string }).challenge;
}

const clientData = (type: string, challenge: string, extra: Record<string, unknown> = {}) =>
  Buffer.from(JSON.stringify({ type, challenge, origin: RP.origins[0], ...extra })).toString('base64url');

/** A registration response for `challenge`; its attestation means nothing to the fake port. */
export function registrationResponse(challenge: string, id: string, clientDataExtra: Record<string, unknown> = {}): RegistrationResponseJSON {
  return {
    id,
    rawId: id,
    type: 'public-key',
    response: { clientDataJSON: clientData('webauthn.create', challenge, clientDataExtra), attestationObject: 'fake', transports: ['usb'] },
    clientExtensionResults: {},
  };
}

/** An assertion by credential `id` for `challenge`. */
export function authenticationResponse(challenge: string, id: string, clientDataExtra: Record<string, unknown> = {}): AuthenticationResponseJSON {
  return {
    id,
    rawId: id,
    type: 'public-key',
    response: { clientDataJSON: clientData('webauthn.get', challenge, clientDataExtra), authenticatorData: 'fake', signature: 'fake' },
    clientExtensionResults: {},
  };
}

/**
 * The WebAuthn port with verdicts the test sets: `registration` facts for the next verified
 * registration, `authentication` for the next assertion, `signatureInvalid` to refuse assertions.
 * It still checks that the response answers the expected challenge, as the real adapter does.
 */
export class FakeWebAuthn implements WebAuthnPort {
  registration: Partial<VerifiedRegistration> = {};
  authentication: Partial<VerifiedAuthentication> = {};
  signatureInvalid = false;
  models: Record<string, string> = { [YUBIKEY_5]: 'YubiKey 5 Series' };
  readonly calls: string[] = [];

  async registrationOptions(input: RegistrationOptionsInput): Promise<PublicKeyCredentialCreationOptionsJSON> {
    this.calls.push('registrationOptions');
    return {
      rp: { id: input.rpId, name: input.rpName },
      user: { id: input.userHandle, name: input.userName, displayName: input.userDisplayName },
      challenge: input.challenge,
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
      timeout: input.timeoutMs,
      excludeCredentials: input.excludeCredentials.map((c) => ({ id: c.id, type: 'public-key' })),
    };
  }

  async verifyRegistration(response: RegistrationResponseJSON, expected: ExpectedCeremony): Promise<VerifiedRegistration> {
    this.calls.push('verifyRegistration');
    if (challengeOf(response.response.clientDataJSON) !== expected.challenge) throw new DomainError('badRequest', 'invalidWebAuthnResponse', 'challenge mismatch');
    return {
      credentialId: response.id,
      publicKey: `public-key-of-${response.id}`,
      signCount: 0,
      transports: ['usb'],
      aaGuid: YUBIKEY_5,
      attestationFormat: 'none',
      attested: false,
      attestationCertificates: [],
      backupEligible: false,
      backedUp: false,
      ...this.registration,
    };
  }

  async authenticationOptions(input: { rpId: string; challenge: string; timeoutMs: number; allowCredentials: Array<{ id: string; transports?: string[] }> }): Promise<PublicKeyCredentialRequestOptionsJSON> {
    this.calls.push('authenticationOptions');
    return { rpId: input.rpId, challenge: input.challenge, timeout: input.timeoutMs, allowCredentials: input.allowCredentials.map((c) => ({ id: c.id, type: 'public-key' })), userVerification: 'required' };
  }

  async verifyAuthentication(response: AuthenticationResponseJSON, expected: ExpectedCeremony & { credential: { id: string } }): Promise<VerifiedAuthentication> {
    this.calls.push('verifyAuthentication');
    if (this.signatureInvalid || expected.credential.id !== response.id) throw new DomainError('badRequest', 'invalidWebAuthnResponse', 'The assertion signature does not verify with the stored public key.');
    if (challengeOf(response.response.clientDataJSON) !== expected.challenge) throw new DomainError('badRequest', 'invalidWebAuthnResponse', 'challenge mismatch');
    return { newSignCount: 0, backedUp: false, ...this.authentication };
  }

  async modelOf(aaGuid: string): Promise<string | null> {
    return this.models[aaGuid] ?? null;
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

export const ADMIN_ACTOR = { user: { id: DemoTenant.admin.id, userPrincipalName: DemoTenant.admin.userPrincipalName }, app: null };

/** An app-only caller with every permission (the directory's own rules are not under test here). */
export const ADMIN_APP: Principal = { kind: 'application', appId: 'test-admin-app', permissions: ['Directory.ReadWrite.All'], roleTemplateIds: [], scopes: [] };

/** The services as shared/app.ts wires them, over an in-memory SQLite store with the demo tenant. */
export async function createWebAuthnServices(): Promise<WebAuthnServices> {
  const store = createSqliteStore(':memory:');
  const clock = new FakeClock();
  const webauthn = new FakeWebAuthn();
  const serverSecret = Buffer.alloc(32, 7);
  const directory = new DirectoryService(store.directory, clock);
  const policy = new PolicyService(store.policies, store.directory, clock);
  const challenges = new ChallengeService(new ChallengeSealer(serverSecret), store.challenges, clock);
  const common = { directory, policy, credentials: store.credentials, challenges, webauthn, clock, serverSecret, rp: RP };
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
    }),
    methods: new MethodsService(directory, store.credentials, clock),
    async setPolicy(patch = {}) {
      await policy.patchFido2({ state: 'enabled', isSelfServiceRegistrationAllowed: true, ...patch }, { actor: ADMIN_ACTOR });
    },
    close: () => store.close(),
  };
  await seedDemoTenant(directory);
  return services;
}

/** Self-service registration of a passkey for `upn`: options, then verify with the fake port's facts. */
export async function registerPasskey(services: WebAuthnServices, upn: string, credentialId: string, facts: Partial<VerifiedRegistration> = {}) {
  const { options, user } = await services.registration.options(upn, 'selfService', { timeoutMs: TIMEOUT_MS });
  services.webauthn.registration = facts;
  const actor = { user: { id: user.id, userPrincipalName: user.userPrincipalName }, app: null };
  return services.registration.verify(upn, 'selfService', registrationResponse(options.challenge, credentialId), undefined, actor);
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
