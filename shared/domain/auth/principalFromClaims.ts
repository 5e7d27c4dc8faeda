import { Principal } from './principal';

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? value.split(' ').filter(Boolean) : [];

const str = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * Reads an Entra-shaped access token's claims: `oid`/`upn` for a user (`preferred_username` as
 * Entra v2 tokens carry it), `roles` for application permissions, `wids` for directory roles,
 * `scp` for delegated scopes. An app-only token has no `oid`-bearing user, or `idtyp: app`.
 */
export function principalFromClaims(claims: Record<string, unknown>): Principal {
  const isAppOnly = claims.idtyp === 'app' || (!claims.upn && !claims.preferred_username && !claims.scp && claims.oid === claims.sub && !!claims.roles);
  return {
    userId: isAppOnly ? undefined : str(claims.oid),
    userPrincipalName: isAppOnly ? undefined : str(claims.upn) ?? str(claims.preferred_username),
    appId: str(claims.azp) ?? str(claims.appid),
    permissions: strings(claims.roles),
    roleTemplateIds: strings(claims.wids).map((w) => w.toLowerCase()),
    scopes: strings(claims.scp),
  };
}
