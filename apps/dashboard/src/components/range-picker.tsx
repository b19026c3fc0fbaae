import { RANGES } from '../ranges';

export function RangePicker({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  return (
    <div className="segmented" role="group" aria-label="time range">
      {RANGES.map((r) => (
        <button key={r.id} type="button" aria-pressed={r.id === value} onClick={() => onChange(r.id)}>
          {r.label}
        </button>
      ))}
    </div>
  );
}
