import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from '../../src/kernel/audit/csv.ts';

describe('csvCell', () => {
  it('leaves plain text alone', () => {
    expect(csvCell('lead.view')).toBe('lead.view');
    expect(csvCell('')).toBe('');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(42)).toBe('42');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(new Date('2026-03-02T15:00:00.000Z'))).toBe('2026-03-02T15:00:00.000Z');
  });

  it('quotes commas, quotes and line breaks, doubling quotes (RFC 4180)', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('"')).toBe('""""');
    expect(csvCell('line 1\nline 2')).toBe('"line 1\nline 2"');
    expect(csvCell('line 1\r\nline 2')).toBe('"line 1\r\nline 2"');
    expect(csvCell('{"route":"/staff/audit","n":1}')).toBe('"{""route"":""/staff/audit"",""n"":1}"');
  });

  it('neutralises cells a spreadsheet would run as a formula', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(A1:A2)')).toBe("'@SUM(A1:A2)");
    expect(csvCell('\t=cmd')).toBe("'\t=cmd");
    expect(csvCell('\r=cmd')).toBe('"\'\r=cmd"');
    // Neutralised and quoted together.
    expect(csvCell('=HYPERLINK("http://evil.example","click")')).toBe(
      '"\'=HYPERLINK(""http://evil.example"",""click"")"',
    );
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
    // Only the start of the text matters.
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('x-y@z')).toBe('x-y@z');
    expect(csvCell(' =1')).toBe(' =1');
  });

  it('keeps unicode as it is', () => {
    expect(csvCell('José Ñúñez')).toBe('José Ñúñez');
    expect(csvCell('日本語, テキスト')).toBe('"日本語, テキスト"');
    expect(csvCell('emoji 🙂')).toBe('emoji 🙂');
    expect(csvCell('=😈')).toBe("'=😈");
  });
});

describe('toCsv', () => {
  it('writes a header and rows with CRLF line ends, the last line included', () => {
    const out = toCsv(
      ['seq', 'action', 'detail'],
      [
        [1, 'sign_in', '{}'],
        [2, 'lead.view', 'a, "b"\nc'],
        [3, '=cmd|calc', null],
      ],
    );
    expect(out).toBe('seq,action,detail\r\n1,sign_in,{}\r\n2,lead.view,"a, ""b""\nc"\r\n3,\'=cmd|calc,\r\n');
  });

  it('neutralises header cells too, and handles no rows', () => {
    expect(toCsv(['=a', 'b'], [])).toBe("'=a,b\r\n");
  });

  it('round-trips through a simple RFC 4180 parser', () => {
    const rows = [['a,b', 'c"d', 'e\r\nf', 'ü', '']];
    const out = toCsv(['x', 'y', 'z', 'u', 'v'], rows);
    expect(parse(out)).toEqual([['x', 'y', 'z', 'u', 'v'], ...rows]);
  });
});

/** A minimal RFC 4180 reader, for the round-trip test. */
function parse(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i += 1;
      } else {
        field += c;
        i += 1;
      }
    } else if (c === '"') {
      quoted = true;
      i += 1;
    } else if (c === ',') {
      record.push(field);
      field = '';
      i += 1;
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else {
      field += c;
      i += 1;
    }
  }
  return records;
}
