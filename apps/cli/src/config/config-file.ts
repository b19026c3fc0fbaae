/**
 * The config file's shape: `server`/`token` at the top level (the one-orchestrator case) and
 * `contexts: { NAME: { server, token? } }` with `current-context: NAME` for several.
 * Every bad key is named at once, with its path in the file, so one edit fixes them all.
 */
import { parse as parseYaml } from 'yaml';
import { BadInputError } from '../cli-error';

const TOP_KEYS = ['server', 'token', 'contexts', 'current-context'];
const CONTEXT_KEYS = ['server', 'token'];
/** Names that need no quoting in a shell or in YAML, and read well in a table. */
const CONTEXT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export interface ContextEntry {
  server: string;
  token?: string;
}

export interface ConfigFileValues {
  server?: string;
  token?: string;
  contexts: Record<string, ContextEntry>;
  currentContext?: string;
}

export const EMPTY_CONFIG: ConfigFileValues = { contexts: {} };

/** Parses and checks the file's text; `file` only names it in errors. */
export function parseConfigFile(file: string, text: string): ConfigFileValues {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new BadInputError(`config file ${file} is not valid YAML: ${(err as Error).message}`);
  }
  if (doc === null || doc === undefined) return { contexts: {} };
  if (!isMapping(doc)) throw new BadInputError(`config file ${file} must be a mapping with server and token, or contexts`);
  const problems: string[] = [];
  const str = (where: string, value: unknown): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return void problems.push(`${where}: must be a string`);
    return nonEmpty(value);
  };
  const values: ConfigFileValues = { contexts: {} };
  // In the file's order, so the list reads top to bottom beside the file.
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'server') values.server = str('server', value);
    else if (key === 'token') values.token = str('token', value);
    else if (key === 'current-context') values.currentContext = str('current-context', value);
    else if (key === 'contexts') values.contexts = parseContexts(value, problems, str);
    else problems.push(`${key}: unknown key (allowed: ${TOP_KEYS.join(', ')})`);
  }
  if (problems.length > 0) throw new BadInputError(`config file ${file} has bad keys:`, problems);
  return values;
}

function parseContexts(value: unknown, problems: string[], str: (where: string, value: unknown) => string | undefined): Record<string, ContextEntry> {
  const contexts: Record<string, ContextEntry> = {};
  if (value === null) return contexts;
  if (!isMapping(value)) {
    problems.push('contexts: must be a mapping of context name to { server, token }');
    return contexts;
  }
  for (const [name, entry] of Object.entries(value)) {
    const where = `contexts.${name}`;
    if (!CONTEXT_NAME.test(name)) problems.push(`${where}: ${contextNameRule()}`);
    if (!isMapping(entry)) {
      problems.push(`${where}: must be a mapping with server and token`);
      continue;
    }
    for (const key of Object.keys(entry)) if (!CONTEXT_KEYS.includes(key)) problems.push(`${where}.${key}: unknown key (allowed: ${CONTEXT_KEYS.join(', ')})`);
    const before = problems.length;
    const server = str(`${where}.server`, entry.server);
    if (server === undefined && problems.length === before) problems.push(`${where}.server: required`);
    const token = str(`${where}.token`, entry.token);
    contexts[name] = { server: server ?? '', ...(token === undefined ? {} : { token }) };
  }
  return contexts;
}

/** Why a context name was refused; for the file and for `config set-context`. */
export function contextNameRule(): string {
  return 'a context name is 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit';
}

export function isValidContextName(name: string): boolean {
  return CONTEXT_NAME.test(name);
}

/** "a, b" or "none defined": for errors that name the contexts that exist. */
export function contextList(values: ConfigFileValues): string {
  const names = Object.keys(values.contexts);
  return names.length === 0 ? 'none defined' : names.join(', ');
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmpty(value: string): string | undefined {
  return value.trim() === '' ? undefined : value.trim();
}
