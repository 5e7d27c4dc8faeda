import { randomBytes } from 'node:crypto';
import { challengeId, ChallengeSealer, ChallengeState, USED_CHALLENGE_MARGIN_MS } from './sealedChallenge';

const secret = randomBytes(32);
const sealer = new ChallengeSealer(secret);
const state: ChallengeState = {
  ceremony: 'registration',
  userId: '11111111-1111-4111-8111-111111111111',
  expiresAt: 1_800_000_000_000,
};

/** Flips one bit of the decoded challenge at `index` (negative: from the end). */
function flipBit(challenge: string, index: number): string {
  const bytes = Buffer.from(challenge, 'base64url');
  bytes[(index + bytes.length) % bytes.length] ^= 0x01;
  return bytes.toString('base64url');
}

describe('ChallengeSealer: challenges are sealed state, bound to ceremony, user and expiry', () => {
  it.each<[string, ChallengeState]>([
    ['registration for a user', state],
    ['usernameless authentication', { ceremony: 'authentication', expiresAt: 1 }],
    ['provisioning', { ceremony: 'provisioning', userId: 'u', expiresAt: 2 }],
    ['conditional create (automatic passkey upgrade)', { ...state, conditional: true }],
  ])('opens what it sealed: %s', (_title, sealed) => {
    expect(sealer.open(sealer.seal(sealed))).toEqual(sealed);
  });

  it('is random: the same state seals to a different challenge each time', () => {
    const challenges = new Set(Array.from({ length: 20 }, () => sealer.seal(state)));
    expect(challenges.size).toBe(20);
  });

  it('attack: a challenge length does not tell whether it is bound to a user (usernameless sign-in options reveal nothing)', () => {
    const withUser = sealer.seal({ ceremony: 'authentication', userId: state.userId, expiresAt: state.expiresAt });
    const withoutUser = sealer.seal({ ceremony: 'authentication', expiresAt: state.expiresAt });
    expect(withUser.length).toBe(withoutUser.length);
  });

  it('a challenge issued without `conditional` never opens as conditional', () => {
    expect(sealer.open(sealer.seal(state))).not.toHaveProperty('conditional');
    expect(sealer.open(sealer.seal({ ...state, conditional: false }))).not.toHaveProperty('conditional');
  });

  it('attack: a conditional challenge is as long as a modal one (its length reveals nothing)', () => {
    expect(sealer.seal({ ...state, conditional: true }).length).toBe(sealer.seal(state).length);
  });

  it.each<[string, () => string]>([
    ['sealed by another server secret', () => new ChallengeSealer(randomBytes(32)).seal(state)],
    ['a changed ciphertext byte', () => flipBit(sealer.seal(state), 20)],
    ['a changed tag byte', () => flipBit(sealer.seal(state), -1)],
    ['a changed IV byte', () => flipBit(sealer.seal(state), 1)],
    ['another version byte', () => flipBit(sealer.seal(state), 0)],
    ['a truncated challenge', () => sealer.seal(state).slice(0, 30)],
    ['an empty string', () => ''],
    [
      'random bytes of the right length',
      () => randomBytes(Buffer.from(sealer.seal(state), 'base64url').length).toString('base64url'),
    ],
    ['a challenge a client made up', () => Buffer.from('{"c":"registration","e":9999999999999}').toString('base64url')],
  ])('refuses (null) %s', (_title, challenge) => {
    expect(sealer.open(challenge())).toBeNull();
  });
});

describe('challengeId: one id per challenge, whatever its spelling', () => {
  it('attack: base64url spellings of the same bytes (padding, unused low bits) share one id, so a second spelling is no new first use', () => {
    const challenge = sealer.seal(state);
    const padded = challenge + '='.repeat((4 - (challenge.length % 4)) % 4);
    expect(challengeId(padded)).toBe(challengeId(challenge));
    // the last character carries unused low bits unless the length is a multiple of 4 characters
    const lastBits = challenge.length % 4;
    if (lastBits !== 0) {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(challenge.at(-1)!);
      const respelled = challenge.slice(0, -1) + alphabet[last ^ 1];
      expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(challenge, 'base64url'));
      expect(challengeId(respelled)).toBe(challengeId(challenge));
    }
  });

  it('differs between challenges', () => {
    expect(challengeId(sealer.seal(state))).not.toBe(challengeId(sealer.seal(state)));
  });

  it('keeps a used challenge recorded for minutes past its expiry (clock skew between instances)', () => {
    expect(USED_CHALLENGE_MARGIN_MS).toBeGreaterThanOrEqual(60_000);
  });
});
