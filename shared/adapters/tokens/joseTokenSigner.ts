import { SignJWT } from 'jose';
import { KeyObject, randomUUID, sign as signBytes } from 'node:crypto';
import { PublicJwks, TokenSigner } from '../../ports/tokens.port';
import { SigningKey } from '../keys/localKeys';

/** ES256 JWTs signed with the installation's key; the public half is served as a JWKS. */
export class JoseTokenSigner implements TokenSigner {
  constructor(
    readonly issuer: string,
    private readonly key: SigningKey,
  ) {
    this.encodedHeader = Buffer.from(JSON.stringify({ alg: 'ES256', kid: key.kid, typ: 'JWT' })).toString('base64url');
  }

  /** The protected header, encoded once: it is the same on every token. */
  private readonly encodedHeader: string;

  async sign(
    claims: Record<string, unknown>,
    options: { lifetimeSeconds: number; audience: string; subject: string },
  ): Promise<string> {
    const { privateKey } = this.key;
    if (privateKey instanceof KeyObject) {
      // The same JWT jose's SignJWT writes, signed synchronously: jose hands each signature to the
      // thread pool, and a sign-in then waits a loop turn (or more, under load) for ~40 µs of work.
      const now = Math.floor(Date.now() / 1000);
      const payload = {
        ...claims,
        iss: this.issuer,
        aud: options.audience,
        sub: options.subject,
        iat: now,
        nbf: now,
        jti: randomUUID(),
        exp: now + options.lifetimeSeconds,
      };
      const input = `${this.encodedHeader}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
      const signature = signBytes('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return `${input}.${signature.toString('base64url')}`;
    }
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: this.key.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(options.audience)
      .setSubject(options.subject)
      .setIssuedAt()
      .setNotBefore('0s')
      .setJti(randomUUID())
      .setExpirationTime(`${options.lifetimeSeconds}s`)
      .sign(this.key.privateKey);
  }

  jwks(): PublicJwks {
    return { keys: [this.key.publicJwk as unknown as Record<string, unknown>] };
  }
}
