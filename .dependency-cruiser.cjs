/**
 * The import rules dependency-cruiser checks; `npm run check:imports` (scripts/check-imports.mjs)
 * runs them and adds the folder-level cycle check, which a rule here cannot express.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'Files that import each other, directly or around a loop, cannot be understood or changed one at a time.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-sources-from-tests',
      severity: 'error',
      comment: 'tests/ may import the apps and packages, never the reverse: what both need lives in packages/testing.',
      from: { path: '^(apps|packages)/' },
      to: { path: '^tests/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|generated|build)/' },
    // A type-only import couples two files as much as any other.
    tsPreCompilationDeps: true,
  },
};
