import { ChallengeSealer, USED_CHALLENGE_MARGIN_MS } from '../../domain/webauthn/sealedChallenge';
import { ConsumedChallengeRepository } from '../../ports/credentials.port';
import { ChallengeService } from './challenges';

/** The consumed-challenge port in memory, with the store's semantics. */
class MemoryConsumed implements ConsumedChallengeRepository {
  readonly records = new Map<string, number>();
  async consume(id: string, expiresAt: Date): Promise<boolean> {
    if (this.records.has(id)) return false;
    this.records.set(id, expiresAt.getTime());
    return true;
  }
  async purgeExpired(now: Date): Promise<number> {
    const expired = [...this.records].filter(([, at]) => at < now.getTime());
    for (const [id] of expired) this.records.delete(id);
    return expired.length;
  }
}

const TIMEOUT = 5 * 60_000;
const clientData = (challenge: string) =>
  Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge, origin: 'http://localhost:7071' })).toString(
    'base64url',
  );

function setup() {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const consumed = new MemoryConsumed();
  const service = new ChallengeService(new ChallengeSealer(Buffer.alloc(32, 1)), consumed, {
    now: () => new Date(now),
  });
  return { service, consumed, advance: (ms: number) => (now += ms) };
}

describe('ChallengeService', () => {
  it('attack: every base64url spelling of one challenge is the same challenge for single use', async () => {
    const { service } = setup();
    const { challenge } = service.issue('authentication', undefined, TIMEOUT);
    const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const spellings = [
      challenge,
      `${challenge}==`,
      challenge.slice(0, -1) + last[last.indexOf(challenge.at(-1)!) ^ 1],
    ].filter((s) => Buffer.from(s, 'base64url').equals(Buffer.from(challenge, 'base64url')));
    expect(new Set(spellings).size).toBeGreaterThan(1);
    const first = service.open(clientData(spellings[0]), 'authentication', 'unauthorized');
    await service.consume(first.challenge, first.state, 'unauthorized');
    for (const spelling of spellings.slice(1)) {
      const again = service.open(clientData(spelling), 'authentication', 'unauthorized');
      await expect(service.consume(again.challenge, again.state, 'unauthorized')).rejects.toMatchObject({
        code: 'challengeAlreadyUsed',
      });
    }
  });

  it.each([
    ['just expired', TIMEOUT + 1000, 0],
    ['expired less than the margin ago', TIMEOUT + USED_CHALLENGE_MARGIN_MS - 1000, 0],
    ['expired more than the margin ago', TIMEOUT + USED_CHALLENGE_MARGIN_MS + 1000, 1],
  ])('a used challenge %s (%p ms after issue): %p purged', async (_when, later, purged) => {
    const { service, consumed, advance } = setup();
    const { challenge } = service.issue('authentication', undefined, TIMEOUT);
    const opened = service.open(clientData(challenge), 'authentication', 'unauthorized');
    await service.consume(opened.challenge, opened.state, 'unauthorized');
    advance(later);
    expect(await service.purgeExpired()).toBe(purged);
    expect(consumed.records.size).toBe(1 - purged);
  });
});
