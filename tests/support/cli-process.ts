/** The built `physwatch` CLI as a process, stdin not a terminal (as in CI or a script). */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const CLI_MAIN = path.resolve(__dirname, '../../apps/cli/dist/main.js');

const homes: string[] = [];
process.on('exit', () => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliTarget {
  url: string;
  adminToken: string;
}

/**
 * Runs the CLI against `target` with its admin token, in a fresh HOME so a developer's own
 * config never leaks in; `env` adds to that (an undefined value removes the variable).
 */
export function runCli(target: CliTarget, args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const home = mkdtempSync(path.join(tmpdir(), 'physwatch-cli-home-'));
  homes.push(home);
  const merged: NodeJS.ProcessEnv = { ...process.env, HOME: home, PHYSWATCH_SERVER: target.url, PHYSWATCH_TOKEN: target.adminToken, ...env };
  delete merged.PHYSWATCH_CONFIG;
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  return new Promise((resolve) =>
    execFile(process.execPath, [CLI_MAIN, ...args], { env: merged }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}
