/**
 * HTTP load client, run as a child process so the server keeps its own core. Argument: a JSON plan
 * { base, concurrency, warmupMs, durationMs, paths: [{ name, path, bytes }] }. Each path is driven by
 * `concurrency` keep-alive connections for a fixed time; prints one JSON result line.
 */
import http from 'node:http';

interface Plan { base: string; concurrency: number; warmupMs: number; durationMs: number; paths: Array<{ name: string; path: string; bytes: number }> }
const plan = JSON.parse(process.argv[2] ?? '{}') as Plan;

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

async function drive(url: string, bytes: number, ms: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: plan.concurrency });
  const deadline = performance.now() + ms;
  let ok = 0, bad = 0;
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
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { ok, bad, seconds, perSec: ok / seconds };
}

const results: Record<string, { ok: number; bad: number; seconds: number; perSec: number }> = {};
for (const p of plan.paths) {
  await drive(plan.base + p.path, p.bytes, plan.warmupMs);
  results[p.name] = await drive(plan.base + p.path, p.bytes, plan.durationMs);
}
process.stdout.write(JSON.stringify(results) + '\n');
