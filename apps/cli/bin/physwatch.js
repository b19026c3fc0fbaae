#!/usr/bin/env node
// What npm links as `physwatch`. It is a source file, not dist/main.js itself, because npm
// links bins at install time, before the build exists, and skips a bin whose file is missing.
try {
  require.resolve('../dist/main.js');
} catch {
  process.stderr.write('physwatch is not built yet: run `npm run build` in the repository first\n');
  process.exit(1);
}
require('../dist/main.js');
