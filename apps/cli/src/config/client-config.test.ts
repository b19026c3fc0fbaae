import { describe, expect, it } from 'vitest';
import { BadInputError } from '../cli-error';
import { ConfigInputs, DEFAULT_SERVER, resolveClientConfig } from './client-config';

const HOME = '/home/oncall';
const DEFAULT_FILE = '/home/oncall/.config/physwatch/config.yaml';

function inputs(parts: Partial<ConfigInputs> & { files?: Record<string, string> }): ConfigInputs {
  const files = parts.files ?? {};
  return { flags: parts.flags ?? {}, env: parts.env ?? {}, homeDir: HOME, readFile: (f) => files[f] ?? null };
}

describe('server and token resolution', () => {
  const file = { [DEFAULT_FILE]: 'server: http://file:1\ntoken: file-token\n' };
  const env = { PHYSWATCH_SERVER: 'http://env:2', PHYSWATCH_TOKEN: 'env-token' };

  it('takes the flag over the environment over the file over the default', () => {
    expect(resolveClientConfig(inputs({ flags: { server: 'http://flag:3', token: 'flag-token' }, env, files: file }))).toEqual({
      server: 'http://flag:3',
      serverSource: '--server',
      token: 'flag-token',
      tokenSource: '--token',
    });
    expect(resolveClientConfig(inputs({ env, files: file }))).toEqual({ server: 'http://env:2', serverSource: 'PHYSWATCH_SERVER', token: 'env-token', tokenSource: 'PHYSWATCH_TOKEN' });
    expect(resolveClientConfig(inputs({ files: file }))).toEqual({ server: 'http://file:1', serverSource: DEFAULT_FILE, token: 'file-token', tokenSource: DEFAULT_FILE });
    expect(resolveClientConfig(inputs({}))).toEqual({ server: DEFAULT_SERVER, serverSource: 'default', token: null, tokenSource: null });
  });

  it('resolves server and token independently, and ignores empty values', () => {
    const config = resolveClientConfig(inputs({ flags: { server: 'http://flag:3', token: '' }, env: { PHYSWATCH_TOKEN: ' ' }, files: file }));
    expect(config).toMatchObject({ server: 'http://flag:3', token: 'file-token' });
  });

  it('reads PHYSWATCH_CONFIG instead of the default file, and refuses a missing one', () => {
    const files = { '/etc/pw.yaml': 'server: 10.0.0.1:8080\n' };
    expect(resolveClientConfig(inputs({ env: { PHYSWATCH_CONFIG: '/etc/pw.yaml' }, files }))).toMatchObject({ server: 'http://10.0.0.1:8080', serverSource: '/etc/pw.yaml' });
    expect(() => resolveClientConfig(inputs({ env: { PHYSWATCH_CONFIG: '/nope.yaml' } }))).toThrow('PHYSWATCH_CONFIG: /nope.yaml does not exist');
  });

  it('names every bad key of the config file at once', () => {
    const bad = { [DEFAULT_FILE]: 'server: 8080\nsevrer: x\n' };
    expect(() => resolveClientConfig(inputs({ files: bad }))).toThrow(/server: must be a string\n {2}sevrer: unknown key/);
    expect(() => resolveClientConfig(inputs({ files: { [DEFAULT_FILE]: '- a\n' } }))).toThrow(BadInputError);
    expect(resolveClientConfig(inputs({ files: { [DEFAULT_FILE]: '' } })).server).toBe(DEFAULT_SERVER);
  });

  it('accepts host:port, drops a trailing slash, and names where a bad address came from', () => {
    expect(resolveClientConfig(inputs({ flags: { server: '127.0.0.1:9' } })).server).toBe('http://127.0.0.1:9');
    expect(resolveClientConfig(inputs({ env: { PHYSWATCH_SERVER: 'https://pw.example/' } })).server).toBe('https://pw.example');
    expect(() => resolveClientConfig(inputs({ env: { PHYSWATCH_SERVER: 'ftp://x' } }))).toThrow('PHYSWATCH_SERVER: "ftp://x" must be an http:// or https:// address');
    expect(() => resolveClientConfig(inputs({ flags: { server: 'http://[::1' } }))).toThrow(/^--server: /);
  });
});

