/**
 * The module kit's import rules, checked in CI (`npm run lint:deps`):
 * no import cycles (type-only imports included), modules meet only through
 * each other's `index.ts`, and the platform names no module.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle, type-only imports included: split the shared part out, or invert the dependency.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'module-deep-import',
      severity: 'error',
      comment: "Modules meet only through each other's index.ts (and events).",
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'module-imports-module-list',
      severity: 'error',
      comment: 'The list of modules is the composition root: a module never imports it.',
      from: { path: '^src/modules/[^/]+/' },
      to: { path: '^src/modules/index\\.ts$' },
    },
    {
      name: 'platform-imports-module',
      severity: 'error',
      comment: 'The platform holds no domain: it never imports a module.',
      from: { path: '^src/platform/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'platform-imports-composition-root',
      severity: 'error',
      comment: 'The platform never imports the composition root (app, main, config, module list); its tests may.',
      from: { path: '^src/platform/', pathNot: '\\.test\\.ts$' },
      to: { path: '^src/(app|main|config|migrations|cli)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
