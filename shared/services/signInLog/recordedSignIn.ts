import { randomUUID } from 'node:crypto';
import { acrsOfToken } from '../../domain/signIns/acrsOfToken';
import { SIGN_IN_SUCCESS, signInErrorCode } from '../../domain/signIns/signInErrorCode';
import { PASSKEY_METHOD, SignInRecord } from '../../domain/signIns/signInRecord';
import { Clock } from '../../ports/clock.port';
import { CredentialRepository } from '../../ports/credentials.port';
import { SignInLogRepository } from '../../ports/signInLog.port';
import { AuthenticationResponseJSON } from '../../ports/webauthn.port';
import type { SignInResult } from '../../schemas/webauthn.schema';
import { DirectoryService } from '../directoryService';
import type { SignInService } from '../webauthn/signInService';

/** What the HTTP edge knows about the request and the sign-in service does not. */
export interface SignInRequestFacts {
  /** The client address, as the rate limiter reads it (TRUST_PROXY honoured by the host). */
  ipAddress: string | null;
  userAgent: string | null;
}

export interface RecordedSignInDeps {
  signIn: Pick<SignInService, 'verify'>;
  credentials: Pick<CredentialRepository, 'get'>;
  directory: Pick<DirectoryService, 'findUser'>;
  signInLog: SignInLogRepository;
  clock: Clock;
  /** The audience of a sign-in that names no resource (API_AUDIENCE). */
  defaultAudience: string;
}

const MAX_USER_AGENT = 512;
const MAX_DETAIL = 1024;

/** Who and what a refused attempt was about, as far as the store still knows. */
interface Subject {
  userId: string | null;
  userPrincipalName: string | null;
  userDisplayName: string | null;
  aaGuid: string | null;
  model: string | null;
}

const NOBODY: Subject = { userId: null, userPrincipalName: null, userDisplayName: null, aaGuid: null, model: null };

/**
 * Sign-in with a record of every attempt: the sign-in log (Graph's auditLogs/signIns) written around
 * SignInService.verify, which stays as it is. One more write per attempt, after the ceremony's own
 * writes and not in their transaction (Cosmos DB has none across containers):
 * - a success is answered only once its record is written; if that write fails the client gets the
 *   store's error (503, retry) although the passkey's counter already moved, so no token is issued
 *   without a record (a retry records a second attempt);
 * - a refusal is answered with its own error whatever happens to the record (best effort: a store
 *   that is down must not turn "refused" into a different answer).
 * A refusal costs one point read of the passkey and one of its user, to name them in the record.
 */
export class RecordedSignIn {
  constructor(private readonly deps: RecordedSignInDeps) {}

  async verify(
    response: AuthenticationResponseJSON,
    resource: string | undefined,
    facts: SignInRequestFacts,
  ): Promise<SignInResult> {
    const at = this.deps.clock.now().toISOString();
    let result: SignInResult;
    try {
      result = await this.deps.signIn.verify(response, resource);
    } catch (e) {
      await this.recordRefusal(response.id, resource, facts, at, e).catch(() => undefined);
      throw e;
    }
    const acrs = acrsOfToken(result.token);
    const audience = resource ?? this.deps.defaultAudience;
    await this.deps.signInLog.append({
      ...this.base(at, audience, facts),
      userId: result.user.id,
      userPrincipalName: result.user.userPrincipalName,
      userDisplayName: result.user.displayName,
      status: { errorCode: SIGN_IN_SUCCESS, failureReason: null, additionalDetails: null },
      authenticationDetails: [
        {
          authenticationMethod: PASSKEY_METHOD,
          authenticationMethodDetail: result.method.model,
          authenticationStepDateTime: at,
          authenticationStepResultDetail: 'MFA successfully completed',
          succeeded: true,
          aaGuid: result.method.aaGuid,
          credentialId: result.method.id,
        },
      ],
      // Conditional Access applied only when the audience is a protected resource (acrs always lists the built-ins met).
      conditionalAccessStatus: result.requiredAuthenticationStrengthId ? 'success' : 'notApplied',
      appliedConditionalAccessPolicies: result.requiredAuthenticationStrengthId
        ? [{ id: audience, displayName: null, result: 'success', authenticationStrengthIds: acrs }]
        : [],
    });
    return result;
  }

  private base(at: string, audience: string, facts: SignInRequestFacts) {
    return {
      id: randomUUID(),
      createdDateTime: at,
      appId: audience,
      resourceId: audience,
      ipAddress: facts.ipAddress,
      clientAppUsed: 'Browser' as const,
      userAgent: facts.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
      isInteractive: true as const,
      authenticationMethodsUsed: [PASSKEY_METHOD],
    };
  }

  private async recordRefusal(
    credentialId: string,
    resource: string | undefined,
    facts: SignInRequestFacts,
    at: string,
    error: unknown,
  ): Promise<void> {
    const subject = await this.subjectOf(credentialId);
    const failureReason =
      error !== null && typeof error === 'object' && 'code' in error && typeof error.code === 'string'
        ? error.code
        : 'internalError';
    const message = (error instanceof Error ? error.message : String(error)).slice(0, MAX_DETAIL);
    const record: SignInRecord = {
      ...this.base(at, resource ?? this.deps.defaultAudience, facts),
      userId: subject.userId,
      userPrincipalName: subject.userPrincipalName,
      userDisplayName: subject.userDisplayName,
      status: { errorCode: signInErrorCode(error), failureReason, additionalDetails: message },
      authenticationDetails: [
        {
          authenticationMethod: PASSKEY_METHOD,
          authenticationMethodDetail: subject.model,
          authenticationStepDateTime: at,
          authenticationStepResultDetail: message,
          succeeded: false,
          aaGuid: subject.aaGuid,
          credentialId: credentialId.slice(0, MAX_DETAIL),
        },
      ],
      conditionalAccessStatus: 'notApplied',
      appliedConditionalAccessPolicies: [],
    };
    await this.deps.signInLog.append(record);
  }

  /** The passkey the assertion named and its owner; nobody when the passkey is unknown (or the store fails). */
  private async subjectOf(credentialId: string): Promise<Subject> {
    const stored = await this.deps.credentials.get(credentialId).catch(() => null);
    if (!stored) return NOBODY;
    const { userId, aaGuid, model } = stored.value;
    const user = await this.deps.directory.findUser(userId).catch(() => null);
    return {
      userId,
      userPrincipalName: user?.value.userPrincipalName ?? null,
      userDisplayName: user?.value.displayName ?? null,
      aaGuid,
      model,
    };
  }
}
