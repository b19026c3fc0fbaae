/** JSON lines on stdout, one per event; every line carries the host id. */
import pino, { Logger } from 'pino';

export function createLogger(level: string, hostId: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { pid: process.pid, hostId },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
