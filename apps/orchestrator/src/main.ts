#!/usr/bin/env node
import 'reflect-metadata';
import { startOrchestrator } from './bootstrap';
import { ConfigError, loadConfig } from './config/config';
import { createLogger, lifecycleLogger } from './config/logger';

// If closing hangs (a peer that never answers), leave anyway rather than linger.
const SHUTDOWN_TIMEOUT_MS = 15_000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${JSON.stringify({ level: 'fatal', msg: err.message })}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  let running;
  try {
    running = await startOrchestrator(config, logger);
  } catch (err) {
    logger.fatal({ err }, 'orchestrator failed to start');
    process.exit(1);
  }
  const lifecycle = lifecycleLogger(logger);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    lifecycle.info({ signal }, 'orchestrator stopping');
    setTimeout(() => {
      logger.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, 'shutdown did not finish in time');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    running.close().then(
      () => {
        lifecycle.info('orchestrator stopped');
        process.exitCode = 0;
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

void main();
