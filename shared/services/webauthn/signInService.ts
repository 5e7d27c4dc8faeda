import { randomUUID } from 'node:crypto';
import { auditRecord } from '../../domain/auditRecords';
import { DomainError, UnknownCredentialError } from '../../domain/errors';
import { ErrorCodes } from '../../domain/errorCodes';
import { assertMethodAvailable, assertPasskeyAllowed } from '../../domain/policy/evaluatePolicy';
import { decoyCredentialsFor, decoyUserIdFor, userHandleFor } from '../../domain/webauthn/derivedIds';
import { canonicalTransports, DescriptorShape } from '../../domain/webauthn/descriptorShape';
import { AuditRepository } from '../../ports/audit.port';
import { ChangeSignal } from '../../ports/changes.port';
import { Clock } from '../../ports/clock.port';
import { ConsumedChallenge, CredentialRepository, StoredCredential } from '../../ports/credentials.port';
import { TokenSigner } from '../../ports/tokens.port';
import {
  AuthenticationResponseJSON,
  PublicKeyCredentialRequestOptionsJSON,
  WebAuthnPort,
} from '../../ports/webauthn.port';
import type { SignInResult } from '../../schemas/webauthn.schema';
import { DirectoryService } from '../directoryService';
import { PolicyService } from '../policyService';
import { retryOnConflict } from '../retryOnConflict';
import { ChangeCache } from '../changeCache';
import { ChallengeService } from './challenges';
import { RelyingParty } from './registrationService';
import { EventTypes } from '../../domain/events/eventTypes';
import { ProtectedResourceService, StrengthRequirement } from '../strengths/protectedResourceService';

export interface SignInDeps {
  directory: DirectoryService;
  policy: PolicyService;
  credentials: CredentialRepository;
  audit: AuditRepository;
  challenges: ChallengeService;
  webauthn: WebAuthnPort;
  signer: TokenSigner;
  clock: Clock;
  serverSecret: Buffer;
  rp: RelyingParty;
  /** `allowedAudiences`: besides the default, the audiences a sign-in may ask for as `resource`. */
  token: { lifetimeSeconds: number; defaultAudience: string; allowedAudiences: string[] };
  timeoutMs: number;
  /** Resources that require an authentication strength (the token's `acrs`). */
  protectedResources: ProtectedResourceService;
  /** The store's signal for users' sets of passkeys (`credentials`' store); absent: read them every time. */
  credentialSetChanges?: ChangeSignal;
}

/** What a successful sign-in answers; its type follows the response schema. */
export type { SignInResult };

/** A stored credential as sign-in options list it: canonical transports, never the raw list. */
function descriptorOf(credential: StoredCredential): DescriptorShape {
  const transports = canonicalTransports(credential.transports);
  return transports ? { id: credential.id, transports } : { id: credential.id };
}

const signInFailed = (message: string) => new DomainError(ErrorCodes.fido2SignInFailed, message);
/** User handles kept at most (an HMAC each, derived from the user id and the server secret: never stale). */
const MAX_USER_HANDLES = 10_000;
const MAX_UPDATE_ATTEMPTS = 5;

/** Passkey sign-in: UPN-first or usernameless, every policy rule checked at every sign-in. */
export class SignInService {
  /** The ids of each user's passkeys (signalAllAcceptedCredentials), kept until one is added or removed. */
  private readonly acceptedCredentialIds: ChangeCache<string[]>;
  private readonly userHandles = new Map<string, string>();

  constructor(private readonly deps: SignInDeps) {
    this.acceptedCredentialIds = new ChangeCache(deps.credentialSetChanges);
  }

