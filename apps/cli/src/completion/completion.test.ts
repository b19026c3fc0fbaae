/**
 * The completion scripts run in the real shells: bash with COMP_WORDS/COMP_CWORD set as
 * readline would, zsh with words/CURRENT set as its completion system would. In zsh,
 * compadd/compset/_files are builtins of the completion widget and only exist inside a line
 * editor on a terminal, so they are stubbed to print what would be offered (zsh filters by
 * the typed prefix itself); the script also loads under a real compinit.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Option } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram, run } from '../program';
import { recordingIo } from '../test-support';
import { completionScript } from './completion-script';

let dir: string;
const scripts: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'physwatch-completion-'));
  for (const shell of ['bash', 'zsh']) {
    const io = recordingIo();
    expect(await run(['completion', shell], io)).toBe(0);
    scripts[shell] = path.join(dir, `physwatch.${shell}`);
    writeFileSync(scripts[shell], io.stdout);
  }
  writeFileSync(path.join(dir, 'spec.yaml'), 'width: 4\n');
  writeFileSync(path.join(dir, 'spec.json'), '{}\n');
  writeFileSync(contextsFile(), 'contexts:\n  prod: { server: "http://p:1" }\n  lab: { server: "http://l:1" }\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The built CLI as npm links it: the scripts run it to list context names. */
const CLI_BIN = path.resolve(__dirname, '../../bin/physwatch.js');

/** What bash offers with the cursor at the end of the last word. */
function bash(script: string, ...words: string[]): string[] {
  const code = 'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _physwatch; printf "%s\\n" "${COMPREPLY[@]}"';
  return lines(execFileSync('bash', ['--norc', '-c', code, script, ...words], { cwd: dir, encoding: 'utf8', env: { ...process.env, PHYSWATCH_CONFIG: contextsFile() } }));
}

function contextsFile(): string {
  return path.join(dir, 'contexts.yaml');
}

/** What zsh's _physwatch hands to compadd/_files with the cursor at the end of the last word. */
function zsh(...words: string[]): string[] {
  const code = [
    'compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@"; }',
    'compset() { :; }',
    '_files() { print -r -- "<files>"; }',
    'compdef() { :; }',
    'source "$0"',
    'words=("$@"); CURRENT=$#',
    '_physwatch',
  ].join('\n');
  return lines(execFileSync('zsh', ['-f', '-c', code, scripts.zsh, ...words], { cwd: dir, encoding: 'utf8', env: { ...process.env, PHYSWATCH_CONFIG: contextsFile() } }));
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '');
}

describe('bash completion', () => {
  it('completes subcommands at the top level and below, after global options too', () => {
    expect(bash(scripts.bash, 'physwatch', 'w')).toEqual(['watch']);
    expect(bash(scripts.bash, 'physwatch', 'watch', 'c')).toEqual(['create']);
    expect(bash(scripts.bash, 'physwatch', '--server', 'h:1', '-o', 'json', 'watch', 'c')).toEqual(['create']);
    expect(bash(scripts.bash, 'physwatch', 'config', '')).toEqual(['get-contexts', 'current-context', 'use-context', 'set-context', 'delete-context', 'help']);
  });

  it("offers the options of the command being typed, its ancestors' included", () => {
    expect(bash(scripts.bash, 'physwatch', 'watch', 'create', '--int')).toEqual(['--interval']);
    expect(bash(scripts.bash, 'physwatch', 'watch', 'list', '--')).toEqual(['--state', '--help', '--server', '--token', '--context', '--output']);
    expect(bash(scripts.bash, 'physwatch', 'watch', 'list', '--int')).toEqual([]);
  });

  it("offers an option's choices, as a separate word or after =", () => {
    expect(bash(scripts.bash, 'physwatch', 'watch', 'list', '--state', '')).toEqual(['active', 'stopped', 'expired', 'exhausted']);
    expect(bash(scripts.bash, 'physwatch', 'watch', 'list', '--state', '=', 'ex')).toEqual(['expired', 'exhausted']);
    expect(bash(scripts.bash, 'physwatch', 'hosts', 'list', '-o', '')).toEqual(['table', 'json', 'yaml']);
    // A value already given is not mistaken for a subcommand or an option's value.
    expect(bash(scripts.bash, 'physwatch', 'watch', 'list', '--state', 'active', '--s')).toEqual(['--state', '--server']);
    expect(bash(scripts.bash, 'physwatch', 'completion', '')).toEqual(['bash', 'zsh']);
  });

  it('offers files for -f/--filename and --token-file, and nothing for a free-form value', () => {
    expect(bash(scripts.bash, 'physwatch', 'watch', 'create', '-f', 'spec.').sort()).toEqual(['spec.json', 'spec.yaml']);
    expect(bash(scripts.bash, 'physwatch', 'config', 'set-context', 'lab', '--token-file', 'spec.y')).toEqual(['spec.yaml']);
    expect(bash(scripts.bash, 'physwatch', 'watch', 'create', '--interval', '')).toEqual([]);
  });

  it("offers the config file's context names, asking the CLI that is being completed", () => {
    expect(bash(scripts.bash, CLI_BIN, 'config', 'use-context', '')).toEqual(['prod', 'lab']);
    expect(bash(scripts.bash, CLI_BIN, '--context', 'l')).toEqual(['lab']);
    expect(bash(scripts.bash, CLI_BIN, 'watch', 'list', '--context', '')).toEqual(['prod', 'lab']);
    // set-context offers the existing ones, to change one (a new name is typed).
    expect(bash(scripts.bash, CLI_BIN, 'config', 'set-context', '--server', 'x', '')).toEqual(['prod', 'lab']);
    expect(bash(scripts.bash, 'physwatch-not-installed', 'config', 'delete-context', '')).toEqual([]);
  });

  it('is written from the command tree at run time: a command added to it completes with no list to update', () => {
    const program = buildProgram(recordingIo());
    program
      .command('zzfleet')
      .command('drain')
      .addOption(new Option('--mode <m>').choices(['soft', 'hard']))
      .option('--manifest <path>');
    const file = path.join(dir, 'extended.bash');
    writeFileSync(file, completionScript('bash', program));
    expect(bash(file, 'physwatch', 'zz')).toEqual(['zzfleet']);
    expect(bash(file, 'physwatch', 'zzfleet', 'drain', '--mode', '')).toEqual(['soft', 'hard']);
    expect(bash(file, 'physwatch', 'zzfleet', 'drain', '--manifest', 'spec.j')).toEqual(['spec.json']);
    expect(bash(file, 'physwatch', 'zzfleet', 'drain', '--server', 'x', '-o', 'y')).toEqual(['yaml']);
  });
});

