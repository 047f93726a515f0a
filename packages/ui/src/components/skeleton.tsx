/** Grey bars where content is about to appear, so the page does not jump when it does. */
export function Skeleton({ rows = 3, label = 'Loading' }: { rows?: number; label?: string }) {
  return (
    <div className="skeleton" role="status" aria-label={label}>
      {Array.from({ length: rows }, (_, i) => <div key={i} className="skeleton-bar" style={{ width: `${90 - ((i * 17) % 35)}%` }} />)}
    </div>
  );
}
