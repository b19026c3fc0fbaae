/**
 * Changes to the config file made by `physwatch config …`. The file holds tokens, so it is
 * written 0600 in a directory created 0700, and atomically (a temp file renamed over it) so
 * a crash never leaves half a file. Keys and comments the change does not touch are kept;
 * a file that does not parse or does not pass the checks is refused, never overwritten.
 */
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { Document, isMap, parseDocument } from 'yaml';
import { CommandFailedError } from '../cli-error';
import { ConfigFileValues, parseConfigFile } from './config-file';

export interface ConfigEdit {
  /** Path of the key, e.g. ['contexts', 'prod', 'token']; undefined deletes it. */
  set(keyPath: string[], value: unknown): void;
  delete(keyPath: string[]): void;
}

/**
 * Reads `file` (text, or null when it does not exist), lets `change` edit it with the
 * parsed values at hand, checks the result, and writes it back.
 */
export function editConfigFile(file: string, text: string | null, change: (values: ConfigFileValues, edit: ConfigEdit) => void): ConfigFileValues {
  const values = parseConfigFile(file, text ?? '');
  const doc = text === null || text.trim() === '' ? new Document({}) : parseDocument(text);
  // An empty or comment-only file parses to a null document: give it a mapping to edit.
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as typeof doc.contents;
  change(values, {
    set: (keyPath, value) => doc.setIn(keyPath, value),
    delete: (keyPath) => {
      doc.deleteIn(keyPath);
      // A context map left empty reads as "contexts:" (null), which is still valid, but
      // an empty mapping says what it is.
      if (keyPath[0] === 'contexts' && keyPath.length === 2 && !isMap(doc.get('contexts'))) doc.set('contexts', doc.createNode({}));
    },
  });
  const out = doc.toString();
  const result = parseConfigFile(file, out);
  writeAtomically(file, out);
  return result;
}

function writeAtomically(file: string, text: string): void {
  const target = resolveLink(file);
  mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'w', 0o600);
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    // openSync's mode is masked by the umask; the token must not be readable by others.
    chmodSync(temp, 0o600);
    renameSync(temp, target);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw new CommandFailedError(`cannot write config file ${file}: ${(err as Error).message}`);
  }
}

/** A symlinked config (dotfiles repos do this) is updated where it points, not replaced. */
function resolveLink(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return file;
  }
}
