import { badRequest, DomainError } from '../../domain/errors';
import { ClientDataFrame, crossOriginProblem } from '../../domain/webauthn/clientDataRules';
import { Ceremony, ChallengeSealer, ChallengeState, challengeId, USED_CHALLENGE_MARGIN_MS } from '../../domain/webauthn/sealedChallenge';
import { Clock } from '../../ports/clock.port';
import { ConsumedChallengeRepository } from '../../ports/credentials.port';

const challengeError = (kind: 'badRequest' | 'unauthorized', code: string, message: string) => new DomainError(kind, code, message);

/** Issues sealed challenges and checks them on the way back: ceremony, user, expiry, single use. */
export class ChallengeService {
  constructor(
    private readonly sealer: ChallengeSealer,
    private readonly consumed: ConsumedChallengeRepository,
    private readonly clock: Clock,
  ) {}

  issue(ceremony: Ceremony, userId: string | undefined, timeoutMs: number): { challenge: string; expiresAt: Date } {
    const expiresAt = new Date(this.clock.now().getTime() + timeoutMs);
    return { challenge: this.sealer.seal({ ceremony, userId, expiresAt: expiresAt.getTime() }), expiresAt };
  }

  /**
   * Reads the challenge out of a response's clientDataJSON and checks it was issued by us for this
   * ceremony (and user), and has not expired, and that the ceremony did not run in another site's
   * frame. Does not consume it: see `consume`.
   */
  open(clientDataJSON: string, ceremony: Ceremony, failureKind: 'badRequest' | 'unauthorized', userId?: string): { challenge: string; state: ChallengeState } {
    let clientData: { challenge?: unknown } & ClientDataFrame;
    try {
      clientData = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8')) as typeof clientData;
    } catch {
      throw badRequest('invalidWebAuthnResponse', 'response.clientDataJSON is not base64url-encoded JSON.');
    }
    if (typeof clientData !== 'object' || clientData === null) throw badRequest('invalidWebAuthnResponse', 'response.clientDataJSON is not a JSON object.');
    const framed = crossOriginProblem(clientData);
    if (framed) throw challengeError(failureKind, 'crossOriginCeremony', `The ${ceremony} was refused: ${framed}.`);
    const challenge = clientData.challenge;
    const state = typeof challenge === 'string' ? this.sealer.open(challenge) : null;
    if (!state) throw challengeError(failureKind, 'invalidChallenge', 'The challenge in clientDataJSON was not issued by this service; request new options.');
    if (state.ceremony !== ceremony) throw challengeError(failureKind, 'invalidChallenge', `The challenge was issued for ${state.ceremony}, not ${ceremony}; request new options.`);
    if (userId !== undefined && state.userId !== userId) throw challengeError(failureKind, 'invalidChallenge', 'The challenge was issued for another user; request new options.');
    if (state.expiresAt <= this.clock.now().getTime()) throw challengeError(failureKind, 'challengeExpired', `The challenge expired at ${new Date(state.expiresAt).toISOString()}; request new options.`);
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
    const first = await this.consumed.consume(challengeId(challenge), new Date(state.expiresAt));
    if (!first) throw challengeError(failureKind, 'challengeAlreadyUsed', 'This challenge was already used; each challenge is valid for one ceremony. Request new options.');
  }
}