  /**
   * Request options. An unknown UPN, or a user without passkeys, gets options of the same shape
   * (decoy descriptors drawn like real lists, stable per UPN), and the store does the same work
   * (a user lookup, then a credential lookup by user id) either way, so the endpoint does not
   * reveal who is registered. Writes nothing.
   */
  async options(userPrincipalName?: string, resource?: string): Promise<PublicKeyCredentialRequestOptionsJSON> {
    // A resource no sign-in may ask for is refused before the ceremony starts (400 invalidResource).
    if (resource !== undefined) this.audienceFor(resource, await this.deps.protectedResources.requirementFor(resource));
    let allowCredentials: DescriptorShape[] = [];
    let userId: string | undefined;
    if (userPrincipalName) {
      const user = await this.deps.directory.findUser(userPrincipalName);
      // UPN-first: only that user's passkey may answer. An unknown UPN binds to an id nobody has,
      // so its options behave (and fail) like those of a user whose passkey does not match.
      userId = user ? user.value.id : decoyUserIdFor(this.deps.serverSecret, userPrincipalName);
      const listed = userId;
      const list = () => this.deps.credentials.listByUser(listed);
      // The same read for everyone; a real user's list is kept for the verify that follows.
      const credentials = user
        ? await this.acceptedCredentialIds.refresh(listed, list, (found) => found.map((c) => c.id))
        : await list();
      allowCredentials =
        credentials.length > 0
          ? credentials.map(descriptorOf)
          : decoyCredentialsFor(this.deps.serverSecret, userPrincipalName);
    }
    const { challenge } = this.deps.challenges.issue('authentication', userId, this.deps.timeoutMs);
    return this.deps.webauthn.authenticationOptions({
      rpId: this.deps.rp.id,
      challenge,
      timeoutMs: this.deps.timeoutMs,
      allowCredentials,
    });
  }

