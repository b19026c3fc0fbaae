import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../test-support/fixtures';
import { renderAgentMetrics, writeTextfile } from './textfile';

afterEach(removeTempDirs);

const snapshot = {
  connected: false,
  unackedHits: 1234,
  onDiskHits: 34,
  moduleLostEvents: 7n,
  moduleSuppressedHits: 18446744073709551615n,
  states: [
    { watch_id: '3', phase: 'WATCH_PHASE_ARMED' as const, resolved_paddr: '4096', memory_kind: 'MEMORY_KIND_RAM' as const, reason: '', poll_ns_avg: '812', polls_missed: '40', polls_paced: '18446744073709551615' },
    { watch_id: '4', phase: 'WATCH_PHASE_ARMED' as const, resolved_paddr: '8192', memory_kind: 'MEMORY_KIND_RAM' as const, reason: '', poll_ns_avg: '0' },
    { watch_id: '5', phase: 'WATCH_PHASE_FAILED' as const, resolved_paddr: '0', memory_kind: 'MEMORY_KIND_UNSPECIFIED' as const, reason: 'no such symbol', poll_ns_avg: '0' },
  ],
};

describe('agent metrics textfile', () => {
  it('states the spool, the module counters exactly (u64), watches by phase and each measured poll cost, missed and paced polls', () => {
    const text = renderAgentMetrics(snapshot);
    const samples = text.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(samples).toEqual([
      'physwatch_agent_connected 0',
      'physwatch_agent_unacked_hits 1234',
      'physwatch_agent_spool_on_disk_hits 34',
      'physwatch_agent_module_lost_events_total 7',
      'physwatch_agent_module_suppressed_hits_total 18446744073709551615',
      'physwatch_agent_watches{phase="armed"} 2',
      'physwatch_agent_watches{phase="failed"} 1',
      'physwatch_agent_watches{phase="disarmed"} 0',
      // Watch 4 has no measured cost (0): no sample rather than a false 0 ns.
      'physwatch_agent_watch_poll_seconds{watch_id="3"} 8.12e-7',
      'physwatch_agent_watch_missed_polls_total{watch_id="3"} 40',
      'physwatch_agent_watch_paced_polls_total{watch_id="3"} 18446744073709551615',
    ]);
  });

  it('passes Prometheus\' own lint (promtool check metrics)', () => {
    expect(execFileSync('promtool', ['check', 'metrics'], { input: renderAgentMetrics(snapshot), encoding: 'utf8' }).trim()).toBe('');
  });

  it('replaces the file whole and leaves no temporary file behind', () => {
    const dir = tempDir();
    const file = path.join(dir, 'physwatch.prom');
    writeTextfile(file, 'first\n');
    writeTextfile(file, renderAgentMetrics(snapshot));
    expect(readFileSync(file, 'utf8')).toBe(renderAgentMetrics(snapshot));
    expect(readdirSync(dir)).toEqual(['physwatch.prom']);
  });
});
