/** Small helpers shared by the benchmark phases: percentiles, a seeded PRNG, formatting. */

/** Nearest-rank percentile (p in 0..100) of samples; sorts a copy. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Times `fn` `runs` times after `warmup` untimed runs; returns per-run milliseconds. */
export async function sample(runs: number, warmup: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/** Deterministic PRNG (mulberry32) so every run seeds the same clinic history. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** In-place Fisher–Yates shuffle with the given PRNG. */
export function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export const fmt = (n: number, digits = 2): string =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : 'n/a';

export function collectGarbage(): void {
  globalThis.gc?.();
}

/** Samples RSS every 20 ms; `take()` returns the highest value (MB) since the previous call. */
export function rssSampler(): { take(): number; stop(): void } {
  let max = 0;
  const read = () => (max = Math.max(max, process.memoryUsage().rss));
  const timer = setInterval(read, 20);
  timer.unref();
  return {
    take() {
      read();
      const mb = max / 2 ** 20;
      max = 0;
      return mb;
    },
    stop: () => clearInterval(timer),
  };
}

/** Median and 99th percentile of per-run milliseconds. */
export interface Latency {
  p50: number;
  p99: number;
  runs: number;
}
export const latencyOf = (samples: readonly number[]): Latency => ({
  p50: percentile(samples, 50),
  p99: percentile(samples, 99),
  runs: samples.length,
});
