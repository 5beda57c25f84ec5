import { h, Fragment } from './jsx.ts';

/** "Newer / Page n / Older" links under a staff list. */
export function Pager(p: {
  label: string;
  page: number;
  prevHref?: string;
  nextHref?: string;
  prevText: string;
  nextText: string;
}) {
  if (!p.prevHref && !p.nextHref) return Fragment({});
  return (
    <nav aria-label={p.label}>
      <ul class="pager">
        {p.prevHref ? (
          <li>
            <a href={p.prevHref} rel="prev">
              {p.prevText}
            </a>
          </li>
        ) : null}
        <li>Page {p.page}</li>
        {p.nextHref ? (
          <li>
            <a href={p.nextHref} rel="next">
              {p.nextText}
            </a>
          </li>
        ) : null}
      </ul>
    </nav>
  );
}
