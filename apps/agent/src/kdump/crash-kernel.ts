/** Whether a crash kernel is loaded (kexec -p), as the kernel says in kexec_crash_loaded. */
import * as fs from 'node:fs';

export type CrashKernelState = { loaded: true } | { loaded: false; reason: string };

export function readCrashKernel(file: string): CrashKernelState {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    return { loaded: false, reason: `no crash kernel loaded: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
  return text === '1' ? { loaded: true } : { loaded: false, reason: `no crash kernel loaded: ${file} is ${text === '' ? 'empty' : text}` };
}
