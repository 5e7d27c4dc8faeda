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
  'Privileged Role Administrator': 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  'Helpdesk Administrator': '729827e3-9c14-49f7-bb1b-9608f156bbb8',
  'Password Administrator': '966707d0-3269-4727-9be2-8c3a10f19b9d',
  'Directory Readers': '88d8e3e3-8f55-4a1e-953a-9b9898b8876b',
  'Guest Inviter': '95e79109-95c0-4d8e-aee3-d01accf2d47b',
  'Message Center Reader': '790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b',
  'Reports Reader': '4a5d8f65-41da-4de4-8968-e035b65339cf',
  'Usage Summary Reports Reader': '75934031-6c7e-415a-99d7-48dbd49e875e',
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
