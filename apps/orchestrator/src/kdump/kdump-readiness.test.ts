import type { HostRow } from '@physwatch/db';
import { describe, expect, it } from 'vitest';
import { readinessProblem } from './kdump-readiness';

const SEEN = new Date('2026-11-26T12:00:00Z');
const host = (over: Partial<HostRow> = {}): HostRow => ({
  id: 'h1', hostname: 'h1', bootId: 'b1', kernelRelease: '', arch: '', agentVersion: '', labels: {}, reportedLabels: {}, operatorLabels: {}, capabilities: {},
  kdump: { crash_kernel_loaded: true, crash_allowed: true, policy_source: '/etc/physwatch/agent.json' },
  firstSeenAt: SEEN, lastSeenAt: SEEN, connected: true, online: true, desiredGeneration: '1', appliedGeneration: '1', ...over,
});

describe('readinessProblem', () => {
  it('lets a connected host with a crash kernel and a policy that allows it be crashed', () => {
    expect(readinessProblem('h1', host())).toBeNull();
  });

  it('names the host and the cause of each denial', () => {
    expect(readinessProblem('h9', null)).toBe('host h9 is not known');
    expect(readinessProblem('h1', host({ connected: false, online: false }))).toBe('host h1 is not connected (last seen 2026-11-26T12:00:00.000Z), so it cannot be asked to crash');
    expect(readinessProblem('h1', host({ online: false }))).toMatch(/^host h1 is connected but silent since 2026-11-26T12:00:00.000Z/);
    expect(readinessProblem('h1', host({ kdump: null }))).toBe('host h1 reported no kdump readiness (its agent does not support kdump)');
    expect(readinessProblem('h1', host({ kdump: { crash_kernel_loaded: true, crash_allowed: false, policy_source: '/etc/physwatch/agent.json' } })))
      .toBe('host h1 does not allow crashing it: kdump.allowCrash is false in /etc/physwatch/agent.json');
    expect(readinessProblem('h1', host({ kdump: { crash_kernel_loaded: false, crash_allowed: true, policy_source: '' } }))).toMatch(/^host h1 has no crash kernel loaded/);
  });
});
