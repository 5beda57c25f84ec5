import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { installGuard } from '../../src/kernel/http/guard.ts';
import { useTestRuntime } from '../helpers/runtime.ts';

/** The route table only: one runtime serves every test. */
const rt = useTestRuntime({ shared: true });

describe('every route declares who may use it', () => {
  const PUBLIC_STAFF = ['/staff/sign-in', '/staff/forgot', '/staff/welcome/:token', '/staff/reset/:token'];

  it('walks the whole route table: every route has a policy, and staff routes are signed-in unless meant for signing in', () => {
    const routes = rt().app.routePolicies;
    expect(routes.length).toBeGreaterThan(30);
    for (const r of routes) {
      expect(r.policy, `${r.method} ${r.url}`).toBeDefined();
      if (r.url.startsWith('/staff') && !PUBLIC_STAFF.includes(r.url))
        expect(r.policy, `${r.method} ${r.url}`).not.toBe('public');
      if (!r.url.startsWith('/staff') && !r.url.startsWith('/api/staff'))
        expect(r.policy, `${r.method} ${r.url}`).toBe('public');
    }
    expect(routes.some((r) => r.url === '/staff/audit' && typeof r.policy === 'object')).toBe(true);
  });

  it('refuses to register a route without a policy', () => {
    const bare = Fastify();
    installGuard(bare, { idleMs: 60_000, absoluteMs: 3_600_000 });
    expect(() => bare.get('/staff/forgotten-policy', async () => 'x')).toThrow(/declares no access policy/);
    expect(() => bare.get('/fine', { config: { policy: 'public' } }, async () => 'x')).not.toThrow();
  });
});
