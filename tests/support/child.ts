/** Child processes for end-to-end tests: JSON-line logs captured, every child killed at exit. */
import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface LogLine {
  msg?: string;
  [key: string]: unknown;
}

export class Child {
  readonly lines: LogLine[] = [];
  readonly stderr: string[] = [];
  private waiters: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    running.add(process);
    createInterface({ input: process.stdout! }).on('line', (text) => this.onLine(text));
    createInterface({ input: process.stderr! }).on('line', (text) => this.stderr.push(text));
    this.exited = new Promise((resolve) => {
      process.on('exit', (code, signal) => {
        running.delete(process);
        resolve({ code, signal });
      });
    });
  }

  private onLine(text: string): void {
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      line = { msg: text };
    }
    this.lines.push(line);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(line)) return true;
      w.resolve(line);
      return false;
    });
  }

  /** Resolves with the first log line (already seen or future) that matches. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs = 30_000): Promise<LogLine> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.name}: no matching log line within ${timeoutMs} ms; stderr:\n${this.stderr.slice(-20).join('\n')}`));
      }, timeoutMs);
      const onExit = this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (code ${code}, signal ${signal}) before the expected log line; stderr:\n${this.stderr.slice(-20).join('\n')}`));
      });
      void onExit;
      this.waiters.push({
        match,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  }

  get alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.alive) this.process.kill(signal);
    return this.exited;
  }
}

/** `env` adds to this process's environment; an undefined value removes that variable. */
export function startChild(name: string, command: string, args: string[], env: Record<string, string | undefined>): Child {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete merged[key];
  const child = spawn(command, args, { env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Child(name, child);
}
