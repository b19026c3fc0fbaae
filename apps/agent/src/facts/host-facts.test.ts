import * as fs from 'node:fs';
import * as path from 'node:path';
import { AGENT_LIMITS } from '@physwatch/core';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../test-support/fixtures';
import { labelValue, mergeLabels, readHostFacts } from './host-facts';

afterEach(removeTempDirs);

function put(root: string, file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
}

describe('host facts', () => {
  it('reads DMI, CPU, kernel, NIC driver and kdump state from a sysfs/proc root', () => {
    const root = tempDir();
    put(root, 'sys/class/dmi/id/bios_vendor', 'American Megatrends Inc.\n');
    put(root, 'sys/class/dmi/id/bios_version', '2.1.3\n');
    put(root, 'sys/class/dmi/id/bios_date', '03/14/2024\n');
    put(root, 'sys/class/dmi/id/sys_vendor', 'Acme\n');
    put(root, 'sys/class/dmi/id/product_name', 'X-1000 (rev B)\n');
    put(root, 'sys/class/dmi/id/board_name', 'MB-7\n');
    put(root, 'proc/cpuinfo', 'processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz\nmicrocode\t: 0xd0003a5\n\nprocessor\t: 1\n');
    put(root, 'proc/sys/kernel/osrelease', '6.1.0-56-amd64\n');
    put(root, 'sys/kernel/kexec_crash_loaded', '1\n');
    put(root, 'sys/bus/pci/drivers/ixgbe/.keep', '');
    fs.mkdirSync(path.join(root, 'sys/class/net/eth0/device'), { recursive: true });
    fs.symlinkSync(path.join(root, 'sys/bus/pci/drivers/ixgbe'), path.join(root, 'sys/class/net/eth0/device/driver'));
    fs.mkdirSync(path.join(root, 'sys/class/net/lo'), { recursive: true });

    expect(readHostFacts({ root, ethtool: false })).toEqual({
      'dmi.bios.vendor': 'American_Megatrends_Inc.',
      'dmi.bios.version': '2.1.3',
      'dmi.bios.date': '03/14/2024',
      'dmi.system.vendor': 'Acme',
      'dmi.system.product': 'X-1000_rev_B_',
      'dmi.board.name': 'MB-7',
      'cpu.model': 'Intel_R_Xeon_R_Gold_6338_CPU_@_2.00GHz',
      'cpu.microcode': '0xd0003a5',
      'kernel.release': '6.1.0-56-amd64',
      'kdump.crash_kernel_loaded': 'true',
      'nic.eth0.driver': 'ixgbe',
    });
  });

  it('reads this machine without failing, and every value is a valid label value', () => {
    const facts = readHostFacts({ root: '/', ethtool: false });
    expect(facts['kernel.release']).toBe(fs.readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim());
    for (const value of Object.values(facts)) expect(value).toMatch(/^[^\s,()=!]{1,63}$/);
  });

  it('configured labels win over facts', () => {
    expect(mergeLabels({ 'dmi.bios.version': '2.1.3', rack: 'x' }, { rack: 'r12' })).toEqual({ 'dmi.bios.version': '2.1.3', rack: 'r12' });
    expect(labelValue('  a, b=c!(d) ')).toBe('a_b_c_d_');
  });

  it('sends no more labels than a Hello may carry: configured ones all, then facts in key order', () => {
    const facts = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`nic.vf${String(i).padStart(3, '0')}.driver`, 'iavf']));
    const merged = mergeLabels(facts, { rack: 'r12' });
    expect(Object.keys(merged)).toHaveLength(AGENT_LIMITS.labels);
    expect(merged.rack).toBe('r12');
    expect(merged['nic.vf254.driver']).toBe('iavf');
    expect(merged['nic.vf255.driver']).toBeUndefined();
  });
});
