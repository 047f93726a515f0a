import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { isCairnError } from '@cairn/client/browser';
import { errorOffset, firstLine, suggest, wordAt, type Suggestion } from './filter-help.js';

interface FilterBoxProps {
  value: string;
  onApply(filter: string): void;
  /** The error of the search the applied filter ran, if any: a syntax error is shown where it is. */
  error: unknown;
  keys: { metrics: string[]; params: string[]; tags: string[] } | undefined;
}

/**
 * The search-language box: type `metrics.auc > 0.7 and params.model = 'gbm'`, Enter applies it.
 * Names of metrics, params and tags in use are suggested as you type (Tab or Enter takes one); a
 * syntax error from the server is shown under the filter with the offending character marked.
 */
export function FilterBox({ value, onApply, error, keys }: FilterBoxProps) {
  const [draft, setDraft] = useState(value);
  const [cursor, setCursor] = useState(value.length);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => setDraft(value), [value]);

  const { start, word } = wordAt(draft, cursor);
  const suggestions: Suggestion[] = open && keys ? suggest(word, keys) : [];
  const take = (s: Suggestion) => {
    const next = draft.slice(0, start) + s.insert + draft.slice(cursor);
    setDraft(next);
    setOpen(false);
    const at = start + s.insert.length;
    requestAnimationFrame(() => {
      input.current?.setSelectionRange(at, at);
      setCursor(at);
    });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (suggestions.length && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
      e.preventDefault();
      setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : suggestions.length - 1)) % suggestions.length);
    } else if (suggestions.length && (e.key === 'Tab' || e.key === 'Enter')) {
      e.preventDefault();
      take(suggestions[Math.min(active, suggestions.length - 1)]!);
    } else if (e.key === 'Enter') {
      setOpen(false);
      onApply(draft.trim());
    } else if (e.key === 'Escape') {
      setOpen(false);
    }
  };

  const syntax = isCairnError(error, 'INVALID_ARGUMENT') && value ? error : null;
  const at = syntax ? errorOffset(syntax.message, value) : null;
  return (
    <div className="filter-box">
      <div className="filter-row">
        <input
          ref={input}
          className={syntax ? 'filter-input invalid' : 'filter-input'}
          aria-label="Filter runs"
          aria-invalid={Boolean(syntax)}
          aria-describedby={syntax ? 'filter-error' : undefined}
          spellCheck={false}
          placeholder="Filter, e.g. metrics.auc > 0.7 and params.model = 'gbm'   (Enter to apply)"
          value={draft}
          onChange={(e) => {
            setDraft(e.target.value);
            setCursor(e.target.selectionStart ?? e.target.value.length);
            setOpen(true);
            setActive(0);
          }}
          onKeyDown={onKeyDown}
          onKeyUp={(e) => setCursor(e.currentTarget.selectionStart ?? 0)}
          onClick={(e) => setCursor(e.currentTarget.selectionStart ?? 0)}
          onBlur={() => setTimeout(() => setOpen(false), 150)}
        />
        <button type="button" onClick={() => onApply(draft.trim())}>Apply</button>
        {value && <button type="button" className="link" onClick={() => onApply('')}>Clear</button>}
      </div>
      {suggestions.length > 0 && (
        <ul className="suggestions" role="listbox" aria-label="Suggestions">
          {suggestions.map((s, i) => (
            <li key={s.insert} role="option" aria-selected={i === active} className={i === active ? 'active' : ''} onMouseDown={(e) => { e.preventDefault(); take(s); }}>
              {s.label}
            </li>
          ))}
        </ul>
      )}
      {syntax && (
        <div id="filter-error" className="filter-error" role="alert">
          <span>{firstLine(syntax.message)}</span>
          {at !== null && (
            <code className="filter-excerpt">
              {value.slice(0, at)}
              <mark className="filter-caret">{value.slice(at, at + 1) || ' '}</mark>
              {value.slice(at + 1)}
            </code>
          )}
        </div>
      )}
    </div>
  );
}
