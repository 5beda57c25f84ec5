/**
 * HTTP load client, run as a child process so the server keeps its own core. Argument: a JSON plan
 * { base, concurrency, warmupMs, durationMs, rounds, pairs: [[{ name, path, bytes }, { ... }]] }. The two
 * routes of a pair are driven alternately by `concurrency` keep-alive connections, `rounds` times each
 * for durationMs / rounds, so drift (JIT, GC, a noisy neighbour) hits both alike. Prints one JSON line.
 */
import http from 'node:http';
import { childArgument } from './child.ts';

interface Target {
  name: string;
  path: string;
  bytes: number;
}
interface Plan {
  base: string;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  rounds: number;
  pairs: Array<[Target, Target]>;
}
const plan = await childArgument<Plan>();

function get(agent: http.Agent, url: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function drive(agent: http.Agent, url: string, bytes: number, ms: number) {
  const deadline = performance.now() + ms;
  let ok = 0,
    bad = 0;
  const loop = async () => {
    while (performance.now() < deadline) {
      try {
        const r = await get(agent, url);
        if (r.status === 200 && r.bytes === bytes) ok++;
        else bad++;
      } catch {
        bad++;
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: plan.concurrency }, loop));
  return { ok, bad, seconds: (performance.now() - t0) / 1000 };
}

const results: Record<string, { ok: number; bad: number; seconds: number; perSec: number }> = {};
for (const pair of plan.pairs) {
  const agents = pair.map(() => new http.Agent({ keepAlive: true, maxSockets: plan.concurrency }));
  for (const [i, t] of pair.entries()) await drive(agents[i]!, plan.base + t.path, t.bytes, plan.warmupMs);
  for (let round = 0; round < plan.rounds; round++) {
    for (const [i, t] of pair.entries()) {
      const r = await drive(agents[i]!, plan.base + t.path, t.bytes, plan.durationMs / plan.rounds);
      const acc = (results[t.name] ??= { ok: 0, bad: 0, seconds: 0, perSec: 0 });
      acc.ok += r.ok;
      acc.bad += r.bad;
      acc.seconds += r.seconds;
      acc.perSec = acc.ok / acc.seconds;
    }
  }
  for (const a of agents) a.destroy();
}
process.stdout.write(JSON.stringify(results) + '\n');
