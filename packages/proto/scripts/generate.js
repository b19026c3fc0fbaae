// Generates TypeScript types for proto/ with the exact options the runtime loader uses,
// so a generated field name can never differ from a decoded one.
'use strict';
const { execFileSync } = require('node:child_process');
const { rmSync } = require('node:fs');
const path = require('node:path');
const options = require('../loader-options.json');

const protoRoot = path.resolve(__dirname, '../../../proto');
const outDir = path.resolve(__dirname, '../src/generated');
const flags = [];
for (const [key, value] of Object.entries(options)) {
  flags.push(value === true ? `--${key}` : `--${key}=${value}`);
}
rmSync(outDir, { recursive: true, force: true });
execFileSync(
  process.execPath,
  [
    require.resolve('@grpc/proto-loader/build/bin/proto-loader-gen-types.js'),
    ...flags,
    '--grpcLib=@grpc/grpc-js',
    '--includeComments',
    `--includeDirs=${protoRoot}`,
    `--outDir=${outDir}`,
    'physwatch/v1/agent.proto',
  ],
  { stdio: 'inherit' },
);
