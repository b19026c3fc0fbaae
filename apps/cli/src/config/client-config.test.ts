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
