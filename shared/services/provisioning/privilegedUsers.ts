import type { Principal } from '../../domain/auth/principal';
import { isPrivilegedUser, mayActOnPrivilegedUser } from '../../domain/auth/privilegedTargets';
import type { ProvisioningDeps } from './provisioningDeps';

/** Why a privileged user is refused for this caller (the job row's reason, the station's 403). */
export const privilegedRefusal = (userPrincipalName: string, who: 'creator' | 'station'): string =>
  `'${userPrincipalName}' holds a privileged directory role: only a Privileged Authentication Administrator or Global Administrator (or an application with UserAuthenticationMethod.ReadWrite.All) can provision passkeys for them, and the job's ${who} is neither.`;

/**
 * For one caller: true when a user holds a privileged directory role the caller may not act on (Entra: only a PAA or GA
 * changes their methods). Asks the directory for the user's roles only when the caller lacks that right.
 */
export function refusesPrivilegedUsers(
  deps: Pick<ProvisioningDeps, 'directory'>,
  principal: Principal,
): (userId: string) => Promise<boolean> {
  const mayActOnPrivileged = mayActOnPrivilegedUser(principal, 'authenticationMethods');
  return async (userId) => !mayActOnPrivileged && isPrivilegedUser(await deps.directory.roleIdsOfUser(userId));
}
