// Import boundaries of the monorepo (see shared/architecture.md): apps → libs, libs/domain depends
// on nothing, a lib is used only through its `src/index.ts`, terminal-bridge and acquirer speak bytes
// and HTTP, never tables. Run by `npm run lint` (`npm run lint:deps` alone).
//
// Type-only imports count (`tsPreCompilationDeps: true`): an `import type` still couples two layers
// (the bridge would describe terminals with persistence's entity and change when a column does), so
// no rule makes an exception for them.

/** Matches a lib's public face: the only file of a lib that another module may import. */
const LIB_INDEX = '^libs/[^/]+/src/index\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'libs/domain is plain TypeScript with no I/O: it imports only its own files. No npm package, ' + 'no node builtin, no other lib, no app.',
      from: { path: '^libs/domain/', pathNot: '\\.spec\\.ts$' },
      to: { pathNot: '^libs/domain/' },
    },
    {
      name: 'domain-specs-are-pure',
      severity: 'error',
      comment:
        "libs/domain's unit tests import the domain and, at most, a test tool from devDependencies " +
        '(fast-check for property tests); never a lib, an app, a node builtin or a runtime package.',
      from: { path: '^libs/domain/.+\\.spec\\.ts$' },
      to: { pathNot: '^libs/domain/', dependencyTypesNot: ['npm-dev'] },
    },
    {
      name: 'lib-not-to-app',
      severity: 'error',
      comment: 'Dependencies point one way: apps → libs. A lib never imports an app.',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'bridge-and-acquirer-not-to-persistence',
      severity: 'error',
      comment:
        'terminal-bridge (bytes to terminals) and acquirer (HTTP to the acceptance server) never import ' +
        'persistence, not even its types: the caller (an app, lifecycle) maps rows to their inputs.',
      from: { path: '^libs/(terminal-bridge|acquirer)/' },
      to: { path: '^libs/persistence/' },
    },
    {
      name: 'app-not-to-other-app',
      severity: 'error',
      comment: 'apps/api, apps/worker and apps/cli are separate processes: what two of them share belongs in a lib.',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'production-not-to-simulators',
      severity: 'error',
      comment:
        'Simulators stand in for terminals, the acceptance server, the SMS gateway and SMTP in tests, ' +
        'benchmarks and `npm start`; shipped code (apps, libs, migrations) never depends on them. ' +
        'test/, bench/ and scripts/ may.',
      from: { path: '^(apps|libs|migrations)/' },
      to: { path: '^simulators/' },
    },
    {
      name: 'production-not-to-tooling',
      severity: 'error',
      comment: 'Shipped code (apps, libs, migrations) never imports test/, bench/ or scripts/.',
      // Integration specs beside the code (`*.int-spec.ts`) borrow the e2e suites' database support.
      from: { path: '^(apps|libs|migrations)/', pathNot: '\\.int-spec\\.ts$' },
      to: { path: '^(test|bench|scripts)/' },
    },
    {
      name: 'lib-internals-through-index',
      severity: 'error',
      comment:
        "A lib exposes one src/index.ts; another lib imports that, never the lib's internal files " +
        '(import from @diapason/<lib>, and export what is missing from its index).',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/', pathNot: ['^libs/$1/', LIB_INDEX] },
    },
    {
      name: 'lib-internals-through-index-outside-libs',
      severity: 'error',
      comment:
        'Apps, tests, benchmarks, scripts, simulators and migrations use a lib through its src/index.ts ' +
        '(@diapason/<lib>), never its internal files.',
      from: { pathNot: '^libs/' },
      to: { path: '^libs/', pathNot: LIB_INDEX },
    },
    {
      name: 'no-deep-alias-import',
      severity: 'error',
      comment:
        "@diapason/<lib> maps to the lib's src folder: `@diapason/<lib>/…` reaches into its internals " +
        '(and does not even resolve to a file). Import @diapason/<lib> itself.',
      from: {},
      to: { path: '^@diapason/[^/]+/.+' },
    },
    {
      name: 'no-circular-between-libs',
      severity: 'error',
      comment:
        'Two libs that import each other (directly or through others) are one lib in two folders: ' +
        'move the shared part down (often into domain) or invert the dependency.',
      from: { path: '^libs/([^/]+)/' },
      to: { circular: true, via: { pathNot: '^libs/$1/' } },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        "Any import cycle, inside a lib or an app too (there is none today). With SWC's CommonJS output and " +
        "decorator metadata, a cycle leaves a class undefined when the other module's decorators read it: " +
        'Nest then cannot resolve a provider, or needs forwardRef. A cycle between libs is also reported ' +
        'by no-circular-between-libs, which names the architectural problem.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'An import that resolves to no file: a typo, a missing package, or an alias that the ' +
        'tsconfig paths do not map. Left unresolved, it would also slip past every rule above.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    exclude: { path: ['^dist/', '^\\.data/', '^test-artifacts/', '^coverage/'] },
    moduleSystems: ['es6', 'cjs'],
    // Count `import type` and type-only re-exports too (see the top of this file).
    tsPreCompilationDeps: true,
    // Resolves the `@diapason/*` → `libs/*/src` paths, so an import through the alias is checked
    // exactly like a relative one.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
