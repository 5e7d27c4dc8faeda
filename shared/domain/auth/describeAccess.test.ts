import { AccessRules } from './accessRules';
import { describeAllowed, roleName } from './describeAccess';
import { DirectoryRoles } from './roles';

describe('describeAllowed', () => {
  it('names every permission and every role (by name, not template id) a rule allows', () => {
    const text = describeAllowed(AccessRules.policyWrite);
    expect(text).toContain('Policy.ReadWrite.AuthenticationMethod');
    expect(text).toContain('Authentication Policy Administrator');
    expect(text).toContain('Global Administrator');
    expect(text).not.toContain(DirectoryRoles['Global Administrator']);
    expect(text).not.toContain('Global Reader');
  });

  it('says any signed-in user for a self-service rule', () => {
    expect(describeAllowed(AccessRules.signedInUser)).toBe(
      'Allowed: any token for a signed-in user (a delegated token).',
    );
  });

  it('falls back to the template id for a role it does not know', () => {
    expect(roleName('00000000-0000-0000-0000-000000000000')).toBe('00000000-0000-0000-0000-000000000000');
    expect(roleName(DirectoryRoles['User Administrator'].toUpperCase())).toBe('User Administrator');
  });
});
