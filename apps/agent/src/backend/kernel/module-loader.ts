/**
 * Gets physwatch.ko loaded, or says exactly why not. Never throws: a host without the
 * module still runs the agent, reports `module=unavailable`, and fails each watch with
 * the reason, which is what an operator needs to see over REST.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { Logger } from 'pino';

/**
 * Why the module is not there, as a host fact (label values hold no spaces): what a
 * fleet query groups by ("which hosts have no module, and why"); the reason says the rest.
 */
export type ModuleProblem =
  | 'file-missing'
  | 'vermagic-mismatch'
  | 'signature-refused'
  | 'lockdown'
  | 'wrong-kernel'
  | 'not-installed'
  | 'load-failed'
  | 'device-missing'
  | 'not-loaded'
  | 'misconfigured';

export type ModuleState =
  | { state: 'loaded'; how: 'already' | 'insmod' | 'modprobe' }
  | { state: 'unavailable'; problem: ModuleProblem; reason: string };

export interface LoaderOptions {
  load: 'insmod' | 'modprobe' | 'none';
  modulePath?: string;
  device: string;
  status: string;
  /** The kernel release the module must match; `uname -r` unless a test says otherwise. */
  kernelRelease?: string;
  /** How long udev (or devtmpfs) may take to create the device node after a load. */
  deviceWaitMs?: number;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 127) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr || (err && code === 127 ? err.message : '')) });
    });
  });
}

function readLockdown(): string | null {
  try {
    return /\[(\w+)\]/.exec(fs.readFileSync('/sys/kernel/security/lockdown', 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

/** insmod/modprobe's stderr -> the cause and a reason naming what an operator can fix. */
export function diagnoseLoadFailure(tool: string, stderr: string, lockdown: string | null): { problem: ModuleProblem; reason: string } {
  const text = stderr.trim().replace(/\s+/g, ' ');
  if (/Key was rejected|Required key not available|key.*rejected/i.test(text)) {
    const mode = lockdown && lockdown !== 'none' ? ` (kernel lockdown: ${lockdown})` : '';
    return { problem: 'signature-refused', reason: `module signature refused${mode}: sign physwatch.ko with an enrolled key (DKMS MOK) or disable Secure Boot; ${tool}: ${text}` };
  }
  if (/Operation not permitted/i.test(text) && lockdown && lockdown !== 'none') {
    return { problem: 'lockdown', reason: `module loading refused by kernel lockdown (${lockdown}); ${tool}: ${text}` };
  }
  if (/Invalid module format/i.test(text)) return { problem: 'wrong-kernel', reason: `module built for another kernel (Invalid module format); ${tool}: ${text}` };
  if (/not found in directory|Module physwatch not found/i.test(text)) {
    return { problem: 'not-installed', reason: `module not installed for ${os.release()} (install the DKMS package); ${tool}: ${text}` };
  }
  return { problem: 'load-failed', reason: `${tool} failed: ${text || 'no output'}` };
}

const unavailable = (problem: ModuleProblem, reason: string): ModuleState => ({ state: 'unavailable', problem, reason });

async function waitForDevice(device: string, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (fs.existsSync(device)) return true;
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function insmod(path: string, release: string): Promise<ModuleState> {
  if (!fs.existsSync(path)) return unavailable('file-missing', `module file ${path} is missing`);
  const info = await run('modinfo', ['-F', 'vermagic', path]);
  const vermagic = info.stdout.trim().split(/\s+/)[0] ?? '';
  if (info.code === 0 && vermagic !== '' && vermagic !== release) {
    return unavailable('vermagic-mismatch', `vermagic mismatch: ${path} is built for ${vermagic}, this kernel is ${release}`);
  }
  const result = await run('insmod', [path]);
  if (result.code !== 0) return { state: 'unavailable', ...diagnoseLoadFailure('insmod', result.stderr, readLockdown()) };
  return { state: 'loaded', how: 'insmod' };
}

async function modprobe(): Promise<ModuleState> {
  const result = await run('modprobe', ['physwatch']);
  if (result.code !== 0) return { state: 'unavailable', ...diagnoseLoadFailure('modprobe', result.stderr, readLockdown()) };
  return { state: 'loaded', how: 'modprobe' };
}

export async function loadModule(options: LoaderOptions, log: Logger): Promise<ModuleState> {
  if (fs.existsSync(options.status)) {
    if (fs.existsSync(options.device)) return { state: 'loaded', how: 'already' };
    return unavailable('device-missing', `module is loaded (${options.status}) but ${options.device} is absent`);
  }
  let state: ModuleState;
  if (options.load === 'none') state = unavailable('not-loaded', `module not loaded (${options.status} absent) and backend.load is "none"`);
  else if (options.load === 'insmod') {
    if (!options.modulePath) state = unavailable('misconfigured', 'backend.load is "insmod" but backend.modulePath is not set');
    else state = await insmod(options.modulePath, options.kernelRelease ?? os.release());
  } else state = await modprobe();
  if (state.state === 'loaded' && !(await waitForDevice(options.device, options.deviceWaitMs ?? 2000))) {
    state = unavailable('device-missing', `module loaded by ${state.how} but ${options.device} did not appear`);
  }
  if (state.state === 'loaded') log.info({ how: state.how }, 'physwatch module loaded');
  else log.error({ reason: state.reason }, 'physwatch module unavailable');
  return state;
}
