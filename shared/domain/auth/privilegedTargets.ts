import { DomainError } from '../errors';
import { ErrorCodes } from '../errorCodes';
import { Principal } from './principal';
import { DirectoryRoles as R } from './roles';

/**
 * The roles an Authentication Administrator or User Administrator may still act on (Entra, "Who can
 * perform sensitive actions"): readers and limited helpers. Any other role — including role ids we
 * do not know — makes its holder privileged (fail closed).
 */
const LIMITED_ROLES: ReadonlySet<string> = new Set([
  R['Directory Readers'],
  R['Guest Inviter'],
  R['Message Center Reader'],
  R['Reports Reader'],
  R['Usage Summary Reports Reader'],
  R['Password Administrator'],
  R['Helpdesk Administrator'],
  R['Authentication Administrator'],
]);

/** Delegated callers who may change anything of anyone, as Entra: PAA and GA. */
const PRIVILEGED_ACTORS: readonly string[] = [R['Privileged Authentication Administrator'], R['Global Administrator']];

/**
 * What is about to change on the target user: their passkeys, a sign-in property (Entra's
 * "sensitive attributes": the UPN — a rename starts the re-enrolment that deletes passkeys —, the
 * account's enabled state, guest/member type, mail), or the whole user (deletion takes their passkeys).
 */
export type SensitiveAction = 'authenticationMethods' | 'signInProperties' | 'deleteUser';

/** User properties whose change is a sensitive action on a privileged user. */
export const SIGN_IN_PROPERTIES = ['userPrincipalName', 'accountEnabled', 'userType', 'mail'] as const;

const ACTION_TEXT: Record<SensitiveAction, string> = {
  authenticationMethods: 'change the passkeys of',
  signInProperties: `change ${SIGN_IN_PROPERTIES.join(', ')} of`,
  deleteUser: 'delete',
};

/**
 * Application permissions that may act on privileged users. Passkeys: Graph lets
 * UserAuthenticationMethod.ReadWrite.All (itself a privileged permission) manage every user's
 * methods. Renames and deletions: only RoleManagement.ReadWrite.Directory, an app that could make
 * itself Global Administrator anyway, so it gains nothing it does not have already.
 */
const APP_PERMISSIONS: Record<SensitiveAction, readonly string[]> = {
  authenticationMethods: ['UserAuthenticationMethod.ReadWrite.All', 'UserAuthMethod-Passkey.ReadWrite.All'],
  signInProperties: ['RoleManagement.ReadWrite.Directory'],
  deleteUser: ['RoleManagement.ReadWrite.Directory'],
};

/** True when any of the user's roles is not one of the limited roles. */
export function isPrivilegedUser(roleDefinitionIds: readonly string[]): boolean {
  return roleDefinitionIds.some((id) => !LIMITED_ROLES.has(id.toLowerCase()));
}

/** True when the caller may perform `action` on a user holding privileged roles. */
export function mayActOnPrivilegedUser(principal: Principal, action: SensitiveAction): boolean {
  if (principal.kind === 'application') {
    const held = new Set(principal.permissions.map((p) => p.toLowerCase()));
    return APP_PERMISSIONS[action].some((p) => held.has(p.toLowerCase()));
  }
  if (principal.kind === 'delegated')
    return principal.roleTemplateIds.some((r) => PRIVILEGED_ACTORS.includes(r.toLowerCase()));
  return false;
}

/**
 * Throws `privilegedTargetRequiresPrivilegedRole` (403) when the target holds a privileged role and
 * the caller may not act on such users; the target's roles come from the directory, not the token.
 */
export function assertMayActOnUser(
  principal: Principal,
  action: SensitiveAction,
  target: { userPrincipalName: string; roleDefinitionIds: readonly string[] },
): void {
  if (!isPrivilegedUser(target.roleDefinitionIds) || mayActOnPrivilegedUser(principal, action)) return;
  const needed =
    principal.kind === 'application'
      ? `an application needs ${APP_PERMISSIONS[action].join(' or ')}`
      : 'only a Privileged Authentication Administrator or Global Administrator can do it';
  throw new DomainError(
    ErrorCodes.privilegedTargetRequiresPrivilegedRole,
    `Insufficient privileges to ${ACTION_TEXT[action]} '${target.userPrincipalName}': the user holds a privileged directory role, so ${needed}.`,
  );
}
