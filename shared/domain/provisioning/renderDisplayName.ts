import type { User } from '../directory/directory';

/** Graph's limit on a method's displayName. */
const MAX_DISPLAY_NAME_LENGTH = 256;

/** Renders the passkey name template of a job: {displayName} and {userPrincipalName} are replaced. */
export const renderDisplayName = (template: string, user: Pick<User, 'displayName' | 'userPrincipalName'>): string =>
  template
    .replace(/\{displayName\}/g, user.displayName)
    .replace(/\{userPrincipalName\}/g, user.userPrincipalName)
    .slice(0, MAX_DISPLAY_NAME_LENGTH);
