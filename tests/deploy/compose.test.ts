/**
 * docker-compose.yml is valid and complete. No Docker engine runs here, so the compose
 * client only validates it (`config -q`); .ci/run installs Debian's docker-compose when the
 * `docker compose` plugin is missing.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

function compose(args: string[]): string {
  const candidates: [string, string[]][] = [
    ['docker', ['compose', ...args]],
    ['docker-compose', args],
  ];
  const failures: string[] = [];
  for (const [command, argv] of candidates) {
    try {
      return execFileSync(command, argv, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as { code?: string; stderr?: string };
      // A missing client (or plugin) is tried next; a client that ran and refused the file is the answer.
      if (e.code === 'ENOENT' || /unknown command|is not a docker command/.test(e.stderr ?? '')) {
        failures.push(`${command}: not available`);
        continue;
      }
      throw new Error(`${command} ${argv.join(' ')} failed: ${e.stderr}`);
    }
  }
  throw new Error(`no compose client: ${failures.join('; ')} (apt-get install docker-compose)`);
}

describe('docker-compose.yml', () => {
  it('passes `config -q`', () => {
    expect(compose(['config', '-q'])).toBe('');
  });

  it('runs postgres, redis, the orchestrator and two simulated agents', () => {
    const services = compose(['config', '--services']).trim().split('\n').sort();
    expect(services).toEqual(['agent-1', 'agent-2', 'orchestrator', 'postgres', 'redis']);
  });
});
