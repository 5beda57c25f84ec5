/**
 * A server-sent event stream read over a real socket (app.inject waits for a response's end, which a stream never
 * reaches), with no connection pool, so closing it really closes the connection as a browser tab closing would.
 */
import { request } from 'node:http';

export interface EventStream {
  status: number;
  contentType: string;
  /** Everything received so far. */
  text(): string;
  /** Waits until the text received matches `pattern` (true), or `ms` pass (false). */
  until(pattern: RegExp, ms: number): Promise<boolean>;
  close(): void;
}

export function openEventStream(url: string, cookie: string): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { cookie, accept: 'text/event-stream' } }, (res) => {
      let text = '';
      const waiters = new Set<() => void>();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        for (const wake of waiters) wake();
      });
      res.on('error', () => undefined);
      resolve({
        status: res.statusCode ?? 0,
        contentType: String(res.headers['content-type'] ?? ''),
        text: () => text,
        until: (pattern, ms) =>
          new Promise((done) => {
            if (pattern.test(text)) return done(true);
            const wake = () => {
              if (!pattern.test(text)) return;
              clearTimeout(timer);
              waiters.delete(wake);
              done(true);
            };
            const timer = setTimeout(() => {
              waiters.delete(wake);
              done(false);
            }, ms);
            waiters.add(wake);
          }),
        close: () => req.destroy(),
      });
    });
    req.on('error', (err) => {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
    });
    req.end();
  });
}
