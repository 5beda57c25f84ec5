import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cruise, type ICruiseOptions, type IForbiddenRuleType } from 'dependency-cruiser';

// The import rules of .dependency-cruiser.cjs, run through dependency-cruiser's own API (as `npm run lint` runs them),
// first against a small house built to break each rule once, then against the real src/.
const config = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as {
  forbidden: IForbiddenRuleType[];
  options: ICruiseOptions & { tsConfig?: unknown };
};
// Module resolution only needs the fixture's own relative imports; the tsconfig would point at the real project.
const { tsConfig: _tsConfig, ...options } = config.options;

async function violations(baseDir: string): Promise<string[]> {
  const result = await cruise(['src'], {
    ...options,
    validate: true,
    ruleSet: { forbidden: config.forbidden },
    baseDir,
  });
  if (typeof result.output === 'string') throw new Error('expected a cruise result, not a report');
  return result.output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

const fixture = mkdtempSync(join(tmpdir(), 'relief-boundaries-'));
afterAll(() => rmSync(fixture, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(dirname(join(fixture, path)), { recursive: true });
  writeFileSync(join(fixture, path), text);
}

describe('import boundaries', () => {
  it('refuse each kind of breach in a house built to break them', async () => {
    // Allowed: a feature route → its own service → the kernel and scheduling; another feature's service.
    write('src/kernel/db/database.ts', 'export const db = 1;\n');
    write('src/kernel/ui/jsx.ts', 'export const h = 1;\n');
    write('src/scheduling/slots.ts', "import { DateTime } from 'luxon';\nexport const slots = DateTime;\n");
    write('src/patients/repository.ts', "import { db } from '../kernel/db/database.ts';\nexport const find = db;\n");
    write('src/patients/service.ts', "import { find } from './repository.ts';\nexport const patient = find;\n");
    write(
      'src/calendar/service.ts',
      "import { patient } from '../patients/service.ts';\nexport const day = patient;\n",
    );
    write('src/calendar/routes.ts', "import { day } from './service.ts';\nexport const routes = day;\n");
    // Breaches, one per rule.
    write('src/kernel/audit/audit.ts', "import { day } from '../../calendar/service.ts';\nexport const a = day;\n");
    write(
      'src/scheduling/booking-service.ts',
      "import { find } from '../patients/repository.ts';\nexport const b = find;\n",
    );
    write('src/waitlist/service.ts', "import { find } from '../patients/repository.ts';\nexport const w = find;\n");
    write('src/waitlist/routes.ts', "import { db } from '../kernel/db/database.ts';\nexport const r = db;\n");
    write('src/site/views.tsx', "import { w } from '../waitlist/service.ts';\nexport const v = w;\n");
    write('src/staff/service.ts', "import Fastify from 'fastify';\nexport const s = Fastify;\n");
    write('src/setup/a.ts', "import { b } from './b.ts';\nexport const a = b;\n");
    write('src/setup/b.ts', "import { a } from './a.ts';\nexport const b = a;\n");
    write('src/app.ts', "import { routes } from './calendar/routes.ts';\nexport const app = routes;\n");
    write('src/site/page.ts', "import { app } from '../app.ts';\nexport const p = app;\n");
    write('src/kernel/time/wall-clock.ts', "import { readFileSync } from 'node:fs';\nexport const t = readFileSync;\n");

    const found = await violations(fixture);
    const rules = new Set(found.map((v) => v.split(':')[0]));
    expect(found).toContain('kernel-imports-no-feature: src/kernel/audit/audit.ts → src/calendar/service.ts');
    expect(found).toContain(
      'scheduling-stands-on-the-kernel-only: src/scheduling/booking-service.ts → src/patients/repository.ts',
    );
    expect(found).toContain(
      'features-meet-through-their-service: src/waitlist/service.ts → src/patients/repository.ts',
    );
    expect(found).toContain('routes-use-no-database: src/waitlist/routes.ts → src/kernel/db/database.ts');
    expect(found).toContain('views-only-render: src/site/views.tsx → src/waitlist/service.ts');
    expect(found.some((v) => v.startsWith('services-know-no-http: src/staff/service.ts → '))).toBe(true);
    expect(found.some((v) => v.startsWith('no-cycles: src/setup/a.ts'))).toBe(true);
    expect(found).toContain('nothing-imports-the-root: src/site/page.ts → src/app.ts');
    expect(found.some((v) => v.startsWith('pure-cores-do-no-io: src/kernel/time/wall-clock.ts → '))).toBe(true);
    expect(rules.size).toBe(config.forbidden.length);
    // The allowed paths raise nothing.
    expect(found.filter((v) => /src\/(calendar|patients)\//.test(v.split(' → ')[0]!))).toEqual([]);
  });
});
