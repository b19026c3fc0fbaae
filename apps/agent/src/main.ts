#!/usr/bin/env node
/**
 * `node apps/agent/dist/main.js --config FILE`. Exit codes: 0 after a clean drain,
 * 1 when the agent fails, 2 for a bad command line or configuration.
 */
import { Agent } from './agent';
import { ConfigError } from './config/config-error';
import { loadConfigFile } from './config/load-config';
import type { AgentConfig } from './config/schema';
import { createLogger } from './log';

const USAGE = 'usage: physwatch-agent --config FILE';

function configPath(argv: string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--config') return argv[i + 1] ?? null;
    if (argv[i].startsWith('--config=')) return argv[i].slice('--config='.length) || null;
  }
  return null;
}

async function main(): Promise<number> {
  const file = configPath(process.argv.slice(2));
  if (!file) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let config: AgentConfig;
  try {
    config = loadConfigFile(file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  const log = createLogger(config.logLevel, config.hostId);
  let agent: Agent;
  try {
    agent = await Agent.start(config, log);
  } catch (err) {
    log.fatal({ err }, 'agent failed to start');
    return 1;
  }
  return new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      log.info({ signal }, 'signal received, draining');
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      // A second signal while draining means "now".
      process.once('SIGTERM', () => resolve(1));
      process.once('SIGINT', () => resolve(1));
      agent.stop().then(
        () => resolve(0),
        (err: Error) => {
          log.fatal({ err }, 'agent failed while draining');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

main().then(
  (code) => {
    process.exitCode = code;
    // Anything still holding the loop open after a drain is a bug; do not hang on it.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err: Error) => {
    process.stderr.write(`physwatch-agent: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
