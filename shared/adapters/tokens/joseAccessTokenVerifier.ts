import { createLocalJWKSet, createRemoteJWKSet, jwtVerify, JWTVerifyGetKey } from 'jose';
import { Principal } from '../../domain/auth/principal';
import { principalFromClaims } from '../../domain/auth/principalFromClaims';
import { DomainError } from '../../domain/errors';
import { ErrorCodes } from '../../domain/errorCodes';
import { AccessTokenVerifier, PublicJwks } from '../../ports/tokens.port';

/** One issuer we trust: its keys and the audience its tokens must carry. */
export interface TrustedIssuer {
  issuer: string;
  audiences: string[];
  keys: JWTVerifyGetKey;
}

export const localJwks = (jwks: PublicJwks): JWTVerifyGetKey =>
  createLocalJWKSet(jwks as unknown as Parameters<typeof createLocalJWKSet>[0]);
export const remoteJwks = (uri: string): JWTVerifyGetKey => createRemoteJWKSet(new URL(uri));

const invalidToken = (cause?: unknown) =>
  new DomainError(
    ErrorCodes.invalidAuthenticationToken,
    'Access token validation failure. Invalid audience, issuer, signature or lifetime.',
    { cause },
  );

/**
 * Verifies bearer tokens from any trusted issuer (Entra's tenant keys in Azure, the local key for
 * dev tokens): signature, issuer, audience, expiry (60 s clock skew), ES256/RS256 only.
 */
export class JoseAccessTokenVerifier implements AccessTokenVerifier {
  constructor(private readonly issuers: TrustedIssuer[]) {}

  async verify(token: string): Promise<Principal> {
    let issuer: string | undefined;
    try {
      const [, payload] = token.split('.');
      issuer = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: string }).iss;
    } catch (e) {
      throw invalidToken(e);
    }
    const trusted = this.issuers.find((i) => i.issuer === issuer);
    if (!trusted) throw invalidToken();
    try {
      const { payload } = await jwtVerify(token, trusted.keys, {
        issuer: trusted.issuer,
        audience: trusted.audiences,
        algorithms: ['ES256', 'RS256'],
        clockTolerance: 60,
        requiredClaims: ['exp'],
      });
      return principalFromClaims(payload as Record<string, unknown>);
    } catch (e) {
      throw invalidToken(e);
    }
  }
}
