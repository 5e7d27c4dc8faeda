import { randomUUID } from 'node:crypto';
import { Actor, actorOf } from '../../domain/auth/actor';
import { Principal } from '../../domain/auth/principal';
import { auditRecord, passkeyActivityName } from '../../domain/auditRecords';
import { User } from '../../domain/directory/directory';
import { DomainError } from '../../domain/errors';
import { ErrorCodes } from '../../domain/errorCodes';
import { assertMayRegister, assertPasskeyAllowed } from '../../domain/policy/evaluatePolicy';
import { challengeTimeoutMs, DEFAULT_CHALLENGE_TIMEOUT_MS } from '../../domain/webauthn/challengeTimeout';
import { userHandleFor } from '../../domain/webauthn/derivedIds';
import { Clock } from '../../ports/clock.port';
import { CredentialRepository, StoredCredential } from '../../ports/credentials.port';
import {
  PublicKeyCredentialCreationOptionsJSON,
  RegistrationResponseJSON,
  WebAuthnPort,
} from '../../ports/webauthn.port';
import { DirectoryService } from '../directoryService';
import { PolicyService } from '../policyService';
import { ChallengeService } from './challenges';
import { Fido2AuthenticationMethod, toFido2Method } from './fido2Method';
import { EventTypes } from '../../domain/events/eventTypes';
import { passkeyHintsFor } from '../../domain/webauthn/passkeyHints';

export interface RelyingParty {
  id: string;
  name: string;
  origins: string[];
}

/** Self-service ("Security info") or an administrator provisioning for the user. */
export type RegistrationMode = 'selfService' | 'admin';

export interface RegistrationOptionsRequest {
  /** Default: Entra's 5 minutes. */
  timeoutMs?: number;
  authenticatorAttachment?: 'platform' | 'cross-platform';
  residentKey?: 'discouraged' | 'preferred' | 'required';
  /**
   * `conditional`: options for conditional create (an automatic passkey upgrade after a sign-in
   * with another method). Self-service only; the challenge remembers it (see ChallengeState.conditional).
   */
  mediation?: 'conditional';
}

export interface RegistrationDeps {
  directory: DirectoryService;
  policy: PolicyService;
  credentials: CredentialRepository;
  challenges: ChallengeService;
  webauthn: WebAuthnPort;
  clock: Clock;
  serverSecret: Buffer;
  rp: RelyingParty;
}

const ceremonyOf = (mode: RegistrationMode) => (mode === 'admin' ? 'provisioning' : 'registration');

/** Registers passkeys with every policy rule checked, for the user themself or by an administrator. */
export class RegistrationService {
  constructor(private readonly deps: RegistrationDeps) {}

  /** The policy subject; a disabled account registers nothing, whoever asks (self-service or an administrator). */
  private async subject(user: User) {
    if (!user.accountEnabled)
      throw new DomainError(
        ErrorCodes.userAccountDisabled,
        `The account '${user.userPrincipalName}' is disabled; a disabled account cannot register a passkey.`,
      );
    return { user, groupIds: await this.deps.directory.groupIdsOfUser(user.id) };
  }

  /** Creation options; refuses early (nothing issued) when the policy would refuse the registration. */
  async options(
    userIdOrUpn: string,
    mode: RegistrationMode,
    request: RegistrationOptionsRequest = {},
  ): Promise<{ options: PublicKeyCredentialCreationOptionsJSON; expiresAt: Date; user: User }> {
    const timeoutMs = request.timeoutMs ?? DEFAULT_CHALLENGE_TIMEOUT_MS;
    const { value: user } = await this.deps.directory.getUser(userIdOrUpn);
    const { value: policy } = await this.deps.policy.getFido2();
    const profiles = assertMayRegister(policy, await this.subject(user), mode);
    const existing = await this.deps.credentials.listByUser(user.id);
    // An administrator's ceremony is always an explicit one: only self-service may be conditional.
    const conditional = mode === 'selfService' && request.mediation === 'conditional';
    const { challenge, expiresAt } = this.deps.challenges.issue(ceremonyOf(mode), user.id, timeoutMs, { conditional });
    const options = await this.deps.webauthn.registrationOptions({
      rpId: this.deps.rp.id,
      rpName: this.deps.rp.name,
      userHandle: userHandleFor(this.deps.serverSecret, user.id),
      userName: user.userPrincipalName,
      userDisplayName: user.displayName,
      challenge,
      timeoutMs,
      excludeCredentials: existing.map((c) => ({ id: c.id, transports: c.transports })),
      authenticatorAttachment: request.authenticatorAttachment,
      residentKey: request.residentKey,
    });
    return { options: { ...options, hints: passkeyHintsFor(profiles) }, expiresAt, user };
  }

