import type { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

export type { Logger } from 'pino';

/** Injection token for the process's pino logger. */
export const LOGGER = Symbol('Logger');

/** JSON lines on stdout, one per event; `base` carries no pid/hostname noise. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'orchestrator' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

/**
 * Lifecycle lines (ready, stopping, stopped) are a contract: tests, the demo and the bench
 * wait for "orchestrator ready". They are written at info whatever LOG_LEVEL says.
 */
export function lifecycleLogger(logger: Logger): Logger {
  return logger.child({}, { level: 'info' });
}

/** Routes Nest's own messages (module init, route mapping, errors) into the same JSON stream. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }

  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }

  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }

  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }

  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
