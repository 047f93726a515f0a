/**
 * A plain object for entries keyed by what users send (tag and param keys, metric names). It has no
 * prototype, so `__proto__`, `constructor` or `toString` are ordinary keys: stored, read and sent as
 * JSON like any other, and a key that is absent reads as `undefined`, never as an inherited member.
 *
 * @example
 * ```ts
 * const tags = keyMap(rows.map((r) => [r.key, r.value]));
 * tags.__proto__; // the value stored under '__proto__', if any
 * ```
 */
export function keyMap<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const map = Object.create(null) as Record<string, T>;
  for (const [key, value] of entries) map[key] = value;
  return map;
}
