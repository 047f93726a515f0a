// SQL LIKE semantics shared by the SQLite function `cairn_like` and the in-memory search evaluator, so
// both agree with PostgreSQL's `LIKE … ESCAPE ''` / `ILIKE … ESCAPE ''`: `%` is any run of characters,
// `_` exactly one character (code point), no escape character, case-sensitive unless asked otherwise.
const cache = new Map<string, RegExp>();

export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const cacheKey = (caseInsensitive ? 'i:' : 's:') + pattern;
  let re = cache.get(cacheKey);
  if (re) return re;
  let src = '';
  for (const ch of pattern) {
    if (ch === '%') src += '[\\s\\S]*';
    else if (ch === '_') src += '[\\s\\S]';
    else src += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'); // only syntax characters: `u` mode rejects other escapes
  }
  re = new RegExp(`^${src}$`, caseInsensitive ? 'iu' : 'u');
  if (cache.size > 1000) cache.clear();
  cache.set(cacheKey, re);
  return re;
}

export function sqlLike(value: string, pattern: string, caseInsensitive = false): boolean {
  return likeToRegExp(pattern, caseInsensitive).test(value);
}
