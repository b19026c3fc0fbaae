/**
 * Where the CLI finds its server and token: flag > environment > config file > default.
 * Each value remembers where it came from, so an error can say which setting to fix.
 * When a context is selected (--context > PHYSWATCH_CONTEXT > the file's current-context),
 * that context's server and token take the file's place; its top-level ones are then not
 * used, so one orchestrator's token is never sent to another.
 */
import * as path from 'node:path';
import { BadInputError } from '../cli-error';
import { ConfigFileValues, contextList, EMPTY_CONFIG, parseConfigFile } from './config-file';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export interface ClientConfig {
  /** Base URL without a trailing slash, e.g. "http://127.0.0.1:8080". */
  server: string;
  /** "--server", "PHYSWATCH_SERVER", the config file's path, `context "prod" in <path>`, or "default". */
  serverSource: string;
  token: string | null;
  /** "--token", "PHYSWATCH_TOKEN", the config file's path or context; null when no token is set. */
  tokenSource: string | null;
}

export interface ConfigInputs {
  flags: { server?: string; token?: string; context?: string };
  env: Readonly<Record<string, string | undefined>>;
  homeDir: string;
  /** The file's text, or null when it does not exist. */
  readFile: (file: string) => string | null;
}

/** PHYSWATCH_CONFIG names the file explicitly; otherwise the per-user default. */
export function configFilePath(env: ConfigInputs['env'], homeDir: string): { file: string; explicit: boolean } {
  const explicit = nonEmpty(env.PHYSWATCH_CONFIG);
  if (explicit) return { file: explicit, explicit: true };
  return { file: path.join(homeDir, '.config', 'physwatch', 'config.yaml'), explicit: false };
}

export function resolveClientConfig(inputs: ConfigInputs): ClientConfig {
  const { env, flags } = inputs;
  const fileValues = fileLayer(inputs);
  const candidates: Array<[string | undefined, string]> = [
    [nonEmpty(flags.server), '--server'],
    [nonEmpty(env.PHYSWATCH_SERVER), 'PHYSWATCH_SERVER'],
    [fileValues.server, fileValues.source],
  ];
  const [rawServer, serverSource] = candidates.find(([value]) => value !== undefined) ?? [DEFAULT_SERVER, 'default'];
  const tokens: Array<[string | undefined, string]> = [
    [nonEmpty(flags.token), '--token'],
    [nonEmpty(env.PHYSWATCH_TOKEN), 'PHYSWATCH_TOKEN'],
    [fileValues.token, fileValues.source],
  ];
  const [token, tokenSource] = tokens.find(([value]) => value !== undefined) ?? [null, null];
  return { server: normalizeServer(rawServer!, serverSource), serverSource, token: token ?? null, tokenSource };
}

/** Accepts "host:port" as well as a URL, since that is how people type it. */
export function normalizeServer(raw: string, source: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new BadInputError(`${source}: ${JSON.stringify(raw)} is not a server address (e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BadInputError(`${source}: ${JSON.stringify(raw)} must be an http:// or https:// address`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** The config file, or null when it does not exist (an explicit PHYSWATCH_CONFIG must). */
export function readConfigFile(inputs: Pick<ConfigInputs, 'env' | 'homeDir' | 'readFile'>): { file: string; values: ConfigFileValues | null } {
  const { file, explicit } = configFilePath(inputs.env, inputs.homeDir);
  const text = inputs.readFile(file);
  if (text === null) {
    if (explicit) throw new BadInputError(`PHYSWATCH_CONFIG: ${file} does not exist`);
    return { file, values: null };
  }
  return { file, values: parseConfigFile(file, text) };
}

/** Which context is asked for, and by what: the flag, the environment, then the file. */
export function selectedContext(flags: ConfigInputs['flags'], env: ConfigInputs['env'], values: ConfigFileValues, file: string): { name: string; source: string } | null {
  const flag = nonEmpty(flags.context);
  if (flag) return { name: flag, source: '--context' };
  const fromEnv = nonEmpty(env.PHYSWATCH_CONTEXT);
  if (fromEnv) return { name: fromEnv, source: 'PHYSWATCH_CONTEXT' };
  if (values.currentContext) return { name: values.currentContext, source: `current-context in ${file}` };
  return null;
}

/** The file's contribution to the chain: its top-level values, or the selected context's. */
function fileLayer(inputs: ConfigInputs): { server?: string; token?: string; source: string } {
  const { file, values } = readConfigFile(inputs);
  const selected = selectedContext(inputs.flags, inputs.env, values ?? EMPTY_CONFIG, file);
  if (selected === null) return { server: values?.server, token: values?.token, source: file };
  const entry = values?.contexts[selected.name];
  if (entry === undefined) {
    const where = values === null ? `${file} does not exist` : `contexts in ${file}: ${contextList(values)}`;
    throw new BadInputError(`${selected.source}: no context ${JSON.stringify(selected.name)} (${where})`);
  }
  return { server: entry.server, token: entry.token, source: `context ${JSON.stringify(selected.name)} in ${file}` };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
