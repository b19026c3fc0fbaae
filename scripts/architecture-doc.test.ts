/**
 * docs/architecture.md is kept true by the change that moves a part: every app and
 * package, and every folder directly below an app's or package's src/ that git tracks,
 * is named there (as `name/`). A new folder without a line saying what it is for fails.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
const DOC = readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8');
const TRACKED = execFileSync('git', ['ls-files', 'apps', 'packages'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);

/** apps/X and packages/X, and their src/ folders, from the tracked files. */
function parts(): { part: string; folders: string[] }[] {
  const byPart = new Map<string, Set<string>>();
  for (const file of TRACKED) {
    const [top, name, src, folder, ...rest] = file.split('/');
    const part = `${top}/${name}`;
    if (!byPart.has(part)) byPart.set(part, new Set());
    if (src === 'src' && folder && rest.length > 0) byPart.get(part)!.add(folder);
  }
  return [...byPart].map(([part, folders]) => ({ part, folders: [...folders].sort() }));
}

describe('docs/architecture.md', () => {
  it('names every app and package', () => {
    const missing = parts().map((p) => p.part).filter((part) => !DOC.includes(`\`${part}/\``));
    expect(missing).toEqual([]);
  });

  it('names every folder below an app\'s or package\'s src/', () => {
    const missing = parts().flatMap((p) => p.folders.filter((f) => !DOC.includes(`\`${f}/\``)).map((f) => `${p.part}/src/${f}`));
    expect(missing).toEqual([]);
  });

  it('finds what it checks (the tree has parts with src/ folders)', () => {
    expect(parts().filter((p) => p.folders.length > 0).length).toBeGreaterThanOrEqual(4);
  });
});
