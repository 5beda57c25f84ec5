/**
 * Runs a bench/ TypeScript module in a child process (through tsx) with one JSON argument, sent on its stdin (an
 * argument list is limited to 128 kB a string, and a plan of booking links is larger); resolves to its last stdout
 * line, parsed.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function runChild<T>(module: string, arg: unknown): Promise<T> {
  const script = fileURLToPath(new URL(module, import.meta.url));
  const root = fileURLToPath(new URL('..', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child.stdin.end(JSON.stringify(arg));
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

/** In the child: the JSON argument runChild sent on stdin. */
export async function childArgument<T>(): Promise<T> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += chunk as string;
  return JSON.parse(text) as T;
}