  /**
   * Options for a passkey an administrator creates on a user's behalf (Graph creationOptions, a
   * provisioning station): a roaming security key (cross-platform) holding a discoverable
   * credential, so the user can sign in with it without typing a name.
   */
  adminOptions(userIdOrUpn: string, challengeTimeoutInMinutes: number) {
    return this.options(userIdOrUpn, 'admin', {
      timeoutMs: challengeTimeoutMs(challengeTimeoutInMinutes),
      authenticatorAttachment: 'cross-platform',
      residentKey: 'required',
    });
  }

  /**
   * Graph creationOptions: an administrator asks for a user's creation options. A user holding a
   * privileged role takes a PAA or GA (Entra): checked before any challenge is issued.
   */
  async creationOptionsFor(principal: Principal, userIdOrUpn: string, challengeTimeoutInMinutes: number) {
    await this.deps.directory.assertMayActOnUserNamed(principal, 'authenticationMethods', userIdOrUpn);
    return this.adminOptions(userIdOrUpn, challengeTimeoutInMinutes);
  }

  /**
   * Graph: an administrator registers a passkey created on the user's behalf (self-service off
   * does not block it); a user holding a privileged role takes a PAA or GA.
   */
  async provisionFor(
    principal: Principal,
    userIdOrUpn: string,
    response: RegistrationResponseJSON,
    displayName: string | undefined,
  ): Promise<Fido2AuthenticationMethod> {
    await this.deps.directory.assertMayActOnUserNamed(principal, 'authenticationMethods', userIdOrUpn);
    return this.verify(userIdOrUpn, 'admin', response, displayName, actorOf(principal));
  }

  /**
   * Verifies and stores a new passkey. Every rule is checked before anything is written; the
   * challenge is consumed in the same step as the write, so a replay or a parallel duplicate fails.
   */
  async verify(
    userIdOrUpn: string,
    mode: RegistrationMode,
    response: RegistrationResponseJSON,
    displayName: string | undefined,
    actor: Actor,
  ): Promise<Fido2AuthenticationMethod> {
    const { value: user } = await this.deps.directory.getUser(userIdOrUpn);
    const { challenge, state } = this.deps.challenges.open(
      response.response.clientDataJSON,
      ceremonyOf(mode),
      'badRequest',
      user.id,
    );
    const { value: policy } = await this.deps.policy.getFido2();
    const profiles = assertMayRegister(policy, await this.subject(user), mode);
    const verified = await this.deps.webauthn.verifyRegistration(response, {
      challenge,
      origins: this.deps.rp.origins,
      rpId: this.deps.rp.id,
      // WebAuthn L3 conditional create: the browser creates the passkey without a gesture (UP=0).
      // Accepted only for a challenge issued as conditional; user verification and every policy
      // rule below still apply.
      requireUserPresence: state.conditional !== true,
    });
    const model = await this.deps.webauthn.modelOf(verified.aaGuid);
    assertPasskeyAllowed(
      profiles,
      { aaGuid: verified.aaGuid, model, backupEligible: verified.backupEligible, attested: verified.attested },
      'registration',
    );
    await this.deps.challenges.consume(challenge, state, 'badRequest');

    const now = this.deps.clock.now().toISOString();
    const credential: StoredCredential = {
      id: verified.credentialId,
      userId: user.id,
      displayName: displayName ?? model ?? 'Passkey',
      publicKey: verified.publicKey,
      signCount: verified.signCount,
      transports: verified.transports,
      aaGuid: verified.aaGuid,
      model,
      attestationLevel: verified.attested ? 'attested' : 'notAttested',
      attestationCertificates: verified.attestationCertificates,
      attestationFormat: verified.attestationFormat,
      backupEligible: verified.backupEligible,
      backedUp: verified.backedUp,
      createdDateTime: now,
      lastUsedDateTime: null,
      cloneWarningDateTime: null,
      reEnrolmentRequired: false,
    };
    await this.deps.credentials.create(
      credential,
      auditRecord({
        id: randomUUID(),
        at: this.deps.clock.now(),
        actor,
        category: 'UserManagement',
        activityDisplayName: `${passkeyActivityName('Add', verified.backupEligible)}${mode === 'admin' ? ' on behalf of user' : ''}`,
        eventType: EventTypes.fido2MethodRegistered,
        operationType: 'Add',
        target: { id: user.id, displayName: user.userPrincipalName, type: 'User' },
        before: null,
        after: toFido2Method(credential),
      }),
    );
    return toFido2Method(credential);
  }
}
