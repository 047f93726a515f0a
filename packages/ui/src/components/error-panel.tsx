import { isCairnError } from '@cairn/client/browser';
import { errorAdvice } from './error-advice.js';

/** Any failed request as a sentence and a retry button; never a blank page. */
export function ErrorPanel({ error, onRetry, compact = false }: { error: unknown; onRetry?: () => void; compact?: boolean }) {
  const { title, hint } = errorAdvice(error);
  const message = isCairnError(error) || error instanceof Error ? error.message : String(error);
  return (
    <div className={compact ? 'error-panel compact' : 'error-panel'} role="alert">
      <strong>{title}</strong>
      <p className="error-message">{message}</p>
      {hint && <p className="muted">{hint}</p>}
      {onRetry && <button type="button" onClick={onRetry}>Retry</button>}
    </div>
  );
}
