import { Container } from '@azure/cosmos';
import { USED_CHALLENGE_MARGIN_MS } from '../../domain/webauthn/sealedChallenge';
import { ConsumedChallengeRepository } from '../../ports/credentials.port';
import { deleteDocuments, isStatus, queryAll } from './documents.cosmos';

/**
 * Kept past expiry, so a clock skew between instances cannot make an expired challenge usable twice
 * after Cosmos removed its record; purgeExpired removes them sooner on stores without TTL.
 */
const TTL_MARGIN_SECONDS = USED_CHALLENGE_MARGIN_MS / 1000;

/** Single-use challenges: creating the document is the atomic "first use" test. */
export class CosmosConsumedChallengeRepository implements ConsumedChallengeRepository {
  constructor(private readonly container: Container) {}

  async consume(challengeId: string, expiresAt: Date): Promise<boolean> {
    const secondsLeft = Math.ceil((expiresAt.getTime() - Date.now()) / 1000);
    try {
      await this.container.items.create({
        id: challengeId,
        expiresAt: expiresAt.getTime(),
        // Real Cosmos DB deletes the record by itself (the container has defaultTtl -1); ttl must be >= 1.
        ttl: Math.max(1, secondsLeft) + TTL_MARGIN_SECONDS,
      });
      return true;
    } catch (e) {
      if (isStatus(e, 409)) return false;
      throw e;
    }
  }

  /** Forgets a use recorded by this instance whose sign-in then wrote nothing (see recordSignIn). */
  async release(challengeId: string): Promise<void> {
    try {
      await this.container.item(challengeId, challengeId).delete();
    } catch (e) {
      if (!isStatus(e, 404)) throw e;
    }
  }

  /** Needed where TTL is missing (cosmosdb-server) and harmless where it is not. */
  async purgeExpired(now: Date): Promise<number> {
    const ids = await queryAll<string>(this.container, 'SELECT VALUE c.id FROM c WHERE c.expiresAt < @now', [
      { name: '@now', value: now.getTime() },
    ]);
    return deleteDocuments(
      this.container,
      ids.map((id) => ({ id, partitionKey: id })),
    );
  }
}
