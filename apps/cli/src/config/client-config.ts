/**
 * Where the CLI finds its server and token: flag > environment > config file > default.
 * Each value remembers where it came from, so an error can say which setting to fix.
 */
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { BadInputError } from '../cli-error';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';
const FILE_KEYS = ['server', 'token'];

export interface ClientConfig {
  /** Base URL without a trailing slash, e.g. "http://127.0.0.1:8080". */
  server: string;
  /** "--server", "PHYSWATCH_SERVER", the config file's path, or "default". */
  serverSource: string;
  token: string | null;
  /** "--token", "PHYSWATCH_TOKEN", the config file's path; null when no token is set. */
  tokenSource: string | null;
}

export interface ConfigInputs {
  flags: { server?: string; token?: string };
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
  const fileValues = readConfigFile(inputs);
  const candidates: Array<[string | undefined, string]> = [
    [nonEmpty(flags.server), '--server'],
    [nonEmpty(env.PHYSWATCH_SERVER), 'PHYSWATCH_SERVER'],
    [fileValues.server, fileValues.file],
  ];
  const [rawServer, serverSource] = candidates.find(([value]) => value !== undefined) ?? [DEFAULT_SERVER, 'default'];
  const tokens: Array<[string | undefined, string]> = [
    [nonEmpty(flags.token), '--token'],
    [nonEmpty(env.PHYSWATCH_TOKEN), 'PHYSWATCH_TOKEN'],
    [fileValues.token, fileValues.file],
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

function readConfigFile(inputs: ConfigInputs): { file: string; server?: string; token?: string } {
  const { file, explicit } = configFilePath(inputs.env, inputs.homeDir);
  const text = inputs.readFile(file);
  if (text === null) {
    if (explicit) throw new BadInputError(`PHYSWATCH_CONFIG: ${file} does not exist`);
    return { file };
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new BadInputError(`config file ${file} is not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return { file };
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new BadInputError(`config file ${file} must be a mapping with server and token`);
  const values = doc as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(values)) {
    if (!FILE_KEYS.includes(key)) problems.push(`${key}: unknown key (allowed: ${FILE_KEYS.join(', ')})`);
    else if (typeof values[key] !== 'string') problems.push(`${key}: must be a string`);
  }
  if (problems.length > 0) throw new BadInputError(`config file ${file} has bad keys:`, problems);
  return { file, server: nonEmpty(values.server as string | undefined), token: nonEmpty(values.token as string | undefined) };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
