import { guid } from './common.schema';
import { z } from './zod';

const upn = z
  .string()
  .max(113)
  .regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'expected a userPrincipalName such as alice@contoso.com');

export const UserResource = z
  .object({
    id: guid,
    userPrincipalName: z.string(),
    displayName: z.string(),
    userType: z.enum(['Member', 'Guest']),
    accountEnabled: z.boolean(),
    mail: z.string().nullable(),
    createdDateTime: z.string(),
  })
  .openapi('user');

/** A user as the API shows it; the directory's `User` must stay equal to it (resourceTypes.test.ts). */
export type UserResourceBody = z.infer<typeof UserResource>;

export const CreateUserBody = z
  .object({
    userPrincipalName: upn,
    displayName: z.string().min(1).max(256),
    userType: z.enum(['Member', 'Guest']).optional(),
    accountEnabled: z.boolean().optional(),
    mail: z.string().email().nullable().optional(),
    mailNickname: z.string().max(64).optional(),
    // Graph caps passwords at 256 characters; unbounded, a body could store up to the 1 MB request limit.
    passwordProfile: z
      .object({ password: z.string().max(256), forceChangePasswordNextSignIn: z.boolean().optional() })
      .optional(),
  })
  .strict()
  .openapi('createUser');

export const UpdateUserBody = z
  .object({
    userPrincipalName: upn.optional(),
    displayName: z.string().min(1).max(256).optional(),
    userType: z.enum(['Member', 'Guest']).optional(),
    accountEnabled: z.boolean().optional(),
    mail: z.string().email().nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: 'expected at least one property to update' })
  .openapi('updateUser');

export const GroupResource = z
  .object({
    id: guid,
    displayName: z.string(),
    description: z.string().nullable(),
    securityEnabled: z.boolean(),
    mailEnabled: z.boolean(),
    createdDateTime: z.string(),
  })
  .openapi('group');

/** A group as the API shows it; the directory's `Group` must stay equal to it (resourceTypes.test.ts). */
export type GroupResourceBody = z.infer<typeof GroupResource>;

export const CreateGroupBody = z
  .object({
    displayName: z.string().min(1).max(256),
    securityEnabled: z.boolean(),
    mailEnabled: z.boolean().optional(),
    mailNickname: z.string().max(64).optional(),
    description: z.string().max(1024).nullable().optional(),
  })
  .strict()
  .openapi('createGroup');

/** `{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}`; the last segment is the user id. */
export const MemberRefBody = z
  .object({
    '@odata.id': z
      .string()
      .regex(
        /\/(directoryObjects|users)\/[0-9a-fA-F-]{36}$/,
        'expected "https://graph.microsoft.com/v1.0/directoryObjects/{userId}"',
      ),
  })
  .strict()
  .transform((b) => ({ userId: b['@odata.id'].slice(-36) }))
  .openapi('memberReference');

export const UserKeyParams = z.object({ userId: z.string().min(1).max(256) });
export const GroupIdParams = z.object({ groupId: guid });

/** Graph's `unifiedRoleAssignment` (tenant scope only): `roleDefinitionId` is the role template id. */
export const RoleAssignmentResource = z
  .object({
    id: z.string(),
    principalId: guid,
    roleDefinitionId: guid,
    directoryScopeId: z.literal('/'),
  })
  .openapi('unifiedRoleAssignment');

/** A role assignment as the API shows it; the domain's `RoleAssignment` must stay equal to it (resourceTypes.test.ts). */
export type RoleAssignmentResourceBody = z.infer<typeof RoleAssignmentResource>;

export const CreateRoleAssignmentBody = z
  .object({
    '@odata.type': z.literal('#microsoft.graph.unifiedRoleAssignment').optional(),
    principalId: guid,
    roleDefinitionId: guid,
    directoryScopeId: z.literal('/', {
      error: 'expected "/" (tenant-wide): administrative unit and application scopes are not supported',
    }),
  })
  .strict()
  .openapi('createUnifiedRoleAssignment');

/** Ids are base64url of the role and principal GUIDs plus "-1", as Graph issues them. */
export const RoleAssignmentIdParams = z.object({
  assignmentId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'expected a role assignment id'),
});

export const RoleAssignmentQuery = z.object({ $filter: z.string().max(500).optional() });
