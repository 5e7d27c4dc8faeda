import { FilterClause } from './directory';
import { parseODataFilter } from './parseODataFilter';

describe("parseODataFilter: `field eq 'v'` and `startswith(field,'v')` joined by and", () => {
  it.each<[string, string | undefined, FilterClause[]]>([
    ['no filter', undefined, []],
    ['a blank filter', '  ', []],
    ['eq', "displayName eq 'Alice'", [{ field: 'displayName', op: 'eq', value: 'Alice' }]],
    [
      'startswith',
      "startswith(userPrincipalName,'al')",
      [{ field: 'userPrincipalName', op: 'startswith', value: 'al' }],
    ],
    [
      'startswith with spaces',
      "startswith( displayName , 'A' )",
      [{ field: 'displayName', op: 'startswith', value: 'A' }],
    ],
    [
      'the property in any case, named as declared',
      "USERPRINCIPALNAME EQ 'a@contoso.com'",
      [{ field: 'userPrincipalName', op: 'eq', value: 'a@contoso.com' }],
    ],
    ["an escaped quote ('')", "displayName eq 'O''Brien'", [{ field: 'displayName', op: 'eq', value: "O'Brien" }]],
    ['an empty value', "displayName eq ''", [{ field: 'displayName', op: 'eq', value: '' }]],
    [
      'two clauses joined by and',
      "displayName eq 'A' AND startswith(userPrincipalName,'b')",
      [
        { field: 'displayName', op: 'eq', value: 'A' },
        { field: 'userPrincipalName', op: 'startswith', value: 'b' },
      ],
    ],
    [
      "' and ' inside a quoted value does not split",
      "displayName eq 'Research and Development'",
      [{ field: 'displayName', op: 'eq', value: 'Research and Development' }],
    ],
  ])('%s', (_title, filter, expected) => {
    expect(parseODataFilter(filter)).toEqual(expected);
  });

  it.each<[string, string, RegExp]>([
    ['another operator', "displayName ne 'A'", /Invalid \$filter clause "?'displayName ne 'A''/],
    ['an unquoted value', 'displayName eq Alice', /Invalid \$filter clause/],
    ['or', "displayName eq 'A' or displayName eq 'B'", /Invalid \$filter clause/],
    ['an unbalanced quote', "displayName eq 'A", /Invalid \$filter clause/],
    [
      'an unsupported property',
      "mail eq 'a@contoso.com'",
      /Unsupported \$filter property 'mail'; expected one of displayName, userPrincipalName/,
    ],
  ])('refuses %s (400 BadRequest)', (_title, filter, message) => {
    expect(() => parseODataFilter(filter)).toThrow(
      expect.objectContaining({ kind: 'badRequest', code: 'BadRequest', message: expect.stringMatching(message) }),
    );
  });

  it('takes the properties a caller allows instead', () => {
    expect(parseODataFilter("principalId eq 'p'", new Set(['principalId']))).toEqual([
      { field: 'principalId', op: 'eq', value: 'p' },
    ]);
    expect(() => parseODataFilter("displayName eq 'A'", new Set(['principalId']))).toThrow(
      /expected one of principalId/,
    );
  });
});
