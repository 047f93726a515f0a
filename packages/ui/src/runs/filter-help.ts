// Helpers for the filter box: where the server says a filter is wrong, and which names to suggest.

/**
 * The 0-based UTF-16 offset a filter syntax error points at, from the server's message
 * ("Invalid filter at position 7: …", a 1-based count of characters), or null.
 */
export function errorOffset(message: string, filter: string): number | null {
  const m = /at position (\d+)/.exec(message);
  if (!m) return null;
  const position = Number(m[1]);
  const chars = [...filter];
  if (position < 1 || position > chars.length + 1) return null;
  return chars.slice(0, position - 1).join('').length;
}

/** The first line of a server error message (the rest repeats the filter with a caret). */
export function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

export interface Suggestion {
  /** What replaces the word being typed. */
  insert: string;
  /** Shown in the list. */
  label: string;
}

const ATTRIBUTES = ['attributes.status', 'attributes.run_name', 'attributes.user_id', 'attributes.start_time', 'attributes.end_time', 'attributes.run_id'];
const PLAIN_KEY = /^[\p{L}\p{N}\p{M}_.\-/:]+$/u;
const quote = (key: string) => (PLAIN_KEY.test(key) ? key : '`' + key.replaceAll('`', '``') + '`');

/** The word under the cursor: from the last space, parenthesis or operator before it. */
export function wordAt(text: string, cursor: number): { start: number; word: string } {
  let start = cursor;
  while (start > 0 && !/[\s()=<>!,]/.test(text[start - 1]!)) start--;
  return { start, word: text.slice(start, cursor) };
}

/**
 * Field names starting with what is typed: `metrics.`, `params.` and `tags.` followed by the keys
 * in use, and the run attributes. Matching ignores case; at most `limit` suggestions.
 */
export function suggest(word: string, keys: { metrics: string[]; params: string[]; tags: string[] }, limit = 12): Suggestion[] {
  if (!word) return [];
  const w = word.toLowerCase();
  const fields = [
    ...keys.metrics.map((k) => `metrics.${quote(k)}`),
    ...keys.params.map((k) => `params.${quote(k)}`),
    ...keys.tags.map((k) => `tags.${quote(k)}`),
    ...ATTRIBUTES,
  ];
  const starts = fields.filter((f) => f.toLowerCase().startsWith(w));
  // "auc" finds metrics.auc too: the part after the prefix also counts.
  const inner = fields.filter((f) => !starts.includes(f) && f.slice(f.indexOf('.') + 1).toLowerCase().startsWith(w));
  return [...starts, ...inner].filter((f) => f.toLowerCase() !== w).slice(0, limit).map((f) => ({ insert: f, label: f }));
}
