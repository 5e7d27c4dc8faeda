import { parseUsersCsv, UsersCsvError } from './parseUsersCsv';

describe('parseUsersCsv', () => {
  it.each([
    [
      'header and rows',
      'userPrincipalName,displayName\na@x.com,A\n',
      [{ userPrincipalName: 'a@x.com', displayName: 'A' }],
    ],
    [
      'quoted comma, BOM and CRLF',
      '\uFEFFuserPrincipalName,displayName\r\nb@x.com,"B, Jr."\r\n',
      [{ userPrincipalName: 'b@x.com', displayName: 'B, Jr.' }],
    ],
    [
      'columns in another order',
      'displayName,userPrincipalName\nE,e@x.com\n',
      [{ userPrincipalName: 'e@x.com', displayName: 'E' }],
    ],
    [
      'no displayName column',
      'userPrincipalName\nc@x.com\n',
      [{ userPrincipalName: 'c@x.com', displayName: 'c@x.com' }],
    ],
    [
      'duplicates kept once',
      'userPrincipalName\nd@x.com\nD@X.com\n',
      [{ userPrincipalName: 'd@x.com', displayName: 'd@x.com' }],
    ],
    ['a header only', 'userPrincipalName,displayName\n', []],
  ])('%s', (_name, text, expected) => {
    expect(parseUsersCsv(text)).toEqual(expected);
  });

  it.each([
    ['no header', 'a@x.com,A\n', /blob\.csv: expected a header 'userPrincipalName,displayName', received 'a@x.com,A'/],
    ['an empty file', '', /expected a header/],
    [
      'not a UPN',
      'userPrincipalName\nnot-a-upn\n',
      /blob\.csv line 2: expected a user principal name, received 'not-a-upn'/,
    ],
    ['an empty UPN', 'userPrincipalName,displayName\n,Nobody\n', /line 2: expected a user principal name, received ''/],
  ])('refuses %s, naming the file and line', (_name, text, message) => {
    expect(() => parseUsersCsv(text, 'blob.csv')).toThrow(UsersCsvError);
    expect(() => parseUsersCsv(text, 'blob.csv')).toThrow(message);
  });
});
