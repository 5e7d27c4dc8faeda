import { DirectoryRoles, roleTemplateId } from './roles';

describe('roleTemplateId: a role name (any case) or template id to the template id', () => {
  it.each<[string, string | undefined]>([
    ['Global Administrator', '62e90394-69f5-4237-9190-012177145e10'],
    ['authentication policy administrator', '0526716b-113d-4c15-b2c8-68e3c22b9f80'],
    ['7be44c8a-adaf-4e2a-84d6-ab2649e08a13', '7be44c8a-adaf-4e2a-84d6-ab2649e08a13'],
    ['7BE44C8A-ADAF-4E2A-84D6-AB2649E08A13', '7be44c8a-adaf-4e2a-84d6-ab2649e08a13'],
    ['Global Admin', undefined],
    ['', undefined],
  ])('%j → %s', (input, expected) => {
    expect(roleTemplateId(input)).toBe(expected);
  });

  it('knows each role under one distinct, lower-case template id', () => {
    const ids = Object.values(DirectoryRoles);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});
