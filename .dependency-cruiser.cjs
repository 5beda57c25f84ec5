/**
 * What may import what in src/ (see ../shared/house.md for the picture, README "How the code is laid out" for the
 * map). `npm run lint` runs this with `depcruise src`; a breach fails `npm test`. Each rule says why in one line.
 *
 *   features   site · requests · online-booking · patients · calendar · waitlist · staff · setup · audit-viewer · mail
 *   scheduling slots, availability, resources, the one booking service
 *   kernel     db · time · http · audit · outbox · tokens · log · ui
 *   root       app.ts, runtime.ts, cli.ts and seed/ wire everything together (runtime.ts composes the features'
 *              email templates for the outbox); nothing imports them
 */
const FEATURES = '(site|requests|online-booking|patients|calendar|waitlist|staff|setup|audit-viewer|mail|clinical)';
const PURE = [
  '^src/scheduling/slots\\.ts$',
  '^src/scheduling/type-needs\\.ts$',
  '^src/kernel/time/[^/]+\\.ts$',
  '^src/setup/conflicts\\.ts$',
  '^src/staff/sign-in-rules\\.ts$',
  '^src/clinical/dosing/dose\\.ts$',
  '^src/clinical/protocols/(protocol|series|plan-rules|spacing-words)\\.ts$',
  '^src/clinical/provenance\\.ts$',
  '^src/clinical/instruments/[^/]+\\.ts$',
  '^src/clinical/eligibility/(budapest|contraindications|default-rules|facts)\\.ts$',
  '^src/clinical/sessions/(state|vitals|alerts|total|reconcile|discharge-rules)\\.ts$',
  '^src/clinical/outcomes/(responder|wilson|report)\\.ts$',
];

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A cycle makes two rooms one: neither can change, load or be tested without the other.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'kernel-imports-no-feature',
      comment: 'The kernel is the ground floor: db, time, http, audit, outbox, tokens, log and UI kit know no feature.',
      severity: 'error',
      from: { path: '^src/kernel/' },
      to: { path: '^src/', pathNot: '^src/kernel/' },
    },
    {
      name: 'scheduling-stands-on-the-kernel-only',
      comment:
        'Scheduling books resources for a patient at a time; what a booking means to a feature is the feature’s.',
      severity: 'error',
      from: { path: '^src/scheduling/' },
      to: { path: '^src/', pathNot: '^src/(kernel|scheduling)/' },
    },
    {
      name: 'features-meet-through-their-service',
      comment: 'A feature uses another only through its public service.ts, never its repository, routes or views.',
      severity: 'error',
      from: { path: `^src/${FEATURES}/` },
      to: {
        path: `^src/${FEATURES}/`,
        pathNot: ['^src/$1/', `^src/${FEATURES}/service\\.ts$`],
      },
    },
    {
      name: 'nothing-imports-the-root',
      comment: 'app, runtime, cli and seed wire the house together; a room that imports them imports everything.',
      severity: 'error',
      from: { path: '^src/(kernel|scheduling|' + FEATURES.slice(1, -1) + ')/' },
      to: { path: '^src/([^/]+\\.tsx?$|seed/)' },
    },
    {
      name: 'routes-use-no-database',
      comment: 'Routes parse, call a service and render; queries and transactions live in services and repositories.',
      severity: 'error',
      from: { path: 'routes\\.tsx?$' },
      to: {
        path: ['^src/kernel/db/(database|migrate)\\.ts$', 'node_modules/kysely/', 'repository\\.ts$'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'services-know-no-http',
      comment: 'Services return a result or a refusal; Fastify, replies and status codes belong to routes.',
      severity: 'error',
      from: { path: 'service\\.ts$' },
      to: { path: ['^fastify$', '^@fastify/', 'node_modules/(fastify|@fastify)/'] },
    },
    {
      name: 'views-only-render',
      comment: 'Views turn data into markup; they read no database and call no service.',
      severity: 'error',
      from: { path: 'views?\\.tsx$' },
      to: {
        path: ['^src/kernel/db/(database|migrate)\\.ts$', 'node_modules/kysely/', '(service|repository)\\.ts$'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'pure-cores-do-no-io',
      comment: 'Pure cores (slots, time, lanes, conflicts, rules, calculators) take `now` and data, and do no I/O.',
      severity: 'error',
      from: { path: PURE },
      to: {
        path: '.',
        pathNot: [...PURE, '^src/kernel/db/schema\\.ts$', '^(luxon|zod)$', 'node_modules/(luxon|zod)/'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
