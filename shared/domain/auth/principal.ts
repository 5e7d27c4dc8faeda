/** Who is calling, as read from a validated bearer token. */
export interface Principal {
  /** Object id of the signed-in user; absent for app-only tokens. */
  userId?: string;
  userPrincipalName?: string;
  /** Application id for app-only tokens (`azp`/`appid`). */
  appId?: string;
  /** Application permissions (`roles` claim). */
  permissions: string[];
  /** Directory role template ids (`wids` claim). */
  roleTemplateIds: string[];
  /** The token's scopes (`scp` claim, delegated permissions). */
  scopes: string[];
}

/** An access rule for a route: any listed permission or any listed role grants access. */
export interface AccessRule {
  /** A short name for messages, e.g. "read the authentication methods policy". */
  action: string;
  permissions: readonly string[];
  roles: readonly string[];
  /** When true, any signed-in user (a token with a user) may call; the service scopes it to them. */
  signedInUser?: boolean;
}

export function isAllowed(principal: Principal, rule: AccessRule): boolean {
  if (rule.signedInUser && principal.userId) return true;
  const permissions = new Set([...principal.permissions, ...principal.scopes].map((p) => p.toLowerCase()));
  if (rule.permissions.some((p) => permissions.has(p.toLowerCase()))) return true;
  return rule.roles.some((r) => principal.roleTemplateIds.includes(r));
}
