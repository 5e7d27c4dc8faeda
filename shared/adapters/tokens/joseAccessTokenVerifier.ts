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

const GENERIC = 'Access token validation failure. Invalid audience, issuer, signature or lifetime.';

const invalidToken = (cause?: unknown, message = GENERIC) =>
  new DomainError(ErrorCodes.invalidAuthenticationToken, message, { cause });

/**
 * What went wrong with a token, in words a caller can act on (still 401 InvalidAuthenticationToken):
 * expired (and when), signed by a key this instance does not hold (a token minted by another
 * instance, or before a key rotation), or the audience. Everything else keeps Graph's generic text.
 */
export function describeTokenFailure(error: unknown, issuer: string): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'ERR_JWT_EXPIRED') {
    const exp = (error as { payload?: { exp?: unknown } }).payload?.exp;
    const when = typeof exp === 'number' ? ` at ${new Date(exp * 1000).toISOString()}` : '';
    return `Access token validation failure: the token expired${when}; get a new one.`;
  }
  if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED')
    return `Access token validation failure: the token is signed by a key that issuer '${issuer}' does not use here (a token from another instance of this service, or from before its key changed); get a new token from this instance.`;
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (error as { claim?: unknown }).claim === 'aud')
    return 'Access token validation failure: the token is for another audience (its aud claim is not this API).';
  return GENERIC;
}

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
    if (!trusted)
      throw invalidToken(undefined, `Access token validation failure: the issuer is not one this service trusts.`);
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
      if (e instanceof DomainError) throw e;
      throw invalidToken(e, describeTokenFailure(e, trusted.issuer));
    }
  }
}