describe('zsh completion', () => {
  it('parses, and registers itself under a real compinit', () => {
    execFileSync('zsh', ['-n', scripts.zsh]);
    const code = `autoload -U compinit && compinit -u -d ${JSON.stringify(path.join(dir, 'zcompdump'))} && source "$0" && print -r -- "$_comps[physwatch]"`;
    expect(execFileSync('zsh', ['-f', '-c', code, scripts.zsh], { encoding: 'utf8' })).toBe('_physwatch\n');
  });

  it('works installed as _physwatch in $fpath, autoloaded by compinit on first use', () => {
    const fpathDir = path.join(dir, 'site-functions');
    mkdirSync(fpathDir);
    copyFileSync(scripts.zsh, path.join(fpathDir, '_physwatch'));
    const code = [
      `fpath=(${JSON.stringify(fpathDir)} $fpath)`,
      `autoload -U compinit && compinit -u -d ${JSON.stringify(path.join(dir, 'zcompdump-fpath'))}`,
      'print -r -- "comps: $_comps[physwatch]"',
      'compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@"; }',
      'words=(physwatch watch list --state ""); CURRENT=5; _physwatch',
      'words=(physwatch -o ""); CURRENT=3; _physwatch',
    ].join('\n');
    expect(lines(execFileSync('zsh', ['-f', '-c', code], { encoding: 'utf8' }))).toEqual(['comps: _physwatch', 'active', 'stopped', 'expired', 'exhausted', 'table', 'json', 'yaml']);
  });

  it('offers subcommands, options, choices and files at the same positions as bash', () => {
    expect(zsh('physwatch', 'w')).toContain('watch');
    expect(zsh('physwatch', 'watch', 'c')).toEqual(['create', 'get', 'list', 'describe', 'stop', 'pause', 'resume', 'hosts', 'help']);
    expect(zsh('physwatch', 'watch', 'create', '--int')).toContain('--interval');
    expect(zsh('physwatch', 'watch', 'list', '--state', '')).toEqual(['active', 'stopped', 'expired', 'exhausted']);
    expect(zsh('physwatch', 'watch', 'list', '--state=ex')).toEqual(['active', 'stopped', 'expired', 'exhausted']);
    expect(zsh('physwatch', 'watch', 'create', '-f', '')).toEqual(['<files>']);
    expect(zsh('physwatch', 'watch', 'create', '--interval', '')).toEqual([]);
    expect(zsh('physwatch', 'completion', '')).toEqual(['bash', 'zsh']);
    expect(zsh(CLI_BIN, 'config', 'delete-context', '')).toEqual(['prod', 'lab']);
  });
});