  /**
   * Verifies an assertion and signs a token. Order matters: the signature is checked before any
   * answer that depends on the account (another user's passkey, a deleted or disabled user), so
   * without the private key every response looks alike; the challenge is consumed before a refusal
   * is recorded, so replaying one refused assertion adds one record, not one per replay.
   *
   * @param response the assertion as `@simplewebauthn/browser` sends it
   * @param resource the token audience asked for; the admin API when absent
   * @returns the signed token, who signed in with which passkey, and the re-enrolment hint
   * @throws DomainError 400 `invalidResource`; 401 a challenge code (`invalidChallenge`,
   *   `challengeExpired`, `challengeAlreadyUsed`, `crossOriginCeremony`) or `fido2SignInFailed`;
   *   403 `userAccountDisabled`, a policy refusal (`fido2MethodDisabled`, `fido2UserNotTargeted`,
   *   `fido2UserExcluded`, `fido2KeyRestrictionViolation`, ...) or `fido2PossibleClonedAuthenticator`,
   *   each refusal recorded in the audit log; 412 when the passkey's row keeps losing write races.
   */
  async verify(response: AuthenticationResponseJSON, resource?: string): Promise<SignInResult> {
    const requirement = await this.deps.protectedResources.requirementFor(resource ?? this.deps.token.defaultAudience);
    const audience = this.audienceFor(resource, requirement);
    let acrs: string[];
    const { challenge, state } = this.deps.challenges.open(
      response.response.clientDataJSON,
      'authentication',
      'unauthorized',
    );
    const stored = await this.deps.credentials.get(response.id);
    if (!stored)
      throw new UnknownCredentialError(
        { rpId: this.deps.rp.id, credentialId: response.id },
        'This passkey is not registered (it may have been deleted); sign in with another method or register a new passkey.',
      );
    let credential = stored.value;

    const verified = await this.deps.webauthn
      .verifyAuthentication(response, {
        challenge,
        origins: this.deps.rp.origins,
        rpId: this.deps.rp.id,
        credential: { id: credential.id, publicKey: credential.publicKey, transports: credential.transports },
      })
      .catch((e: unknown) => {
        throw e instanceof DomainError ? new DomainError(ErrorCodes.fido2SignInFailed, e.message) : e;
      });
    // From here on the caller holds the passkey's private key: specific answers reveal nothing new.
    if (state.userId !== undefined && state.userId !== credential.userId)
      throw signInFailed('The passkey used does not belong to the user the sign-in was started for.');
    if (verified.userHandle && verified.userHandle !== this.userHandleOf(credential.userId)) {
      throw signInFailed('The assertion carries a user handle that does not match the passkey owner.');
    }
    const found = await this.deps.directory.findUser(credential.userId);
    // The signature verified, so the caller holds this passkey: its provider may forget it.
    if (!found)
      throw new UnknownCredentialError(
        { rpId: this.deps.rp.id, credentialId: credential.id },
        'The passkey belongs to a user who no longer exists.',
      );
    const user = found.value;
    if (!user.accountEnabled)
      throw new DomainError(ErrorCodes.userAccountDisabled, `The account '${user.userPrincipalName}' is disabled.`);
    // Single use from here on: a refusal below consumes the challenge before it is recorded (so a
    // replay of a refused assertion adds no record), a success consumes it with the counter write.
    const refuse = async (e: unknown) => {
      if (!(e instanceof DomainError)) return;
      await this.deps.challenges.consume(challenge, state, 'unauthorized');
      await this.recordRefusal(credential, user.userPrincipalName, e.code, e.message);
    };

    // Key restrictions and passkey types apply at every sign-in, against the stored AAGUID.
    const { value: policy } = await this.deps.policy.getFido2();
    const subject = { user, groupIds: await this.deps.directory.groupIdsOfUser(user.id) };
    try {
      const profiles = assertMethodAvailable(policy, subject);
      assertPasskeyAllowed(
        profiles,
        { aaGuid: credential.aaGuid, model: credential.model, backupEligible: credential.backupEligible },
        'signIn',
      );
      // The resource's authentication strength, after the method policy (403 authenticationStrengthNotSatisfied).
      acrs = this.deps.protectedResources.satisfiedStrengths(requirement, { aaGuid: credential.aaGuid });
    } catch (e) {
      await refuse(e);
      throw e;
    }

    credential = await this.recordUse(
      credential,
      stored.etag,
      verified.newSignCount,
      verified.backedUp,
      user.userPrincipalName,
      this.deps.challenges.usageOf(challenge, state),
    );

    // Signal API: the passkeys this user still has, so providers hide the ones deleted here.
    const acceptedIds = await this.acceptedCredentialIds.get(user.id, async () =>
      (await this.deps.credentials.listByUser(user.id)).map((c) => c.id),
    );
    const lifetime = this.deps.token.lifetimeSeconds;
    const now = Math.floor(this.deps.clock.now().getTime() / 1000);
    const token = await this.deps.signer.sign(
      {
        oid: user.id,
        upn: user.userPrincipalName,
        preferred_username: user.userPrincipalName,
        name: user.displayName,
        amr: ['fido'],
        aaguid: credential.aaGuid,
        auth_time: now,
        cred_id: credential.id,
        idtyp: 'user',
        acrs,
      },
      { lifetimeSeconds: lifetime, audience, subject: user.id },
    );
    return {
      token,
      tokenType: 'Bearer',
      expiresIn: lifetime,
      user: { id: user.id, userPrincipalName: user.userPrincipalName, displayName: user.displayName },
      method: { id: credential.id, aaGuid: credential.aaGuid, model: credential.model },
      reEnrolmentRequired: credential.reEnrolmentRequired,
      ...(requirement ? { requiredAuthenticationStrengthId: requirement.resource.authenticationStrengthId } : {}),
      signalCurrentUserDetails: {
        rpId: this.deps.rp.id,
        userId: this.userHandleOf(user.id),
        name: user.userPrincipalName,
        displayName: user.displayName,
      },
      signalAllAcceptedCredentials: {
        rpId: this.deps.rp.id,
        userId: this.userHandleOf(user.id),
        allAcceptedCredentialIds: acceptedIds,
      },
    };
  }

