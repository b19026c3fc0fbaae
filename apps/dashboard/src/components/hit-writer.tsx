/**
 * The hit record's account of who made the write (docs/contracts.md, hit): the writer and
 * what it means, the SMIs counted in the bracket, and the stack a frame a line.
 */
import type { HitView } from '@physwatch/core';

type Writer = NonNullable<HitView['writer']>;

/** What each writer lets one say, and no more (a write no CPU made through the kernel map may still be a CPU's through another mapping). */
const MEANING: Record<Writer, string> = {
  cpu: "a CPU wrote it through the kernel's direct map: a write breakpoint fired in the bracket, so cpu, task, ip and stack are the writer's",
  no_cpu_via_kernel_map: "no CPU wrote it through the kernel's direct map in the bracket: a device, firmware, the memory itself, or a CPU through another mapping",
  unknown: 'no breakpoint could watch this word',
};

/** The writers a hit can name (the dashboard takes only types from packages/core). */
export const WRITERS = Object.keys(MEANING) as Writer[];

export function WriterLabel({ hit }: { hit: Pick<HitView, 'writer' | 'writer_reason'> }) {
  if (hit.writer === null) return <>—</>;
  return <>{hit.writer === 'unknown' && hit.writer_reason ? `unknown (${hit.writer_reason})` : hit.writer}</>;
}

export function HitWriter({ hit }: { hit: HitView }) {
  return (
    <>
      <p data-testid="hit-writer" data-writer={hit.writer ?? 'not-said'}>
        Writer <strong data-testid="hit-writer-kind">{hit.writer ?? 'not said'}</strong>: {hit.writer === null ? 'the backend did not say' : MEANING[hit.writer]}
        {hit.writer === 'unknown' && (
          <>
            {' '}
            — why: <span className="mono" data-testid="hit-writer-reason">{hit.writer_reason ?? 'not given'}</span>
          </>
        )}
      </p>
      <p data-testid="hit-smi">
        SMIs in the bracket: <strong data-testid="hit-smi-count">{hit.smi_count ?? 'not known'}</strong>
      </p>
    </>
  );
}

export function HitStack({ hit }: { hit: HitView }) {
  return (
    <>
      <h3>{hit.writer === 'cpu' ? "Writer's stack" : 'Stack'}</h3>
      {hit.stack.length > 0 ? (
        <pre data-testid="hit-stack">
          {hit.stack.map((frame, i) => (
            <div key={i} data-frame={i}>
              {frame}
            </div>
          ))}
        </pre>
      ) : (
        <p className="muted" data-testid="hit-stack">
          No stack captured (action {hit.action}).
        </p>
      )}
    </>
  );
}
