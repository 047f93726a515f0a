// Which inputs a function step reads, read from its source text, for steps that declare no `inputs`:
// the builder's wiring can then be checked before anything runs. The source (`fn.toString()`, which
// is JavaScript once tsx has compiled it) is parsed with acorn; only the first parameter is looked
// at. Anything that does not parse, or that is not a plain pattern, gives `unknown`, never a guess.
import { parse, type Expression, type Function as FunctionNode, type Pattern } from 'acorn';

/** What a step function's first parameter says about the inputs it reads. */
export type FunctionInputs =
  /** No parameters: it reads no inputs. */
  | { form: 'none' }
  /** `({ rows, lr = 0.1, ...rest }, ctx)`: `required` have no default. */
  | { form: 'destructured'; required: string[]; optional: string[]; rest: boolean }
  /** `(inputs, ctx)`: any property may be read; checked when it is read. */
  | { form: 'object' }
  | { form: 'unknown' };

const UNKNOWN: FunctionInputs = { form: 'unknown' };

/** The function a source text is: an expression (arrow, `function`), or a method (`name(…) {…}`). */
function parseFunction(source: string): FunctionNode | null {
  for (const text of [`(${source}\n)`, `({${source}\n})`]) {
    let expr: Expression;
    try {
      const [stmt, ...more] = parse(text, { ecmaVersion: 'latest' }).body;
      if (more.length || stmt?.type !== 'ExpressionStatement') continue;
      expr = stmt.expression;
    } catch {
      continue;
    }
    if (expr.type === 'ObjectExpression') {
      const [prop, ...others] = expr.properties;
      if (!others.length && prop?.type === 'Property' && prop.method) expr = prop.value as Expression;
    }
    if (expr.type === 'ArrowFunctionExpression' || expr.type === 'FunctionExpression') return expr;
  }
  return null;
}

function destructured(pattern: Pattern): FunctionInputs {
  if (pattern.type !== 'ObjectPattern') return UNKNOWN;
  const required: string[] = [];
  const optional: string[] = [];
  let rest = false;
  for (const p of pattern.properties) {
    if (p.type === 'RestElement') {
      rest = true;
      continue;
    }
    if (p.computed) return UNKNOWN;
    const name = p.key.type === 'Identifier' ? p.key.name : p.key.type === 'Literal' ? String(p.key.value) : null;
    if (name === null) return UNKNOWN;
    (p.value.type === 'AssignmentPattern' ? optional : required).push(name);
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
  const fn = parseFunction(source);
  if (!fn) return UNKNOWN;
  const first = fn.params[0];
  if (!first) return { form: 'none' };
  // `({ a, b } = {})`, `(inputs = {})`: a default for the whole object never applies (Cairn always passes one).
  const pattern = first.type === 'AssignmentPattern' ? first.left : first;
  if (pattern.type === 'Identifier') return { form: 'object' };
  return destructured(pattern);
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
