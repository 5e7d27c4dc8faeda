import { ErrorCodes } from '../errorCodes';
import { DomainError } from '../errors';
import { Principal } from './principal';

const strings = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : typeof value === 'string'
      ? value.split(' ').filter(Boolean)
      : [];

const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * Reads an Entra-shaped access token's claims: `oid`/`upn` for a user (`preferred_username` as
 * Entra v2 tokens carry it), `roles` for application permissions, `wids` for directory roles,
 * `scp` for delegated scopes. An app-only token has `idtyp: app`, or (v1 tokens) no user, no scope
 * and `oid === sub`; every other token is delegated, so its `roles` never count as permissions.
 * @throws DomainError `InvalidAuthenticationToken` (unauthorized) for a token with neither `oid` nor `sub`.
 */
export function principalFromClaims(claims: Record<string, unknown>): Principal {
  // Entra tokens always name their subject; without oid and sub, `oid === sub` would hold
  // (undefined === undefined) and any token with `roles` would pass as app-only.
  if (!str(claims.oid) && !str(claims.sub)) {
    throw new DomainError(
      ErrorCodes.invalidAuthenticationToken,
      'Access token names no subject: it carries neither an oid nor a sub claim; expected both, as Entra issues them.',
    );
  }
  const isAppOnly =
    claims.idtyp === 'app' ||
    (!claims.upn && !claims.preferred_username && !claims.scp && claims.oid === claims.sub && !!claims.roles);
  return {
    kind: isAppOnly ? 'application' : 'delegated',
    userId: isAppOnly ? undefined : str(claims.oid),
    userPrincipalName: isAppOnly ? undefined : (str(claims.upn) ?? str(claims.preferred_username)),
    appId: str(claims.azp) ?? str(claims.appid),
    permissions: strings(claims.roles),
    roleTemplateIds: strings(claims.wids).map((w) => w.toLowerCase()),
    // An app-only token has no delegated scopes; one that carries `scp` anyway gains nothing from it.
    scopes: isAppOnly ? [] : strings(claims.scp),
  };
}
