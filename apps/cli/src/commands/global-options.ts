/** Options every command takes (`--server`, `--token`, `--context`, `-o`), and what they resolve to. */
import { Command, Option } from 'commander';
import { ApiClient } from '../api/api-client';
import { resolveClientConfig } from '../config/client-config';
import type { CliIo } from '../io';
import { formatOutput, OUTPUT_FORMATS, OutputFormat } from '../output/output-format';

interface GlobalOptions {
  server?: string;
  token?: string;
  context?: string;
  output: OutputFormat;
}

export function addGlobalOptions(program: Command): void {
  program
    .option('--server <url>', 'orchestrator REST address (env PHYSWATCH_SERVER, config file "server"; default http://127.0.0.1:8080)')
    .option('--token <token>', 'API token, sent as a Bearer token (env PHYSWATCH_TOKEN, config file "token")')
    .option('--context <context>', 'use this context of the config file for server and token (env PHYSWATCH_CONTEXT, config file "current-context")')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'));
}

/** What a command's action needs: a client for the resolved server, and a printer for -o. */
export interface CommandContext {
  client: ApiClient;
  format: OutputFormat;
  io: CliIo;
  print(data: unknown, table: () => string): void;
}

export function commandContext(cmd: Command, io: CliIo): CommandContext {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const config = resolveClientConfig({ flags: { server: opts.server, token: opts.token, context: opts.context }, env: io.env, homeDir: io.homeDir, readFile: io.readFile });
  return {
    client: new ApiClient(config),
    format: opts.output,
    io,
    print: (data, table) => io.out(formatOutput(opts.output, data, table)),
  };
}