  /** The WebAuthn user handle of a user (an HMAC of the id): derived once per user, as a sign-in asks up to three times. */
  private userHandleOf(userId: string): string {
    let handle = this.userHandles.get(userId);
    if (handle === undefined) {
      handle = userHandleFor(this.deps.serverSecret, userId);
      if (this.userHandles.size >= MAX_USER_HANDLES) this.userHandles.clear();
      this.userHandles.set(userId, handle);
    }
    return handle;
  }

  /**
   * The token's audience: the admin API by default; a `resource` only when it is the API, this
   * issuer, a configured ALLOWED_AUDIENCES entry or a protected resource (anything else would let a
   * sign-in mint tokens for any relying party that trusts our keys).
   */
  private audienceFor(resource: string | undefined, requirement: StrengthRequirement | null): string {
    const { defaultAudience, allowedAudiences } = this.deps.token;
    if (resource === undefined) return defaultAudience;
    if (resource === defaultAudience || allowedAudiences.includes(resource) || requirement) return resource;
    throw new DomainError(
      ErrorCodes.invalidResource,
      `The resource '${resource}' is not an allowed token audience; expected one of: ${[defaultAudience, ...allowedAudiences].join(', ')}.`,
    );
  }

  /**
   * Consumes the challenge and updates sign count and last use, in one store write. A counter that
   * does not increase (when either is non-zero) means a possibly cloned authenticator: the challenge
   * is consumed, the refusal recorded.
   */
  private async recordUse(
    credential: StoredCredential,
    etag: string,
    newSignCount: number,
    backedUp: boolean,
    upn: string,
    challenge: ConsumedChallenge,
  ): Promise<StoredCredential> {
    return retryOnConflict(async (attempt) => {
      if (attempt > 1) {
        // Another sign-in with this passkey won the race: judge the counter against the fresh row.
        const fresh = await this.deps.credentials.get(credential.id);
        if (!fresh) throw signInFailed('This passkey was deleted during sign-in.');
        credential = fresh.value;
        etag = fresh.etag;
      }
      if ((newSignCount > 0 || credential.signCount > 0) && newSignCount <= credential.signCount) {
        // A replay of an accepted assertion repeats its counter: it is told "already used", not "cloned".
        if (!(await this.deps.challenges.consumeUsage(challenge)))
          throw this.deps.challenges.alreadyUsed('unauthorized');
        const flagged = { ...credential, cloneWarningDateTime: this.deps.clock.now().toISOString() };
        await this.deps.credentials.update(flagged, etag).catch(() => undefined);
        await this.recordRefusal(
          credential,
          upn,
          'fido2PossibleClonedAuthenticator',
          `sign count ${newSignCount} did not increase past ${credential.signCount}`,
        );
        throw new DomainError(
          ErrorCodes.fido2PossibleClonedAuthenticator,
          `The passkey's signature counter did not increase (received ${newSignCount}, expected more than ${credential.signCount}): the authenticator may have been cloned. The sign-in was refused and recorded.`,
        );
      }
      const next = {
        ...credential,
        signCount: newSignCount,
        backedUp,
        lastUsedDateTime: this.deps.clock.now().toISOString(),
      };
      const written = await this.deps.credentials.recordSignIn(next, etag, challenge);
      if (!written) throw this.deps.challenges.alreadyUsed('unauthorized');
      return written.value;
    }, MAX_UPDATE_ATTEMPTS);
  }

  private async recordRefusal(credential: StoredCredential, upn: string, rule: string, reason: string): Promise<void> {
    await this.deps.audit.append({
      ...auditRecord({
        id: randomUUID(),
        at: this.deps.clock.now(),
        actor: { user: { id: credential.userId, userPrincipalName: upn }, app: null },
        category: 'Authentication',
        activityDisplayName: 'Sign-in with passkey refused',
        eventType: EventTypes.fido2MethodSignInRefused,
        operationType: 'Other',
        target: { id: credential.userId, displayName: upn, type: 'User' },
        before: null,
        after: { methodId: credential.id, aaGuid: credential.aaGuid, rule, reason },
      }),
      result: 'failure',
      resultReason: `${rule}: ${reason}`,
    });
  }
}
