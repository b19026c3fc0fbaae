import type { ReactNode } from 'react';
import { ApiError } from '../api/client';
import type { Resource } from '../hooks';

/**
 * The three states every page goes through, drawn the same way everywhere. `data-state`
 * lets the end-to-end test (and anyone debugging) tell them apart.
 */
export function Loading({ what }: { what: string }) {
  return (
    <div className="state state-loading" data-state="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden /> Loading {what}…
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty" data-state="empty">
      <strong>{title}</strong>
      {children && <p>{children}</p>}
    </div>
  );
}

function describe(error: Error): { title: string; detail: string } {
  if (error instanceof ApiError) {
    if (error.status === 403) return { title: 'Not allowed', detail: error.message };
    if (error.status === 0) return { title: 'Orchestrator unreachable', detail: error.message };
    const fields = error.errors.map((e) => `${e.field}: ${e.reason}`).join('; ');
    return { title: `The API answered ${error.status}`, detail: fields || error.message };
  }
  return { title: 'Something went wrong', detail: error.message };
}

export function ErrorState({ error, what, onRetry }: { error: Error; what: string; onRetry?: () => void }) {
  const { title, detail } = describe(error);
  return (
    <div className="state state-error" data-state="error" role="alert">
      <strong>
        {title} while loading {what}
      </strong>
      <p>{detail}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Renders a resource: loading, error (with stale data kept beneath a banner), empty, or the data. */
export function Loaded<T>({
  resource,
  what,
  isEmpty,
  empty,
  children,
}: {
  resource: Resource<T> & { reload: () => void };
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (resource.state === 'loading') return <Loading what={what} />;
  if (resource.state === 'error' && resource.data === undefined) {
    return <ErrorState error={resource.error} what={what} onRetry={resource.reload} />;
  }
  const data = resource.data as T;
  return (
    <>
      {resource.state === 'error' && <ErrorState error={resource.error} what={what} onRetry={resource.reload} />}
      {isEmpty?.(data) ? empty : children(data)}
    </>
  );
}
