import { h, type Child } from '../../kernel/ui/jsx.ts';
import { lines } from '../../kernel/ui/text.ts';

/**
 * A consent document's plain text as a page shows it: lines starting "- " are a list, a short line without closing
 * punctuation is a heading, every other line a paragraph. Text only: nothing in a document is ever markup.
 */
export function DocumentText(props: {
  body: string;
  /** Below a page's h1, the document's headings are h2. */ headings?: 2 | 3;
}) {
  const Heading = props.headings === 2 ? 'h2' : 'h3';
  const blocks: Child[] = [];
  let list: string[] = [];
  const flush = () => {
    if (list.length)
      blocks.push(
        <ul>
          {list.map((l) => (
            <li>{l}</li>
          ))}
        </ul>,
      );
    list = [];
  };
  for (const raw of lines(props.body)) {
    const line = raw.trim();
    if (line.startsWith('- ')) {
      list.push(line.slice(2));
      continue;
    }
    flush();
    if (!line) continue;
    blocks.push(line.length <= 60 && !/[.:;,)!?]$/.test(line) ? h(Heading, {}, line) : <p>{line}</p>);
  }
  flush();
  return <div class="consent-text">{blocks}</div>;
}
