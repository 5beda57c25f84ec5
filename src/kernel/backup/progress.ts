/** Progress of long backup work: percent and rate on a terminal, redrawn in place; nothing when not a terminal. */

export interface Phase {
  /** `done` of the phase's total (bytes or rows) so far. */
  update(done: number): void;
  end(): void;
}

export interface Progress {
  phase(label: string, total: number, unit: 'bytes' | 'rows'): Phase;
}

const quiet: Phase = { update: () => {}, end: () => {} };

/** Progress that shows nothing (the scheduler, tests, and output that is not a terminal). */
export const noProgress: Progress = { phase: () => quiet };

export const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/** Draws on `stream` (normally stderr) when it is a terminal, at most ten times a second. */
export function terminalProgress(stream: NodeJS.WriteStream, now: () => number = () => performance.now()): Progress {
  if (!stream.isTTY) return noProgress;
  return {
    phase(label, total, unit) {
      const started = now();
      let drawn = 0;
      let shown = false;
      const draw = (done: number) => {
        const seconds = Math.max((now() - started) / 1000, 0.001);
        const percent = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
        const rate =
          unit === 'bytes'
            ? `${(done / 1e6 / seconds).toFixed(1)} MB/s`
            : `${Math.round(done / seconds).toLocaleString('en-US')} rows/s`;
        stream.write(`\r${label}: ${String(percent).padStart(3)}% (${rate})\x1b[K`);
        shown = true;
      };
      return {
        update(done) {
          const t = now();
          if (t - drawn < 100) return;
          drawn = t;
          draw(done);
        },
        end() {
          if (shown) stream.write('\r\x1b[K');
        },
      };
    },
  };
}
