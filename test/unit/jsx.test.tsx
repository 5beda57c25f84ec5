import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { h, Fragment, escapeHtml, raw } from '../../src/kernel/ui/jsx.ts';
import { normalizePhone } from '../../src/requests/form-schema.ts';
import { backoffMs } from '../../src/kernel/outbox/outbox.ts';
import { scrubUrl } from '../../src/kernel/log.ts';

describe('JSX to string', () => {
  it('escapes text and attribute values by default', () => {
    const evil = `<script>"x" & 'y'</script>`;
    expect((<p title={evil}>{evil}</p>).value).toBe(
      '<p title="&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;">&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;</p>',
    );
  });

  it('never lets arbitrary text produce a tag', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const out = (<div data-x={s}>{s}</div>).value;
        expect(out.slice(out.indexOf('>') + 1, -'</div>'.length)).not.toMatch(/[<>]/);
        expect(escapeHtml(s)).not.toMatch(/[<>"']/);
      }),
    );
  });

  it('handles booleans, null, arrays, fragments, void elements and trusted markup', () => {
    const out = (
      <>
        <input required disabled={false} value={null} />
        {[1, 2].map((n) => (
          <b>{n}</b>
        ))}
        {false}
        {raw('<hr>')}
      </>
    ).value;
    expect(out).toBe('<input required><b>1</b><b>2</b><hr>');
    expect(Fragment({ children: 'x' }).value).toBe('x');
  });
});

describe('small pure helpers', () => {
  it.each([
    ['(312) 555-0147', '+13125550147'],
    ['312.555.0147', '+13125550147'],
    ['1 312 555 0147', '+13125550147'],
    ['+44 20 7946 0958', '+442079460958'],
    ['555-0147', null],
    ['+1234567', null],
    ['call me', null],
    ['312-555-0147 ext 2', null],
  ])('normalizes phone %s', (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it('backs off exponentially up to an hour', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(backoffMs(20)).toBe(3_600_000);
    expect(backoffMs(2, 1_000)).toBe(2_000);
  });

  it('keeps tokens and query strings out of logged URLs', () => {
    expect(scrubUrl('/book/abc.def/cancel?x=ana@example.com')).toBe('/book/[token]/cancel');
    expect(scrubUrl('/consultation/thanks/xyz')).toBe('/consultation/thanks/[token]');
    expect(scrubUrl('/waitlist/offer/eyJw.abc')).toBe('/waitlist/offer/[token]');
    expect(scrubUrl('/staff/welcome/t0k3n')).toBe('/staff/welcome/[token]');
    expect(scrubUrl('/staff/reset/t0k3n?next=x')).toBe('/staff/reset/[token]');
    expect(scrubUrl('/questionnaire/eyJw.abc/done')).toBe('/questionnaire/[token]/done');
    expect(scrubUrl('/diary/eyJw.abc?saved=1')).toBe('/diary/[token]');
  });
});
