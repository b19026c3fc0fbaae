#!/usr/bin/env node
// The import check: dependency-cruiser's rules (.dependency-cruiser.cjs: no file-level cycle,
// apps and packages never import tests/), then no cycle between folders, which no rule there
// can say. Run from the repository root (npm run check:imports); exits 1 on any violation.
//
// A folder is a directory below apps/<app>/src or packages/<package>/src, nested ones too
// (backend/ and backend/kernel/ are two folders). Folder A depends on folder B when a file of
// A imports a file of B; any loop of such dependencies fails. Left out of the folder graph:
// files directly in src/ (the entry point that wires the folders together, and the few
// leaves they all share) and tests (*.test.ts, test-support/), which reach across to the
// collaborators they drive. Both still count for the file-level rules.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cruise, format } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';

const ROOTS = ['apps', 'packages', 'tests'];
const CONFIG = fileURLToPath(new URL('../.dependency-cruiser.cjs', import.meta.url));
const IN_FOLDER = /^((?:apps|packages)\/[^/]+\/src\/.+)\/[^/]+$/;
const TEST = /\.test\.tsx?$|\/test-support\//;

function folderOf(file) {
  if (TEST.test(file)) return null;
  return IN_FOLDER.exec(file)?.[1] ?? null;
}

/** Folder -> folder -> one import that makes the dependency (file -> file), for the message. */
function folderGraph(modules) {
  const graph = new Map();
  for (const module of modules) {
    const from = folderOf(module.source);
    if (!from) continue;
    for (const dependency of module.dependencies) {
      const to = folderOf(dependency.resolved);
      if (!to || to === from) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      if (!graph.get(from).has(to)) graph.get(from).set(to, `${module.source} -> ${dependency.resolved}`);
    }
  }
  return graph;
}

/** The strongly connected components of more than one folder (Tarjan): each holds a loop. */
function cycles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const found = [];
  const visit = (node) => {
    index.set(node, index.size);
    low.set(node, index.get(node));
    stack.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (stack.includes(next)) {
        low.set(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component = stack.splice(stack.indexOf(node));
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

const options = await extractDepcruiseOptions(CONFIG);
const { output } = await cruise(ROOTS.filter((root) => existsSync(root)), options);
let failed = false;

if (output.summary.error > 0) {
  failed = true;
  console.error((await format(output, { outputType: 'err' })).output);
}

const graph = folderGraph(output.modules);
for (const component of cycles(graph)) {
  failed = true;
  console.error(`folder cycle: ${component.join(', ')}`);
  for (const from of component) {
    for (const [to, example] of graph.get(from) ?? []) {
      if (component.includes(to)) console.error(`  ${from} -> ${to}  (${example})`);
    }
  }
}

if (failed) process.exit(1);
console.log(`check:imports: ${output.summary.totalCruised} modules, no import cycle between files or folders, nothing imports tests/`);
