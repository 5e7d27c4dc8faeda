import { renderDisplayName } from './renderDisplayName';

const ada = { displayName: 'Ada Lovelace', userPrincipalName: 'ada@contoso.com' };

describe('renderDisplayName', () => {
  it.each([
    { template: '{displayName} security key', expected: 'Ada Lovelace security key' },
    { template: 'Key of {userPrincipalName}', expected: 'Key of ada@contoso.com' },
    {
      template: '{displayName} / {displayName} ({userPrincipalName})',
      expected: 'Ada Lovelace / Ada Lovelace (ada@contoso.com)',
    },
    { template: 'Plain name', expected: 'Plain name' },
    { template: '{unknown} stays', expected: '{unknown} stays' },
  ])('renders "$template"', ({ template, expected }) => {
    expect(renderDisplayName(template, ada)).toBe(expected);
  });

  it('cuts the result to 256 characters', () => {
    expect(renderDisplayName('{displayName}', { ...ada, displayName: 'x'.repeat(300) })).toHaveLength(256);
  });
});
