/**
 * How the caller's token grants rights, as Entra issues them: an application token carries the
 * app's application permissions (`roles`); a delegated token acts for a signed-in user, carries the
 * client's delegated scopes (`scp`) and the user's directory roles (`wids`).
 */
export type TokenKind = 'application' | 'delegated';

/** Who is calling, as read from a validated bearer token. */
export interface Principal {
  /** How the token grants rights; absent only for the anonymous caller of an anonymous route. */
  kind?: TokenKind;
  /** Object id of the signed-in user; absent for app-only tokens. */
  userId?: string;
  userPrincipalName?: string;
  /** Application id for app-only tokens (`azp`/`appid`). */
  appId?: string;
  /** Application permissions (`roles` claim); they count only on application tokens. */
  permissions: string[];
  /** Directory role template ids (`wids` claim). */
  roleTemplateIds: string[];
  /** The token's scopes (`scp` claim, delegated permissions). */
  scopes: string[];
}

/**
 * An access rule for a route, as Graph documents each API's least-privileged permissions: an
 * application token needs one of `permissions`; a delegated token needs one of `permissions` as a
 * scope (or this API's own {@link API_DELEGATED_SCOPE}) AND one of `roles` among the user's roles.
 */
export interface AccessRule {
  /** A short name for messages, e.g. "read the authentication methods policy". */
  action: string;
  permissions: readonly string[];
  roles: readonly string[];
  /** When true, any signed-in user (a token with a user) may call; the service scopes it to them. */
  signedInUser?: boolean;
}

/**
 * The one delegated scope this API exposes (as Azure Resource Manager does): "act as the signed-in
 * user", whose rights then come from the user's directory roles only. Graph scope names are
 * accepted too, so a token a client requested for Graph-shaped scopes works unchanged.
 */
export const API_DELEGATED_SCOPE = 'user_impersonation';

const lowerSet = (values: readonly string[]) => new Set(values.map((v) => v.toLowerCase()));

/**
 * Graph's rule: application permissions apply to app-only tokens; a delegated scope never grants
 * admin rights by itself — the signed-in user must also hold a directory role the rule allows.
 */
export function isAllowed(principal: Principal, rule: AccessRule): boolean {
  if (rule.signedInUser && principal.userId) return true;
  if (principal.kind === 'application') {
    const permissions = lowerSet(principal.permissions);
    return rule.permissions.some((p) => permissions.has(p.toLowerCase()));
  }
  if (principal.kind === 'delegated') {
    const scopes = lowerSet(principal.scopes);
    const scoped =
      scopes.has(API_DELEGATED_SCOPE.toLowerCase()) || rule.permissions.some((p) => scopes.has(p.toLowerCase()));
    const roles = lowerSet(principal.roleTemplateIds);
    return scoped && rule.roles.some((r) => roles.has(r.toLowerCase()));
  }
  return false;
}
