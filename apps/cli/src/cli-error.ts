/**
 * The CLI's two ways to fail, as exit codes scripts can branch on: 1 when the command could
 * not be done (server error, not found, unreachable server, hosts that did not arm), 2 when
 * the input was wrong (a bad flag, file or config: the message names which and why).
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

abstract class CliError extends Error {
  abstract readonly exitCode: number;

  /** `details`: one "where: why" line each (a bad flag, a host that failed), printed indented. */
  constructor(
    readonly summary: string,
    readonly details: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(details.length === 0 ? summary : `${summary}\n${details.map((d) => `  ${d}`).join('\n')}`, options);
  }
}

/** The command was understood but could not be done. */
export class CommandFailedError extends CliError {
  override readonly name = 'CommandFailedError';
  readonly exitCode = EXIT_FAILED;
}

/** The input names something wrong. */
export class BadInputError extends CliError {
  override readonly name = 'BadInputError';
  readonly exitCode = EXIT_BAD_INPUT;
}

/** The one place an error becomes an exit code; anything unexpected is a failure (1). */
export function exitCodeOf(err: unknown): number {
  return err instanceof CliError ? err.exitCode : EXIT_FAILED;
}
