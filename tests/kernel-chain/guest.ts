/**
 * One QEMU guest for the chain test: Debian's kernel, the module harness's image plus the
 * chain suite, guest RAM in a shared file (file offset = guest physical address), the
 * host's root over 9p (read-only) so the guest runs the host's node and agent build.
 * QEMU runs under `timeout --foreground` (maxLifetimeS), in the test process group, so it is
 * stopped by kill(), by the test process's exit, by a group kill from whoever runs the
 * test, and at worst by its own timeout: nothing is left behind.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Orchestrator } from '../support/stack';

const HERE = __dirname;
const ROOT = path.resolve(HERE, '../..');
const RAM_MB = 768;

/** A run killed before its clean-up leaves its RAM file in /dev/shm; the next run removes it. */
function removeStaleRamFiles(): void {
  for (const name of fs.readdirSync('/dev/shm')) {
    const pid = /^physwatch-chain-(\d+)-ram$/.exec(name)?.[1];
    if (pid && !fs.existsSync(`/proc/${pid}`)) fs.rmSync(path.join('/dev/shm', name), { force: true });
  }
}

export interface GuestOptions {
  grpcPort: number;
  /** The production path: the agent enrolls with this token on this port and then speaks mTLS, trusting this CA. */
  identity: { enrollPort: number; caCert: string; token: string };
  hostId: string;
  logFile: string;
  /**
   * The kdump test: the harness's kdump image, a crash kernel loaded before the agent starts,
   * this host directory as the writable 9p export "persist" (the agent's state and crash
   * dirs, in both kernels), and no -no-reboot, so the crash kernel's reboot boots the guest
   * again.
   */
  kdump?: { persistDir: string; crashkernel: string };
  /** QEMU's hard limit (timeout(1)), whatever the test does. */
  maxLifetimeS?: number;
}

/** What the guest's agent needs to enroll with `orchestrator` and then connect over mTLS. */
export async function identityOf(orchestrator: Orchestrator): Promise<GuestOptions['identity']> {
  return { enrollPort: orchestrator.options.enrollPort, caCert: orchestrator.caCert, token: await orchestrator.enrollmentToken() };
}

export class Guest {
  readonly ramFile = `/dev/shm/physwatch-chain-${process.pid}-ram`;
  private proc: ChildProcess | undefined;
  private lines: string[] = [];
  /** When each serial line arrived (ms since the epoch), for timing breakdowns. */
  private lineTimes: number[] = [];
  private waiters: Array<() => void> = [];
  private readonly killOnExit = () => this.kill();
  /** The guest kernel's release (the Debian ABI), from the image build. */
  kernelRelease = '';

  constructor(private readonly options: GuestOptions) {}