describe('contexts', () => {
  const multi = {
    [DEFAULT_FILE]: [
      'server: http://top:1',
      'token: top-token',
      'current-context: lab',
      'contexts:',
      '  lab: { server: "http://lab:2", token: lab-token }',
      '  prod: { server: "prod.example:443" }',
      '',
    ].join('\n'),
  };

  it('uses current-context in place of the top-level values, naming the context as the source', () => {
    expect(resolveClientConfig(inputs({ files: multi }))).toEqual({
      server: 'http://lab:2',
      serverSource: `context "lab" in ${DEFAULT_FILE}`,
      token: 'lab-token',
      tokenSource: `context "lab" in ${DEFAULT_FILE}`,
    });
  });

  it('takes --context over PHYSWATCH_CONTEXT over current-context, and never sends another context\'s token', () => {
    expect(resolveClientConfig(inputs({ flags: { context: 'prod' }, env: { PHYSWATCH_CONTEXT: 'lab' }, files: multi }))).toEqual({
      server: 'http://prod.example:443',
      serverSource: `context "prod" in ${DEFAULT_FILE}`,
      token: null,
      tokenSource: null,
    });
    expect(resolveClientConfig(inputs({ env: { PHYSWATCH_CONTEXT: 'prod' }, files: multi })).serverSource).toBe(`context "prod" in ${DEFAULT_FILE}`);
  });

  it('still lets the flags and PHYSWATCH_SERVER/PHYSWATCH_TOKEN win over the selected context', () => {
    const config = resolveClientConfig(inputs({ flags: { server: 'http://flag:3' }, env: { PHYSWATCH_TOKEN: 'env-token' }, files: multi }));
    expect(config).toEqual({ server: 'http://flag:3', serverSource: '--server', token: 'env-token', tokenSource: 'PHYSWATCH_TOKEN' });
  });

  it('refuses an unknown context, saying where its name came from and which contexts exist', () => {
    expect(() => resolveClientConfig(inputs({ flags: { context: 'staging' }, files: multi }))).toThrow(`--context: no context "staging" (contexts in ${DEFAULT_FILE}: lab, prod)`);
    expect(() => resolveClientConfig(inputs({ env: { PHYSWATCH_CONTEXT: 'x' }, files: multi }))).toThrow(/^PHYSWATCH_CONTEXT: no context "x"/);
    const dangling = { [DEFAULT_FILE]: 'current-context: gone\n' };
    expect(() => resolveClientConfig(inputs({ files: dangling }))).toThrow(`current-context in ${DEFAULT_FILE}: no context "gone" (contexts in ${DEFAULT_FILE}: none defined)`);
    expect(() => resolveClientConfig(inputs({ flags: { context: 'lab' } }))).toThrow(`--context: no context "lab" (${DEFAULT_FILE} does not exist)`);
    try {
      resolveClientConfig(inputs({ flags: { context: 'staging' }, files: multi }));
    } catch (err) {
      expect(err).toBeInstanceOf(BadInputError);
    }
  });

  it('names every bad key inside contexts by its path', () => {
    const bad = { [DEFAULT_FILE]: 'contexts:\n  a: { token: 5, port: 1 }\n  "b c": { server: x }\n  d: oops\ncurrent-context: 3\n' };
    let message = '';
    try {
      resolveClientConfig(inputs({ files: bad }));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split('\n').slice(1)).toEqual([
      '  contexts.a.port: unknown key (allowed: server, token)',
      '  contexts.a.server: required',
      '  contexts.a.token: must be a string',
      '  contexts.b c: a context name is 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit',
      '  contexts.d: must be a mapping with server and token',
      '  current-context: must be a string',
    ]);
    expect(() => resolveClientConfig(inputs({ files: { [DEFAULT_FILE]: 'contexts: [a]\n' } }))).toThrow('contexts: must be a mapping of context name to { server, token }');
  });
});
