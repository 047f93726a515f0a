// Which inputs a function step reads, read from its source text, for steps that declare no `inputs`:
// the builder's wiring can then be checked before anything runs. Only the first parameter is looked
// at. Anything this scanner does not fully understand gives `unknown`, never a guess.

/** What a step function's first parameter says about the inputs it reads. */
export type FunctionInputs =
  /** No parameters: it reads no inputs. */
  | { form: 'none' }
  /** `({ rows, lr = 0.1, ...rest }, ctx)`: `required` have no default. */
  | { form: 'destructured'; required: string[]; optional: string[]; rest: boolean }
  /** `(inputs, ctx)`: any property may be read; checked when it is read. */
  | { form: 'object' }
  | { form: 'unknown' };

const IDENT = /^[A-Za-z_$][\w$]*/;
const UNKNOWN: FunctionInputs = { form: 'unknown' };

/** Skips a string, template literal or comment starting at `i`; returns the index after it, or -1. */
function skipQuoted(src: string, i: number): number {
  const c = src[i];
  if (c === '/' && src[i + 1] === '/') {
    const end = src.indexOf('\n', i);
    return end < 0 ? src.length : end + 1;
  }
  if (c === '/' && src[i + 1] === '*') {
    const end = src.indexOf('*/', i + 2);
    return end < 0 ? -1 : end + 2;
  }
  if (c === "'" || c === '"') {
    for (let j = i + 1; j < src.length; j++) {
      if (src[j] === '\\') j++;
      else if (src[j] === c) return j + 1;
    }
    return -1;
  }
  if (c === '`') {
    for (let j = i + 1; j < src.length; j++) {
      if (src[j] === '\\') j++;
      else if (src[j] === '`') return j + 1;
      else if (src[j] === '$' && src[j + 1] === '{') {
        const end = matching(src, j + 1);
        if (end < 0) return -1;
        j = end;
      }
    }
    return -1;
  }
  return i;
}

/** Index of the bracket closing the one at `open` (strings and comments skipped), or -1. */
function matching(src: string, open: number): number {
  const stack: string[] = [];
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  for (let i = open; i < src.length; i++) {
    const skipped = skipQuoted(src, i);
    if (skipped < 0) return -1;
    if (skipped !== i) {
      i = skipped - 1;
      continue;
    }
    const c = src[i]!;
    if (pairs[c]) stack.push(pairs[c]);
    else if (c === ')' || c === ']' || c === '}') {
      if (stack.pop() !== c) return -1;
      if (!stack.length) return i;
    }
  }
  return -1;
}

