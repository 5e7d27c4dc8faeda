import { Principal } from '../domain/auth/principal';

/** Validates a bearer token and says who is calling; throws a DomainError of kind `unauthorized`. */
export interface AccessTokenVerifier {
  verify(token: string): Promise<Principal>;
}

export interface PublicJwks {
  keys: Array<Record<string, unknown>>;
}

/** Signs the JWTs this service issues (sign-in tokens, local dev admin tokens). */
export interface TokenSigner {
  readonly issuer: string;
  sign(
    claims: Record<string, unknown>,
    options: { lifetimeSeconds: number; audience: string; subject: string },
  ): Promise<string>;
  jwks(): PublicJwks;
}
