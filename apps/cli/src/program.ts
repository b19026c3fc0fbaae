/** The `physwatch` command tree, and the one place its outcome becomes an exit code. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { EXIT_BAD_INPUT, EXIT_OK, exitCodeOf } from './cli-error';
import { addApplyCommand } from './commands/apply-command';
import { addAuthCommands } from './commands/auth-commands';
import { addCompletionCommand } from './commands/completion-command';
import { addConfigCommands } from './commands/config-commands';
import { addEnrollmentCommands } from './commands/enrollment-commands';
import { addGlobalOptions } from './commands/global-options';
import { addHitsCommands } from './commands/hits-commands';
import { addHostsCommands } from './commands/hosts-commands';
import { addHuntCommands } from './commands/hunt-commands';
import { addKdumpCommands } from './commands/kdump-commands';
import { addWatchCommands } from './commands/watch-commands';
import type { CliIo } from './io';

function version(): string {
  try {
    return (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('physwatch')
    .description('fleet-wide software watchpoints: create and stop watches, follow hits, from the terminal')
    .version(version())
    // Settings inherited by every subcommand added below: errors come back to run() as
    // exceptions instead of exiting, and output goes through io.
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(add --help for usage)');
  addGlobalOptions(program);
  addWatchCommands(program, io);
  addApplyCommand(program, io);
  addHuntCommands(program, io);
  addHostsCommands(program, io);
  addHitsCommands(program, io);
  addKdumpCommands(program, io);
  addAuthCommands(program, io);
  addEnrollmentCommands(program, io);
  addConfigCommands(program, io);
  addCompletionCommand(program, io);
  return program;
}

/** Runs one command line (without "node main.js") and returns its exit code. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    // commander has printed its own message (unknown option, missing argument, bad choice).
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_BAD_INPUT;
    io.err(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return exitCodeOf(err);
  }
}
