// ESLint flat config: typescript-eslint's type-checked rules over src, test and bench (tsconfig.json's program).
// Formatting is Prettier's job (`npm run format`); the import boundaries are dependency-cruiser's
// (.dependency-cruiser.cjs). Both run in `npm run lint`, which `npm test` runs first.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'data/', 'node_modules/', 'coverage/'] },
  { files: ['vitest.config.ts', 'eslint.config.js'], extends: [tseslint.configs.disableTypeChecked] },
  js.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // The promise rules matter most in a server: a forgotten await loses an error or a transaction.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // A new role, status or refusal code must be handled wherever a switch decides on it.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Fastify handlers and hooks are async by convention, so a throw always becomes a rejection Fastify answers.
      '@typescript-eslint/require-await': 'off',
      // Control characters in our patterns are deliberate: they are what text fields, .ics and headers strip or refuse.
      'no-control-regex': 'off',
    },
  },
  {
    // Migrations run against the schema as it was when they were written, not today's types: Kysely's advice is
    // Kysely<any> there, and the runner that drives them shares that type.
    files: ['src/**/migrations/*.ts', 'src/**/db/migrate.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-unsafe-argument': 'off' },
  },
  {
    // Tests read JSON bodies and poke at internals; the type checker still checks everything they call.
    files: ['test/**/*.ts', 'test/**/*.tsx', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Routes parse, call a service and render: no query or transaction in a route file (the import side of this
    // rule is dependency-cruiser's; this catches queries reached through app.deps).
    files: ['src/**/*routes.ts', 'src/**/*routes.tsx'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'CallExpression[callee.property.name=/^(selectFrom|insertInto|updateTable|deleteFrom|transact|transaction)$/]',
          message: 'Routes use no database: move the query or transaction into a service or repository.',
        },
      ],
    },
  },
  {
    files: ['src/**/assets/*.js'],
    languageOptions: {
      globals: { document: 'readonly', window: 'readonly', setTimeout: 'readonly', fetch: 'readonly' },
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', module: 'writable' } },
  },
);