/** Splits at top-level commas (brackets, strings and comments respected); null when unbalanced. */
function splitTopLevel(src: string): string[] | null {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < src.length; i++) {
    const skipped = skipQuoted(src, i);
    if (skipped < 0) return null;
    if (skipped !== i) {
      i = skipped - 1;
      continue;
    }
    const c = src[i]!;
    if (c === '(' || c === '[' || c === '{') {
      const end = matching(src, i);
      if (end < 0) return null;
      i = end;
    } else if (c === ')' || c === ']' || c === '}') return null;
    else if (c === ',') {
      parts.push(src.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(src.slice(start));
  return parts;
}

/** Whether `text` (a pattern with its default) has a top-level `=` that is an assignment. */
function hasDefault(text: string): boolean {
  const parts = splitTopLevel(text);
  if (!parts || parts.length !== 1) return false;
  for (let i = 0; i < text.length; i++) {
    const skipped = skipQuoted(text, i);
    if (skipped !== i) {
      i = skipped - 1;
      continue;
    }
    const c = text[i]!;
    if (c === '(' || c === '[' || c === '{') {
      i = matching(text, i);
      if (i < 0) return false;
    } else if (c === '=' && text[i + 1] !== '=' && text[i + 1] !== '>' && !'=!<>'.includes(text[i - 1] ?? '')) return true;
  }
  return false;
}

const stripComments = (s: string): string => s.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ').trim();

function destructured(pattern: string): FunctionInputs {
  const end = matching(pattern, 0);
  if (end < 0) return UNKNOWN;
  // `({ a, b } = {})`: a default for the whole object never applies (Cairn always passes one).
  const after = stripComments(pattern.slice(end + 1));
  if (after && !/^=[^=>]/.test(after)) return UNKNOWN;
  const entries = splitTopLevel(pattern.slice(1, end));
  if (!entries) return UNKNOWN;
  const required: string[] = [];
  const optional: string[] = [];
  let rest = false;
  for (const raw of entries) {
    const entry = stripComments(raw);
    if (!entry) continue;
    if (entry.startsWith('...')) {
      rest = true;
      continue;
    }
    let name: string;
    let tail: string;
    const q = entry[0];
    if (q === "'" || q === '"') {
      const close = skipQuoted(entry, 0);
      if (close < 0) return UNKNOWN;
      try {
        name = JSON.parse(q === '"' ? entry.slice(0, close) : `"${entry.slice(1, close - 1).replace(/"/g, '\\"')}"`) as string;
      } catch {
        return UNKNOWN;
      }
      tail = entry.slice(close).trim();
    } else {
      const m = IDENT.exec(entry) ?? /^\d+/.exec(entry);
      if (!m) return UNKNOWN; // computed keys and anything unexpected
      name = m[0];
      tail = entry.slice(m[0].length).trim();
    }
    if (tail === '') required.push(name);
    else if (tail.startsWith('=')) optional.push(name);
    else if (tail.startsWith(':')) (hasDefault(tail.slice(1)) ? optional : required).push(name);
    else return UNKNOWN;
  }
  return { form: 'destructured', required, optional, rest };
}

/**
 * Reads the first parameter of a function's source (`fn.toString()`): none, a destructuring
 * pattern (which names it reads, which have defaults), or a plain identifier.
 *
 * @example
 * ```ts
 * functionInputs('async ({ rows, lr = 0.1 }, ctx) => {}'); // { form: 'destructured', required: ['rows'], optional: ['lr'], rest: false }
 * functionInputs('async (inputs) => inputs.rows');          // { form: 'object' }
 * ```
 */
export function functionInputs(source: string): FunctionInputs {
  if (typeof source !== 'string' || source.includes('[native code]')) return UNKNOWN;
  let s = stripLeading(source);
  const word = (w: string) => new RegExp(`^${w}(?![\\w$])`).test(s);
  if (word('async')) s = stripLeading(s.slice(5));
  if (word('function')) {
    s = stripLeading(s.slice(8));
    if (s.startsWith('*')) s = stripLeading(s.slice(1));
  }
  if (!s.startsWith('(')) {
    const m = IDENT.exec(s);
    if (!m) return UNKNOWN;
    const after = stripLeading(s.slice(m[0].length));
    if (after.startsWith('=>')) return { form: 'object' }; // `x => …`
    if (!after.startsWith('(')) return UNKNOWN;
    s = after; // a named function or a method: `name(…) {…}`
  }
  const close = matching(s, 0);
  if (close < 0) return UNKNOWN;
  const params = splitTopLevel(s.slice(1, close));
  if (!params) return UNKNOWN;
  const first = stripComments(params[0] ?? '');
  if (!first) return { form: 'none' };
  if (first.startsWith('{')) return destructured(first);
  if (IDENT.test(first) && !first.startsWith('...')) return { form: 'object' };
  return UNKNOWN;
}

function stripLeading(s: string): string {
  for (;;) {
    const t = s.trimStart();
    const skipped = t.startsWith('//') || t.startsWith('/*') ? skipQuoted(t, 0) : 0;
    if (skipped <= 0) return t;
    s = t.slice(skipped);
  }
}

// Property names that tools (await, JSON, test matchers, inspectors) probe; never inputs.
const PROBED = new Set(['then', 'toJSON', 'asymmetricMatch', '$$typeof', 'nodeType', 'inspect', '@@toStringTag']);

/**
 * Wraps the inputs given to a step whose function takes them as one object: reading an input the
 * pipeline does not pass throws `onMissing(name)` instead of quietly giving `undefined`. `in` and
 * spreading still see only the inputs that were passed.
 */
export function guardInputs<T extends Record<string, unknown>>(inputs: T, onMissing: (name: string) => Error): T {
  return new Proxy(inputs, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && !(prop in target) && !PROBED.has(prop)) throw onMissing(prop);
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}
