// @ts-check
// Project rule: a rule broken on purpose is changed here, with the reason beside it; never silenced
// inline. Inline `eslint-disable` comments are therefore switched off (`noInlineConfig`): ESLint
// reports each one as a warning and `npm run lint` runs with `--max-warnings=0`, so they fail.
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TS = ['**/*.ts'];
const JS = ['**/*.{js,mjs,cjs}'];
const TESTS = ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.int-spec.ts', 'test/**/*.ts'];
// Programs whose output is meant for a person at a terminal (or a benchmark log).
const CONSOLE_PROGRAMS = ['scripts/**', 'simulators/**', 'apps/cli/**', 'bench/**'];

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', '.data/', 'test-artifacts/', 'coverage/']),

  {
    linterOptions: {
      noInlineConfig: true,
      reportUnusedDisableDirectives: 'error',
      reportUnusedInlineConfigs: 'error',
    },
  },

  eslint.configs.recommended,

  // Type-aware linting (no-floating-promises, no-misused-promises, await-thenable…): the whole
  // repository is one tsconfig project, so the project service builds one program for all files.
  {
    files: TS,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      // tsc already reports unused locals and parameters (noUnusedLocals / noUnusedParameters);
      // this keeps ESLint's rule for what tsc does not see, with tsc's own `_` convention.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Nothing is silenced inline, not even the type checker: a `@ts-expect-error` in production
      // code is a type that lies. (Tests get one exception below.)
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-expect-error': true, 'ts-ignore': true, 'ts-nocheck': true, 'ts-check': false }],
      // A floating promise in a cron tick or an outbox drain is a lost error; `void` marks the
      // deliberate fire-and-forget.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      'no-console': 'error',
      // Async methods here implement promise-returning contracts (storage adapters, Nest hooks,
      // simulators' handlers): an `async` with nothing to await yet is not a mistake.
      '@typescript-eslint/require-await': 'off',
      // Only libs/lifecycle changes a dossier's status or journal (docs/architecture.md); the
      // repository that writes them is out of reach everywhere else.
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@diapason/persistence',
              importNames: ['DossierWriteRepository'],
              message: 'Dossier statuses and journal change only through libs/lifecycle (DossierLifecycle, DossierSweeps).',
              allowTypeImports: true,
            },
            // `@IsOptional()` also skips every rule on `null`, which then reaches the database (a 500 on
            // a NOT NULL column, issue 13): optional fields may be absent, never null.
            {
              name: 'class-validator',
              importNames: ['IsOptional'],
              message: 'Use IsOptionalNotNull (apps/api/src/common/validators.ts): `@IsOptional()` lets null through.',
            },
          ],
        },
      ],
    },
  },

  // The lifecycle is the one writer of dossiers; tools that build it by hand (bench) may name it too.
  {
    files: ['libs/lifecycle/**/*.ts', 'libs/persistence/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },

  {
    files: TESTS,
    rules: {
      // Tests read untyped HTTP bodies, webhook payloads and rows; typing each of them would
      // restate the DTOs under test. `any` and its unsafe uses are allowed there and only there.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // A test may pass a value the types forbid to check the runtime validation; it says why.
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-expect-error': 'allow-with-description', 'ts-ignore': true, 'ts-nocheck': true }],
    },
  },

  {
    files: CONSOLE_PROGRAMS,
    rules: {
      // Scripts, simulators, the operator CLI and the benchmarks talk to a person at a terminal;
      // the apps and libs log through pino instead.
      'no-console': 'off',
    },
  },
  {
    files: ['apps/*/src/main.ts'],
    rules: {
      // A process entry point reports a failed start (a wrong setting names itself, then exit 1)
      // before the pino logger exists; only `console.error`, only there.
      'no-console': ['error', { allow: ['error'] }],
    },
  },

  {
    files: JS,
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.cjs', 'jest.config.js'],
    languageOptions: { sourceType: 'commonjs' },
  },

  // Last: turns off the stylistic rules that would fight Prettier (`prettier --check` owns layout).
  prettier,
);
