import type { ReactNode } from 'react';

/**
 * A clickable table row with its detail in a full-width row beneath it while open. `data`
 * carries the row's data-* attribute, which the end-to-end test finds rows by.
 */
export function ExpandableRow(props: { data: Record<`data-${string}`, string>; open: boolean; onToggle: () => void; colSpan: number; detail: () => ReactNode; children: ReactNode }) {
  return (
    <>
      <tr {...props.data} className="clickable" onClick={props.onToggle}>
        {props.children}
      </tr>
      {props.open && (
        <tr className="expanded">
          <td colSpan={props.colSpan}>{props.detail()}</td>
        </tr>
      )}
    </>
  );
}
