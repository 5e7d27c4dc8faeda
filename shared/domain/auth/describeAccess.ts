import { API_DELEGATED_SCOPE, AccessRule } from './principal';
import { DirectoryRoles } from './roles';

const ROLE_NAMES: ReadonlyMap<string, string> = new Map(
  Object.entries(DirectoryRoles).map(([name, id]) => [id.toLowerCase(), name]),
);

/** A directory role's display name for its template id (the id itself when unknown). */
export const roleName = (templateId: string): string => ROLE_NAMES.get(templateId.toLowerCase()) ?? templateId;

/**
 * Who a rule lets in, in words for a 403: a denied caller learns which permission or role to ask
 * for instead of guessing. Rules are public (Graph documents them), so naming them leaks nothing.
 */
export function describeAllowed(rule: AccessRule): string {
  if (rule.signedInUser) return 'Allowed: any token for a signed-in user (a delegated token).';
  const permissions = rule.permissions.join(', ');
  const roles = rule.roles.map(roleName).join(', ');
  return (
    `Allowed: an application token with one of the permissions ${permissions}; ` +
    `or a delegated token with the scope ${API_DELEGATED_SCOPE} or one of those permissions, ` +
    `for a user holding one of the roles ${roles}.`
  );
}
