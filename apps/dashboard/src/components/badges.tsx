export function PhaseBadge({ phase }: { phase: string }) {
  return <span className={`badge badge-${phase}`}>{phase}</span>;
}

export function OnlineBadge({ online }: { online: boolean }) {
  return <span className={`badge ${online ? 'badge-armed' : 'badge-offline'}`}>{online ? 'online' : 'offline'}</span>;
}

export function Stat({ label, value, testId }: { label: string; value: string | number; testId: string }) {
  return (
    <div className="stat" data-testid={testId}>
      <div className="stat-value">{value}</div>
      <div className="stat-label">{label}</div>
    </div>
  );
}
