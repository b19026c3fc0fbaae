/** What commands touch outside themselves, passed in so tests can run them without a terminal. */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { createInterface } from 'node:readline/promises';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Someone can answer a question: stdin and stderr are terminals. */
  interactive: boolean;
  /** stderr is a terminal: progress may rewrite its line. */
  stderrIsTTY: boolean;
  ask(question: string): Promise<string>;
  env: Readonly<Record<string, string | undefined>>;
  homeDir: string;
  readFile(file: string): string | null;
  /** Resolves when the user presses Ctrl-C (SIGINT); for commands that run until then. */
  interrupted(): Promise<void>;
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    ask: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    env: process.env,
    homeDir: homedir(),
    readFile: (file) => {
      try {
        return readFileSync(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    interrupted: () => new Promise((resolve) => process.once('SIGINT', () => resolve())),
  };
}
