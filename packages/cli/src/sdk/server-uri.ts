/**
 * True for a server address (`http://…`, `https://…`), as opposed to a store URI (`sqlite:…`, `postgres://…`).
 *
 * @example
 * ```ts
 * isServerUri('http://127.0.0.1:5050'); // true
 * isServerUri('sqlite:.cairn/cairn.db'); // false
 * ```
 */
export function isServerUri(uri: string): boolean {
  return /^https?:\/\//i.test(uri);
}
