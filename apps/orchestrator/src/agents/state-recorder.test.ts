import type { AssignmentsRepository, ReportedState } from '@physwatch/db';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../config/logger';
import { MetricsService } from '../metrics/metrics.service';
import { StateRecorder } from './state-recorder';

const armed = (watchId: string): ReportedState => ({ watchId, phase: 'armed', resolvedPaddr: '4096', memoryKind: 'ram', reason: '' });

describe('StateRecorder', () => {
  it('writes reports that arrive during a write as one batch, keeping the newest generation of each pair', async () => {
    const batches: Array<Array<{ hostId: string; generation: string; watchId: string }>> = [];
    let release!: () => void;
    const firstWrite = new Promise<void>((resolve) => (release = resolve));
    const repo = {
      recordManyStates: async (batch: Array<{ hostId: string; generation: string; watchId: string }>) => {
        batches.push(batch.map(({ hostId, generation, watchId }) => ({ hostId, generation, watchId })));
        if (batches.length === 1) await firstWrite;
        return { updated: batch.length, armedAfterSeconds: [] };
      },
    } as unknown as AssignmentsRepository;
    const recorder = new StateRecorder(repo, new MetricsService(), { error: () => undefined } as unknown as Logger);

    const first = recorder.record('h1', '1', [armed('1')]);
    const later = [recorder.record('h2', '3', [armed('1')]), recorder.record('h2', '2', [armed('1')]), recorder.record('h3', '1', [armed('1'), armed('2')])];
    release();
    await Promise.all([first, ...later]);
    expect(batches).toEqual([
      [{ hostId: 'h1', generation: '1', watchId: '1' }],
      [{ hostId: 'h2', generation: '3', watchId: '1' }, { hostId: 'h3', generation: '1', watchId: '1' }, { hostId: 'h3', generation: '1', watchId: '2' }],
    ]);
  });
});
