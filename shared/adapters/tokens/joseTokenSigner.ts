import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { PublicJwks, TokenSigner } from '../../ports/tokens.port';
import { SigningKey } from '../keys/localKeys';

/** ES256 JWTs signed with the installation's key; the public half is served as a JWKS. */
export class JoseTokenSigner implements TokenSigner {
  constructor(
    readonly issuer: string,
    private readonly key: SigningKey,
  ) {}

  async sign(
    claims: Record<string, unknown>,
    options: { lifetimeSeconds: number; audience: string; subject: string },
  ): Promise<string> {
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
