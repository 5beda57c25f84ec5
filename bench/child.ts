/** Runs a bench/ TypeScript module in a child process (through tsx) with one JSON argument; resolves to its last stdout line, parsed. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function runChild<T>(module: string, arg: unknown): Promise<T> {
  const script = fileURLToPath(new URL(module, import.meta.url));
  const root = fileURLToPath(new URL('..', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(arg)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${module} exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()!) as T);
      } catch (err) {
        reject(new Error(`${module} printed no result: ${String(err)}`));
      }
    });
  });
}
