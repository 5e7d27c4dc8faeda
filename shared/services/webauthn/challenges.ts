import { DomainError } from '../../domain/errors';
import { ErrorCodes } from '../../domain/errorCodes';
import { ClientDataFrame, crossOriginProblem } from '../../domain/webauthn/clientDataRules';
import {
  Ceremony,
  ChallengeSealer,
  ChallengeState,
  challengeId,
  USED_CHALLENGE_MARGIN_MS,
} from '../../domain/webauthn/sealedChallenge';
import { Clock } from '../../ports/clock.port';
import { ConsumedChallenge, ConsumedChallengeRepository } from '../../ports/credentials.port';

/** Challenge refusals by the ceremony's failure kind: 400 at registration, 401 at sign-in. */
const REFUSALS = {
  badRequest: {
    crossOrigin: ErrorCodes.crossOriginCeremony,
    invalid: ErrorCodes.invalidChallenge,
    expired: ErrorCodes.challengeExpired,
    alreadyUsed: ErrorCodes.challengeAlreadyUsed,
  },
  unauthorized: {
    crossOrigin: ErrorCodes.signInCrossOriginCeremony,
    invalid: ErrorCodes.signInInvalidChallenge,
    expired: ErrorCodes.signInChallengeExpired,
    alreadyUsed: ErrorCodes.signInChallengeAlreadyUsed,
  },
} as const;

const challengeError = (kind: keyof typeof REFUSALS, refusal: keyof (typeof REFUSALS)['badRequest'], message: string) =>
  new DomainError(REFUSALS[kind][refusal], message);

/** Issues sealed challenges and checks them on the way back: ceremony, user, expiry, single use. */
export class ChallengeService {
  constructor(
    private readonly sealer: ChallengeSealer,
    private readonly consumed: ConsumedChallengeRepository,
    private readonly clock: Clock,
  ) {}

  /** `conditional`: the challenge is for conditional create (see ChallengeState.conditional). */
  issue(
    ceremony: Ceremony,
    userId: string | undefined,
    timeoutMs: number,
    { conditional = false }: { conditional?: boolean } = {},
  ): { challenge: string; expiresAt: Date } {
    const expiresAt = new Date(this.clock.now().getTime() + timeoutMs);
    const state: ChallengeState = { ceremony, userId, expiresAt: expiresAt.getTime() };
    return { challenge: this.sealer.seal(conditional ? { ...state, conditional } : state), expiresAt };
  }

  /**
   * Reads the challenge out of a response's clientDataJSON and checks it was issued by us for this
   * ceremony (and user), and has not expired, and that the ceremony did not run in another site's
   * frame. Does not consume it: see `consume`.
   */
  open(
    clientDataJSON: string,
    ceremony: Ceremony,
    failureKind: 'badRequest' | 'unauthorized',
    userId?: string,
  ): { challenge: string; state: ChallengeState } {
    let clientData: { challenge?: unknown } & ClientDataFrame;
    try {
      clientData = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as typeof clientData;
    } catch {
      throw new DomainError(
        ErrorCodes.invalidWebAuthnResponse,
        'response.clientDataJSON is not base64url-encoded JSON.',
      );
    }
    if (typeof clientData !== 'object' || clientData === null)
      throw new DomainError(ErrorCodes.invalidWebAuthnResponse, 'response.clientDataJSON is not a JSON object.');
    const framed = crossOriginProblem(clientData);
    if (framed) throw challengeError(failureKind, 'crossOrigin', `The ${ceremony} was refused: ${framed}.`);
    const challenge = clientData.challenge;
    const state = typeof challenge === 'string' ? this.sealer.open(challenge) : null;
    if (!state)
      throw challengeError(
        failureKind,
        'invalid',
        'The challenge in clientDataJSON was not issued by this service; request new options.',
      );
    if (state.ceremony !== ceremony)
      throw challengeError(
        failureKind,
        'invalid',
        `The challenge was issued for ${state.ceremony}, not ${ceremony}; request new options.`,
      );
    if (userId !== undefined && state.userId !== userId)
      throw challengeError(failureKind, 'invalid', 'The challenge was issued for another user; request new options.');
    if (state.expiresAt <= this.clock.now().getTime())
      throw challengeError(
        failureKind,
        'expired',
        `The challenge expired at ${new Date(state.expiresAt).toISOString()}; request new options.`,
      );
    return { challenge: challenge as string, state };
  }

  /**
   * Forgets used challenges once they expired more than USED_CHALLENGE_MARGIN_MS ago: by then no
   * instance, even one whose clock is behind, still accepts them.
   */
  purgeExpired(): Promise<number> {
    return this.consumed.purgeExpired(new Date(this.clock.now().getTime() - USED_CHALLENGE_MARGIN_MS));
  }

  /** Marks the challenge used; throws when it already was (a replay, or a parallel duplicate). */
  async consume(challenge: string, state: ChallengeState, failureKind: 'badRequest' | 'unauthorized'): Promise<void> {
    const { id, expiresAt } = this.usageOf(challenge, state);
    if (!(await this.consumed.consume(id, expiresAt))) throw this.alreadyUsed(failureKind);
  }

  /** Records a use from {@link usageOf}; false when it was recorded before. */
  consumeUsage(usage: ConsumedChallenge): Promise<boolean> {
    return this.consumed.consume(usage.id, usage.expiresAt);
  }

  /** The record of this challenge's use, for a store write that consumes it with another (a sign-in's). */
  usageOf(challenge: string, state: ChallengeState): ConsumedChallenge {
    return { id: challengeId(challenge), expiresAt: new Date(state.expiresAt) };
  }

  /** The refusal of a challenge used before (a replay, or a parallel duplicate). */
  alreadyUsed(failureKind: 'badRequest' | 'unauthorized'): DomainError {
    return challengeError(
      failureKind,
      'alreadyUsed',
      'This challenge was already used; each challenge is valid for one ceremony. Request new options.',
    );
  }
}
