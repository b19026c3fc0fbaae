/**
 * `physwatch config get-contexts|current-context|use-context|set-context|delete-context`:
 * named orchestrators in the config file, kubectl style. Nothing here contacts a server,
 * and no token is ever printed.
 */
import { Command } from 'commander';
import { BadInputError, CommandFailedError } from '../cli-error';
import { ConfigFileValues, contextList, contextNameRule, EMPTY_CONFIG, isValidContextName } from '../config/config-file';
import { configFilePath, normalizeServer, readConfigFile, selectedContext } from '../config/client-config';
import { editConfigFile } from '../config/config-writer';
import type { CliIo } from '../io';
import { formatOutput, OutputFormat } from '../output/output-format';
import { renderTable } from '../output/table';

interface ConfigGlobals {
  context?: string;
  server?: string;
  token?: string;
  output: OutputFormat;
}

export function addConfigCommands(program: Command, io: CliIo): void {
  const config = program
    .command('config')
    .description('contexts: named orchestrators (server and token) in ~/.config/physwatch/config.yaml or $PHYSWATCH_CONFIG');

  config
    .command('get-contexts')
    .description('every context: * marks the one in use (--context, PHYSWATCH_CONTEXT, then current-context)')
    .option('--names', 'only the names, one a line (for scripts and shell completion)')
    .action((flags: { names?: boolean }, cmd: Command) => {
      const globals = cmd.optsWithGlobals<ConfigGlobals>();
      const { file, values } = readConfigFile(io);
      if (flags.names) return io.out(Object.keys(values?.contexts ?? {}).map((name) => `${name}\n`).join(''));
      const inUse = selectedContext(globals, io.env, values ?? EMPTY_CONFIG, file)?.name;
      const rows = Object.entries(values?.contexts ?? {}).map(([name, entry]) => ({ name, server: entry.server, token_set: entry.token !== undefined, current: name === inUse }));
      io.out(
        formatOutput(globals.output, rows, () =>
          rows.length === 0
            ? `No contexts in ${file}. Add one: physwatch config set-context NAME --server URL --token-file FILE\n`
            : renderTable(['CURRENT', 'NAME', 'SERVER', 'TOKEN'], rows.map((r) => [r.current ? '*' : '', r.name, r.server, r.token_set ? 'set' : 'none'])),
        ),
      );
    });

  config
    .command('current-context')
    .description('the name of the context in use, and where that choice came from (on stderr)')
    .action((_flags: unknown, cmd: Command) => {
      const { file, values } = readConfigFile(io);
      const selected = selectedContext(cmd.optsWithGlobals<ConfigGlobals>(), io.env, values ?? EMPTY_CONFIG, file);
      if (selected === null) throw new CommandFailedError(`no context is in use: none of --context, PHYSWATCH_CONTEXT or current-context in ${file} is set`);
      io.out(`${selected.name}\n`);
      io.err(`(from ${selected.source})\n`);
    });

  config
    .command('use-context')
    .description("make NAME the file's current-context, used when neither --context nor PHYSWATCH_CONTEXT is given")
    .argument('<context>', 'a context from config get-contexts')
    .action((name: string) => {
      const { file, text } = readText(io);
      const result = editConfigFile(file, text, (values, edit) => {
        requireContext(values, name, file);
        edit.set(['current-context'], name);
      });
      io.out(`Switched to context ${JSON.stringify(name)} (server ${result.contexts[name].server}).\n`);
      if (io.env.PHYSWATCH_CONTEXT?.trim()) io.err(`note: PHYSWATCH_CONTEXT=${io.env.PHYSWATCH_CONTEXT.trim()} is set and wins over current-context\n`);
    });

  config
    .command('set-context')
    .description('add a context, or change the server or token of one')
    .argument('<context>', 'context name, e.g. prod or lab-eu')
    .option('--server <url>', "the context's orchestrator REST address (required for a new context)")
    .option('--token <token>', "the context's API token (visible in ps and shell history: prefer --token-file)")
    .option('--token-file <file>', "read the context's API token from this file")
    .action((name: string, _flags: unknown, cmd: Command) => {
      // --server and --token are also global options, which commander gives to the program.
      const flags = cmd.optsWithGlobals<ConfigGlobals & { tokenFile?: string }>();
      if (!isValidContextName(name)) throw new BadInputError(`<context>: ${JSON.stringify(name)} is not a context name (${contextNameRule()})`);
      if (flags.token !== undefined && flags.tokenFile !== undefined) throw new BadInputError('--token and --token-file: give one of them, not both');
      const server = flags.server === undefined ? undefined : normalizeServer(flags.server, '--server');
      const token = flags.tokenFile === undefined ? flags.token : tokenFromFile(io, flags.tokenFile);
      if (token !== undefined && token.trim() === '') throw new BadInputError('--token: must not be empty');
      const { file, text } = readText(io);
      let created = false;
      editConfigFile(file, text, (values, edit) => {
        created = values.contexts[name] === undefined;
        if (created && server === undefined) throw new BadInputError(`--server: required to create context ${JSON.stringify(name)} (existing contexts: ${contextList(values)})`);
        if (!created && server === undefined && token === undefined) throw new BadInputError('nothing to change: give --server, --token or --token-file');
        if (server !== undefined) edit.set(['contexts', name, 'server'], server);
        if (token !== undefined) edit.set(['contexts', name, 'token'], token.trim());
      });
      io.out(`Context ${JSON.stringify(name)} ${created ? 'created' : 'updated'} in ${file}.\n`);
    });

  config
    .command('delete-context')
    .description('remove a context (and current-context, when it names it)')
    .argument('<context>', 'a context from config get-contexts')
    .action((name: string) => {
      const { file, text } = readText(io);
      let wasCurrent = false;
      editConfigFile(file, text, (values, edit) => {
        requireContext(values, name, file);
        edit.delete(['contexts', name]);
        wasCurrent = values.currentContext === name;
        if (wasCurrent) edit.delete(['current-context']);
      });
      io.out(`Deleted context ${JSON.stringify(name)} from ${file}.${wasCurrent ? ' It was the current context: none is set now.' : ''}\n`);
    });
}

/** Reading for a change: a missing file (even one PHYSWATCH_CONFIG names) is created. */
function readText(io: CliIo): { file: string; text: string | null } {
  const { file } = configFilePath(io.env, io.homeDir);
  return { file, text: io.readFile(file) };
}

function requireContext(values: ConfigFileValues, name: string, file: string): void {
  if (values.contexts[name] === undefined) throw new BadInputError(`<context>: no context ${JSON.stringify(name)} in ${file} (contexts: ${contextList(values)})`);
}

function tokenFromFile(io: CliIo, file: string): string {
  const text = io.readFile(file);
  if (text === null) throw new BadInputError(`--token-file: ${file} does not exist`);
  return text.trim();
}
