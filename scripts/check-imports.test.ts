/**
 * check-imports.mjs on scratch trees laid out like this repository (apps/<app>/src, tests/):
 * each rule it enforces fails naming the imports that break it, and the folder graph leaves
 * out what it says it leaves out (files directly in src/, tests).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = path.resolve(__dirname, 'check-imports.mjs');

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A scratch tree with these files (path -> source), and check-imports run in it. */
function check(files: Record<string, string>): { status: number | null; output: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'physwatch-check-imports-'));
  made.push(root);
  for (const [file, source] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), source);
  }
  const run = spawnSync(process.execPath, [SCRIPT], { cwd: root, encoding: 'utf8' });
  return { status: run.status, output: run.stdout + run.stderr };
}

describe('check-imports', () => {
  it('passes a tree whose folders depend one way', () => {
    const run = check({
      'apps/x/src/a/one.ts': "import { two } from '../b/two';\nexport const one = two;\n",
      'apps/x/src/b/two.ts': 'export const two = 2;\n',
    });
    expect(run.output).toContain('no import cycle between files or folders');
    expect(run.status).toBe(0);
  });

  it('fails a loop between two folders that no two files make, naming one import each way', () => {
    const run = check({
      'apps/x/src/a/one.ts': "import { two } from '../b/two';\nexport const one = two;\n",
      'apps/x/src/b/two.ts': 'export const two = 2;\n',
      'apps/x/src/b/three.ts': "import { four } from '../a/four';\nexport const three = four;\n",
      'apps/x/src/a/four.ts': 'export const four = 4;\n',
    });
    expect(run.status).toBe(1);
    expect(run.output).toContain('folder cycle: apps/x/src/a, apps/x/src/b');
    expect(run.output).toContain('apps/x/src/a -> apps/x/src/b  (apps/x/src/a/one.ts -> apps/x/src/b/two.ts)');
    expect(run.output).toContain('apps/x/src/b -> apps/x/src/a  (apps/x/src/b/three.ts -> apps/x/src/a/four.ts)');
  });

  it('counts a folder and the folder inside it as two', () => {
    const run = check({
      'packages/p/src/backend/open.ts': "import { Kernel } from './kernel/kernel';\nexport const open = () => new Kernel();\n",
      'packages/p/src/backend/types.ts': 'export interface Backend { close(): void }\n',
      'packages/p/src/backend/kernel/kernel.ts': "import type { Backend } from '../types';\nexport class Kernel implements Backend { close(): void {} }\n",
    });
    expect(run.status).toBe(1);
    expect(run.output).toContain('folder cycle: packages/p/src/backend, packages/p/src/backend/kernel');
  });

  it('leaves files directly in src/ and tests out of the folder graph', () => {
    const run = check({
      'apps/x/src/main.ts': "import { one } from './a/one';\nconsole.log(one);\n",
      'apps/x/src/shared.ts': 'export const shared = 1;\n',
      'apps/x/src/a/one.ts': "import { shared } from '../shared';\nimport { two } from '../b/two';\nexport const one = shared + two;\n",
      'apps/x/src/b/two.ts': 'export const two = 2;\n',
      'apps/x/src/b/two.test.ts': "import { one } from '../a/one';\nimport { two } from './two';\nexport const sum = one + two;\n",
    });
    expect(run.output).toContain('no import cycle between files or folders');
    expect(run.status).toBe(0);
  });

  it('fails a cycle between two files', () => {
    const run = check({
      'apps/x/src/a/one.ts': "import { two } from './two';\nexport const one = () => two();\n",
      'apps/x/src/a/two.ts': "import { one } from './one';\nexport const two = () => one;\n",
    });
    expect(run.status).toBe(1);
    expect(run.output).toMatch(/no-cycle: apps\/x\/src\/a\/(one|two)\.ts → /);
  });

  it('fails a package source, a test beside the code included, that imports tests/', () => {
    const run = check({
      'tests/support/helper.ts': 'export const helper = 1;\n',
      'apps/x/src/a/one.int.test.ts': "import { helper } from '../../../../tests/support/helper';\nexport const one = helper;\n",
    });
    expect(run.status).toBe(1);
    expect(run.output).toContain('no-sources-from-tests: apps/x/src/a/one.int.test.ts → tests/support/helper.ts');
  });
});
