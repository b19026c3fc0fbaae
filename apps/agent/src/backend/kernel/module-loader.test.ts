/**
 * Boundary double: no module can be loaded in a unit test, so the kernel's answers are
 * given as files (/dev/kmsg as a plain file) and as insmod's error texts. The real
 * load is proven by tests/kernel-chain.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir, testLog } from '../../test-support/fixtures';
import { KmsgTail } from './kmsg';
import { diagnoseLoadFailure, loadModule } from './module-loader';

afterEach(removeTempDirs);

describe('module loading says why it failed', () => {
  it('names a missing module file', async () => {
    const dir = tempDir();
    const state = await loadModule({ load: 'insmod', modulePath: path.join(dir, 'physwatch.ko'), device: path.join(dir, 'dev'), status: path.join(dir, 'proc') }, testLog);
    expect(state).toEqual({ state: 'unavailable', problem: 'file-missing', reason: `module file ${path.join(dir, 'physwatch.ko')} is missing` });
  });

  it('names a loaded module whose device is missing', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'proc'), 'physwatch seq=0 lost=0 watches=0 timer=idle\n');
    const state = await loadModule({ load: 'none', device: path.join(dir, 'dev'), status: path.join(dir, 'proc') }, testLog);
    expect(state).toEqual({ state: 'unavailable', problem: 'device-missing', reason: `module is loaded (${path.join(dir, 'proc')}) but ${path.join(dir, 'dev')} is absent` });
  });

  it.each([
    ['insmod: ERROR: could not insert module physwatch.ko: Key was rejected by service', 'integrity', 'signature-refused', /^module signature refused \(kernel lockdown: integrity\): sign physwatch.ko/],
    ['insmod: ERROR: could not insert module physwatch.ko: Invalid module format', null, 'wrong-kernel', /^module built for another kernel \(Invalid module format\)/],
    ['modprobe: FATAL: Module physwatch not found in directory /lib/modules/6.1.0-56-amd64', null, 'not-installed', /^module not installed for .* \(install the DKMS package\)/],
    ['insmod: ERROR: could not insert module physwatch.ko: Operation not permitted', 'confidentiality', 'lockdown', /^module loading refused by kernel lockdown \(confidentiality\)/],
    ['insmod: ERROR: could not insert module physwatch.ko: Device or resource busy', null, 'load-failed', /^insmod failed: insmod: ERROR: .*Device or resource busy$/],
  ])('%s', (stderr, lockdown, problem, reason) => {
    const diagnosis = diagnoseLoadFailure('insmod', stderr, lockdown);
    expect(diagnosis.problem).toBe(problem);
    expect(diagnosis.reason).toMatch(reason);
  });
});

describe('the reason for a refused command comes from the kernel log', () => {
  it('takes only lines logged after skip(), for that watch or a bad command', () => {
    const file = path.join(tempDir(), 'kmsg');
    fs.writeFileSync(file, '3,100,1000,-;physwatch: add id=5 sym=old+0x0: symbol not found (-2)\n');
    const tail = KmsgTail.open(file);
    tail.skip();
    expect(tail.reasonFor('5')).toBeNull();
    fs.appendFileSync(file, '3,101,1001,-;physwatch: add id=5 paddr=0x1000: region spans RAM and non-RAM (-22)\n');
    expect(tail.reasonFor('5')).toBe('add id=5 paddr=0x1000: region spans RAM and non-RAM (-22)');
    tail.close();
  });
});