  /** Builds the image (module, busybox, chain suite) and boots; returns once the agent has been started. */
  async boot(): Promise<void> {
    removeStaleRamFiles();
    const kdump = this.options.kdump;
    const imageArgs = kdump ? [path.join(ROOT, 'packages/watch-module/build/kdump-chain'), 'kdump'] : [path.join(ROOT, 'packages/watch-module/build/chain')];
    const env = execFileSync(path.join(HERE, 'build-image.sh'), imageArgs, { encoding: 'utf8', timeout: 240_000 });
    const vars = Object.fromEntries(env.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    this.kernelRelease = vars.PW_ABI;
    const append = [
      `console=ttyS0 panic=-1 quiet nokaslr crashkernel=${kdump?.crashkernel ?? '16M@512M'} pw.suite=chain`,
      ...(kdump ? ['pw.kdump=1'] : []),
      `pw.grpc=${this.options.grpcPort} pw.host=${this.options.hostId} pw.node=${process.execPath}`,
      `pw.enroll=${this.options.identity.enrollPort} pw.ca=${this.options.identity.caCert} pw.token=${this.options.identity.token}`,
      `pw.ko=${vars.PW_KO} pw.agent=${path.join(ROOT, 'apps/agent/dist/main.js')}`,
    ].join(' ');
    const accel = process.env.PW_ACCEL ?? 'tcg,thread=multi';
    // 9p from the host needs "/" readable as root; the module harness runs as root too.
    this.proc = spawn(
      'timeout',
      [
        '--foreground', '-k', '5', String(this.options.maxLifetimeS ?? 420), 'qemu-system-x86_64',
        '-accel', accel, '-cpu', 'max', '-machine', 'q35,memory-backend=ram0', '-smp', '2', '-m', `${RAM_MB}M`,
        '-object', `memory-backend-file,id=ram0,size=${RAM_MB}M,mem-path=${this.ramFile},share=on`,
        '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
        ...(kdump ? ['-virtfs', `local,path=${kdump.persistDir},mount_tag=persist,security_model=none,multidevs=remap`] : []),
        '-netdev', 'user,id=n0', '-device', 'virtio-net-pci,netdev=n0',
        '-display', 'none', '-serial', 'stdio', '-monitor', 'none', '-nodefaults',
        ...(kdump ? [] : ['-no-reboot']),
        '-kernel', vars.PW_VMLINUZ, '-initrd', vars.PW_INITRD, '-append', append,
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    process.once('exit', this.killOnExit);
    const log = fs.createWriteStream(this.options.logFile);
    let tail = '';
    const onData = (chunk: Buffer) => {
      log.write(chunk);
      const parts = (tail + chunk.toString('utf8')).split('\n');
      tail = parts.pop() ?? '';
      this.lines.push(...parts.map((l) => l.replace(/\r$/, '')));
      const now = Date.now();
      while (this.lineTimes.length < this.lines.length) this.lineTimes.push(now);
      for (const wake of this.waiters.splice(0)) wake();
    };
    this.proc.stdout!.on('data', onData);
    this.proc.stderr!.on('data', onData);
    this.proc.on('exit', () => {
      log.end();
      for (const wake of this.waiters.splice(0)) wake();
    });
    await this.waitForLine((l) => l.includes('@@CHAIN-READY'), 180_000, 'the guest to start the agent');
  }

  /** Waits for a serial line after index `from`; returns its index. */
  async waitForLine(match: (line: string) => boolean, timeoutMs: number, what: string, from = 0): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.lines.findIndex((l, n) => n >= from && match(l));
      if (i >= 0) return i;
      if (this.proc?.exitCode !== null || Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what} (qemu exit ${this.proc?.exitCode}); see ${this.options.logFile}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  get lineCount(): number {
    return this.lines.length;
  }

  /** Serial line `index` as received. */
  line(index: number): string {
    return this.lines[index];
  }

  /** When serial line `index` arrived (ms since the epoch). */
  lineTime(index: number): number {
    return this.lineTimes[index];
  }

  get exited(): boolean {
    return this.proc?.exitCode !== null;
  }

  send(command: string): void {
    this.proc?.stdin?.write(`${command}\n`);
  }

  /** The text after `prefix` on the first serial line at or after `from` that contains it. */
  async serial(prefix: string, from: number, timeoutMs: number): Promise<{ index: number; rest: string }> {
    const index = await this.waitForLine((l) => l.includes(prefix), timeoutMs, prefix, from);
    const line = this.lines[index];
    return { index, rest: line.slice(line.indexOf(prefix) + prefix.length).trim() };
  }

  /** /proc/physwatch as the guest reads it now. */
  async status(): Promise<string[]> {
    const from = this.lineCount;
    this.send('status');
    const end = await this.waitForLine((l) => l.startsWith('@@STATUS-END'), 30_000, 'status', from);
    return this.lines.slice(from, end).filter((l) => l.startsWith('@@STATUS ')).map((l) => l.slice('@@STATUS '.length));
  }

  /** One aligned store into guest RAM from outside the guest; the wall-clock ns of the store. */
  poke(paddr: bigint, width: number, value: bigint): bigint {
    const out = execFileSync('python3', [path.join(HERE, 'poke.py'), this.ramFile, `0x${paddr.toString(16)}`, String(width), `0x${value.toString(16)}`], { encoding: 'utf8', timeout: 10_000 });
    return BigInt(out.trim());
  }

  /**
   * Stores `values` in turn at `paddr`, one every `everyMs` ±25 % (poke.py's steady mode),
   * from outside the guest until stop(); `stores` counts them.
   */
  storm(paddr: bigint, width: number, values: bigint[], everyMs: number): { stores: () => number; stop: () => Promise<void> } {
    const proc = spawn('python3', [path.join(HERE, 'poke.py'), this.ramFile, `0x${paddr.toString(16)}`, String(width), values.map((v) => `0x${v.toString(16)}`).join(','), String(everyMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stores = 0;
    proc.stdout!.on('data', (chunk: Buffer) => { stores += chunk.toString().split('\n').length - 1; });
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const stop = async () => {
      process.off('exit', stopNow);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    };
    const stopNow = () => proc.kill('SIGKILL');
    process.once('exit', stopNow);
    return { stores: () => stores, stop };
  }

  kill(): void {
    process.off('exit', this.killOnExit);
    // timeout(1) passes SIGTERM on to QEMU, and SIGKILLs it 5 s later if it lingers.
    if (this.proc && this.proc.exitCode === null) this.proc.kill('SIGTERM');
    fs.rmSync(this.ramFile, { force: true });
  }
}
