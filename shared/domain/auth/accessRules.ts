import { AccessRule } from './principal';
import { DirectoryRoles as R } from './roles';

/** Per-route access, as Microsoft Graph documents the least-privileged permissions and roles. */
export const AccessRules = {
  policyRead: {
    action: 'read the authentication methods policy',
    permissions: ['Policy.Read.All', 'Policy.ReadWrite.AuthenticationMethod', 'Policy.Read.AuthenticationMethod'],
    roles: [
      R['Authentication Policy Administrator'],
      R['Global Administrator'],
      R['Global Reader'],
      R['Security Administrator'],
    ],
  },
  policyWrite: {
    action: 'update the authentication methods policy',
    permissions: ['Policy.ReadWrite.AuthenticationMethod'],
    roles: [R['Authentication Policy Administrator'], R['Global Administrator']],
  },
  /** Authentication strengths and protected resources (Conditional Access's part): Graph's read roles. */
  strengthsRead: {
    action: 'read authentication strengths and protected resources',
    permissions: ['Policy.Read.All', 'Policy.ReadWrite.ConditionalAccess'],
    roles: [
      R['Global Administrator'],
      R['Global Reader'],
      R['Conditional Access Administrator'],
      R['Security Administrator'],
    ],
  },
  strengthsWrite: {
    action: 'change authentication strengths and protected resources',
    permissions: ['Policy.ReadWrite.ConditionalAccess'],
    roles: [R['Conditional Access Administrator'], R['Global Administrator']],
  },
  directoryRead: {
    action: 'read the directory',
    permissions: [
      'User.Read.All',
      'User.ReadWrite.All',
      'Group.Read.All',
      'Group.ReadWrite.All',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
      'GroupMember.Read.All',
    ],
    roles: [
      R['Global Administrator'],
      R['Global Reader'],
      R['User Administrator'],
      R['Authentication Policy Administrator'],
      R['Authentication Administrator'],
      R['Privileged Authentication Administrator'],
    ],
  },
  userWrite: {
    action: 'create, update or delete users',
    permissions: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
    roles: [R['Global Administrator'], R['User Administrator']],
  },
  groupWrite: {
    action: 'create groups or change their members',
    permissions: ['Group.ReadWrite.All', 'GroupMember.ReadWrite.All', 'Directory.ReadWrite.All'],
    roles: [R['Global Administrator'], R['User Administrator']],
  },
  methodsRead: {
    action: "read users' authentication methods",
    permissions: [
      'UserAuthenticationMethod.Read.All',
      'UserAuthenticationMethod.ReadWrite.All',
      'UserAuthMethod-Passkey.Read.All',
      'UserAuthMethod-Passkey.ReadWrite.All',
    ],
    roles: [
      R['Authentication Administrator'],
      R['Privileged Authentication Administrator'],
      R['Global Administrator'],
      R['Global Reader'],
    ],
  },
  methodsWrite: {
    action: "change users' authentication methods",
    permissions: ['UserAuthenticationMethod.ReadWrite.All', 'UserAuthMethod-Passkey.ReadWrite.All'],
    roles: [R['Authentication Administrator'], R['Privileged Authentication Administrator'], R['Global Administrator']],
  },
  auditRead: {
    action: 'read the audit log',
    permissions: ['AuditLog.Read.All'],
    roles: [
      R['Global Administrator'],
      R['Global Reader'],
      R['Security Administrator'],
      R['Authentication Policy Administrator'],
      R['Authentication Administrator'],
      R['Privileged Authentication Administrator'],
    ],
  },
  /** Graph's signIns: AuditLog.Read.All, and the reader roles Entra lets read sign-in logs. */
  signInLogRead: {
    action: 'read the sign-in log',
    permissions: ['AuditLog.Read.All'],
    roles: [
      R['Global Administrator'],
      R['Global Reader'],
      R['Security Administrator'],
      R['Reports Reader'],
      R['Authentication Policy Administrator'],
      R['Authentication Administrator'],
      R['Privileged Authentication Administrator'],
      R['Conditional Access Administrator'],
    ],
  },
  /** The AAGUID inventory: Graph's reports (Reports.Read.All, AuditLog.Read.All) or the policy readers. */
  aaguidInventoryRead: {
    action: 'read the AAGUID inventory report',
    permissions: ['Reports.Read.All', 'AuditLog.Read.All', 'Policy.Read.All', 'Policy.ReadWrite.AuthenticationMethod'],
    roles: [
      R['Global Administrator'],
      R['Global Reader'],
      R['Reports Reader'],
      R['Security Administrator'],
      R['Authentication Policy Administrator'],
    ],
  },
  roleAssignmentsRead: {
    action: 'read directory role assignments',
    permissions: [
      'RoleManagement.Read.Directory',
      'RoleManagement.ReadWrite.Directory',
      'Directory.Read.All',
      'Directory.ReadWrite.All',
    ],
    roles: [R['Global Administrator'], R['Global Reader'], R['Privileged Role Administrator']],
  },
  roleAssignmentsWrite: {
    action: 'assign or remove directory roles',
    permissions: ['RoleManagement.ReadWrite.Directory'],
    roles: [R['Global Administrator'], R['Privileged Role Administrator']],
  },
  signedInUser: {
    action: 'act as the signed-in user',
    permissions: [],
    roles: [],
    signedInUser: true,
  },
} satisfies Record<string, AccessRule>;
