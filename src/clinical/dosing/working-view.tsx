import { h } from '../../kernel/ui/jsx.ts';
import type { DoseLine } from './dose.ts';

/** The calculator's working, one line per step, the line whose limit set the rate marked: the library's preview and each order show it alike. */
export function DoseWorking(p: { lines: readonly DoseLine[]; caption: string }) {
  return (
    <table class="dose-lines">
      <caption class="visually-hidden">{p.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">Working</th>
        </tr>
      </thead>
      <tbody>
        {p.lines.map((line) => (
          <tr class={line.applied ? 'dose-line-applied' : undefined}>
            <th scope="row">{line.label}</th>
            <td>
              {line.working}
              {line.applied ? <strong class="dose-applied"> · this sets the rate</strong> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
