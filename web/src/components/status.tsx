import { statusLabel, toneOf } from '../lib/status';

export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`badge badge-${toneOf(status)}`} data-status={status}>
      {statusLabel(status)}
    </span>
  );
}
