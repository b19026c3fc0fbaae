/**
 * docker-compose.yml is valid and complete. No Docker engine runs here, so the compose
 * client only validates it (`config -q`); .ci/run installs Debian's docker-compose when the
 * `docker compose` plugin is missing.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');

/** The compose v2 plugin when `docker compose version` answers, else Debian's docker-compose. */
function composeClient(): [string, string[]] {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return ['docker', ['compose']];
  } catch {
    return ['docker-compose', []];
  }
}

function compose(args: string[]): string {
  const [command, prefix] = composeClient();
  try {
    return execFileSync(command, [...prefix, ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { code?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('no compose client: install the docker compose plugin or Debian\'s docker-compose');
    throw new Error(`${command} ${[...prefix, ...args].join(' ')} refused docker-compose.yml: ${e.stderr}`);
  }
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
