import { csvField, toCsv } from './toCsv';

describe('csvField: RFC 4180 escaping and formula neutralising', () => {
  it.each<[string, string | number | boolean | null, string]>([
    ['plain text', 'YubiKey 5', 'YubiKey 5'],
    ['a comma', 'Yubico, Inc', '"Yubico, Inc"'],
    ['a quote', 'the "best" key', '"the ""best"" key"'],
    ['a newline', 'line1\nline2', '"line1\nline2"'],
    ['a CRLF', 'a\r\nb', '"a\r\nb"'],
    ['= formula', '=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ['+ formula', '+1+1', "'+1+1"],
    ['- formula', '-2+3', "'-2+3"],
    ['@ formula', '@SUM(A1)', "'@SUM(A1)"],
    ['a tab first', '\tx', "'\tx"],
    ['a formula with a comma', '=1,2', '"\'=1,2"'],
    ['empty text', '', ''],
    ['null', null, ''],
    ['a number', 42, '42'],
    ['a negative number stays a number', -1, '-1'],
    ['a boolean', true, 'true'],
  ])('%s', (_title, value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('writes a header and rows, CRLF terminated', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 1],
          [null, false],
        ],
      ),
    ).toBe('a,b\r\n"x,y",1\r\n,false\r\n');
  });
});
