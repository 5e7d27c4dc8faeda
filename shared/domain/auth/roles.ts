/**
 * Entra directory role template ids (the `wids` claim) and application permissions (the `roles`
 * claim) that the admin API understands. Ids are Entra's built-in role template ids.
 */
export const DirectoryRoles = {
  'Global Administrator': '62e90394-69f5-4237-9190-012177145e10',
  'Global Reader': 'f2ef992c-3afb-46b9-b7cf-a126ee74c451',
  'Authentication Policy Administrator': '0526716b-113d-4c15-b2c8-68e3c22b9f80',
  'Authentication Administrator': 'c4e39bd9-1100-46d3-8c65-fb160da0071f',
  'Privileged Authentication Administrator': '7be44c8a-adaf-4e2a-84d6-ab2649e08a13',
  'Conditional Access Administrator': 'b1be1c3e-b65d-4f19-8427-f6fa0d97feb9',
  'Security Administrator': '194ae4cb-b126-40b2-bd5b-6091b380977d',
  'User Administrator': 'fe930be7-5e62-47db-91af-98c3a49a38b1',
} as const;

export type DirectoryRoleName = keyof typeof DirectoryRoles;

/** Maps a role name (case-insensitive) or a template id to the template id. */
export function roleTemplateId(nameOrId: string): string | undefined {
  const lower = nameOrId.toLowerCase();
  for (const [name, id] of Object.entries(DirectoryRoles)) {
    if (name.toLowerCase() === lower || id === lower) return id;
  }
  return undefined;
}
