import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

export type Ceremony = 'registration' | 'authentication' | 'provisioning';

/** What a challenge is bound to; sealed into the challenge itself so issuing one writes nothing. */
export interface ChallengeState {
  ceremony: Ceremony;
  /** The user the ceremony is for; absent for usernameless sign-in. */
  userId?: string;
  /** Expiry, epoch milliseconds. */
  expiresAt: number;
  /**
   * Issued for conditional create (an automatic passkey upgrade, `mediation: "conditional"`): only
   * such a registration may come back without user presence (WebAuthn L3 §5.1.3, UP=0 allowed).
   */
  conditional?: boolean;
}

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const RANDOM_BYTES = 16;
/**
 * Plaintexts are padded (JSON tolerates trailing spaces) to at least this many bytes, then to a
 * multiple of PAD_BLOCK: a challenge's length must not tell whether it is bound to a user, or
 * sign-in options would reveal which UPNs have passkeys.
 */
const PADDED_BYTES = 128;
const PAD_BLOCK = 32;

/**
 * Challenges are AES-256-GCM sealed state: random (16 bytes of entropy inside), authenticated,
 * bound to ceremony, user and expiry. Single use is enforced by recording the challenge's id when it
 * is consumed (see ConsumedChallengeRepository), so the unauthenticated options endpoint stores nothing.
 */
export class ChallengeSealer {
  private readonly key: Buffer;

  constructor(serverSecret: Buffer) {
    this.key = Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), 'passkey-challenge-v1', 32));
  }

  seal(state: ChallengeState): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from([VERSION]));
    const json = JSON.stringify({
      c: state.ceremony,
      u: state.userId,
      e: state.expiresAt,
      ...(state.conditional ? { m: 1 } : {}),
      r: randomBytes(RANDOM_BYTES).toString('base64url'),
    });
    const plaintext = Buffer.from(
      json.padEnd(Math.max(PADDED_BYTES, Math.ceil(json.length / PAD_BLOCK) * PAD_BLOCK), ' '),
    );
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  /** The sealed state, or null when the challenge was not issued by this key (or was altered). */
  open(challenge: string): ChallengeState | null {
    const bytes = Buffer.from(challenge, 'base64url');
    if (bytes.length < 1 + IV_BYTES + TAG_BYTES + 1 || bytes[0] !== VERSION) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(Buffer.from([VERSION]));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const plaintext = Buffer.concat([
        decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]);
      const parsed = JSON.parse(plaintext.toString('utf8')) as { c: Ceremony; u?: string; e: number; m?: 1 };
      const state: ChallengeState = { ceremony: parsed.c, userId: parsed.u, expiresAt: parsed.e };
      return parsed.m === 1 ? { ...state, conditional: true } : state;
    } catch {
      return null;
    }
  }
}

/**
 * The id under which a consumed challenge is recorded: a hash of the decoded bytes, not of the
 * string. Base64url decoding ignores padding and the unused low bits of the last character, so one
 * challenge has several spellings that all open; keyed on the string, each spelling (signed into
 * a fresh clientDataJSON by a hostile client) would be a new "first use".
 */
export const challengeId = (challenge: string) =>
  createHash('sha256').update(Buffer.from(challenge, 'base64url')).digest('base64url');

/**
 * How long a used challenge stays recorded after its expiry. Instances' clocks differ a little:
 * one that is behind still accepts a challenge another already considers expired, so the record
 * must outlive the expiry by more than any plausible skew.
 */
export const USED_CHALLENGE_MARGIN_MS = 5 * 60 * 1000;
