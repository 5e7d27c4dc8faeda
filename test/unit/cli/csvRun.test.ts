import { outcomesCsv, parseUsersCsv } from '../../../cli/provision/csvRun';
import { parseProvisionOptions } from '../../../cli/provision/options';

describe('parseUsersCsv', () => {
  it.each([
    [
      'header and rows',
      'userPrincipalName,displayName\na@x.com,A\n',
      [{ userPrincipalName: 'a@x.com', displayName: 'A' }],
    ],
    [
      'quoted comma and BOM',
      '\uFEFFuserPrincipalName,displayName\r\nb@x.com,"B, Jr."\r\n',
      [{ userPrincipalName: 'b@x.com', displayName: 'B, Jr.' }],
    ],
    [
      'no displayName column',
      'userPrincipalName\nc@x.com\n',
      [{ userPrincipalName: 'c@x.com', displayName: 'c@x.com' }],
    ],
    [
      'duplicates kept once',
      'userPrincipalName,displayName\nd@x.com,D\nD@X.com,D2\n',
      [{ userPrincipalName: 'd@x.com', displayName: 'D' }],
    ],
  ])('%s', (_name, text, expected) => {
    expect(parseUsersCsv(text)).toEqual(expected);
  });

  it.each([
    ['no header', 'a@x.com,A\n', /expected a header/],
    ['not a UPN', 'userPrincipalName\nnot-a-upn\n', /line 2: expected a user principal name, received 'not-a-upn'/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseUsersCsv(text)).toThrow(message);
  });

  it('writes outcomes with quoting', () => {
    expect(outcomesCsv([{ userPrincipalName: 'a@x.com', outcome: 'failed', reason: 'x, "y"', methodId: null }])).toBe(
      'userPrincipalName,outcome,reason,methodId\na@x.com,failed,"x, ""y""",\n',
    );
  });
});

describe('provision --graph options', () => {
  const base = { csv: 'u.csv', graph: 'https://graph.microsoft.com', tenant: 't', clientId: 'c' };
  it('defaults the origin to Entra’s RP and the state/outcome files beside the CSV', () => {
    const o = parseProvisionOptions(base);
    expect(o.graph).toEqual({ url: 'https://graph.microsoft.com', tenantId: 't', clientId: 'c' });
    expect(o.origin).toBe('https://login.microsoft.com');
    expect(o.target).toMatchObject({ mode: 'csv', statePath: 'u.csv.state.jsonl', outcomesPath: 'u.csv.outcomes.csv' });
  });
  it.each([
    ['plain http', { ...base, graph: 'http://graph.example' }, /https URL/],
    ['no tenant', { ...base, tenant: undefined }, /--tenant/],
    ['with --job', { job: 'j', graph: base.graph, tenant: 't', clientId: 'c' }, /not --job/],
    ['--tenant without --graph', { csv: 'u.csv', tenant: 't' }, /--tenant applies only to --graph/],
  ])('refuses %s', (_name, raw, message) => {
    expect(() => parseProvisionOptions(raw)).toThrow(message);
  });
});
