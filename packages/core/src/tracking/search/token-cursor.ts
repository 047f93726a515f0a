import type { CairnError } from '../../errors.js';
import type { Entity, SearchTarget } from './ast.js';
import { ENTITIES_BY_TARGET, entityFromPrefix } from './fields.js';
import { describe, tokenize, type Token } from './lexer.js';
import { FilterBudget } from './limits.js';
import { syntaxError } from './syntax-error.js';

const RESERVED = new Set(['AND', 'OR', 'NOT', 'IN', 'LIKE', 'ILIKE']);

/** A key as written: `metrics.acc`, ``metrics.`my metric` ``, `tags."mlflow.source.name"`, `run_name`. */
export interface KeyRef {
  entity: Entity;
  key: string;
  /** The key as written, for messages. */
  text: string;
  start: number;
}

/** Walks the tokens of one filter or order_by clause; every error it raises points into the source. */
export class TokenCursor {
  private readonly tokens: Token[];
  private index = 0;
  /** What the filter holds so far, against SEARCH_LIMITS. */
  readonly budget = new FilterBudget((at, message) => this.fail(at, message));

  constructor(
    readonly source: string,
    readonly what: 'filter' | 'order_by clause',
    readonly target: SearchTarget,
  ) {
    this.tokens = tokenize(source, what);
  }

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)] as Token;
  }

  next(): Token {
    const token = this.peek();
    if (this.index < this.tokens.length - 1) this.index++;
    return token;
  }

  fail(at: Token | number, message: string): CairnError {
    return syntaxError(this.what, this.source, typeof at === 'number' ? at : at.start, message);
  }

  /** `expected <what> but found <next token>`, pointing at that token. */
  unexpected(expected: string): CairnError {
    const token = this.peek();
    return this.fail(token, `expected ${expected} but found ${describe(token)}`);
  }

  // The entity is everything before the first dot and the key everything after it, so dotted keys
  // need no quoting. A key with spaces or symbols is quoted right after the dot. The entity may be
  // backtick-quoted too, as MLflow allows: `` `metrics`.acc ``, `` `tags`.`my tag` ``.
  readKey(): KeyRef {
    const first = this.peek();
    if (first.type === 'backtick') {
      this.next();
      const tail = this.peek();
      if (tail.type !== 'word' || tail.start !== first.end || !tail.text.startsWith('.')) return this.resolve('attribute', first.value, first, first.end);
      this.next();
      return this.keyAfterEntity(first, first.value, tail.text.slice(1), tail.end);
    }
    if (first.type !== 'word' || RESERVED.has(first.text.toUpperCase())) {
      const example = this.target === 'runs' ? 'metrics.acc, params.lr or run_name' : 'name or tags.team';
      throw this.unexpected(`a key such as ${example}`);
    }
    this.next();
    const dot = first.text.indexOf('.');
    if (dot < 0) return this.resolve('attribute', first.text, first, first.end);
    return this.keyAfterEntity(first, first.text.slice(0, dot), first.text.slice(dot + 1), first.end);
  }

  /** The rest of a key once its entity prefix is read: `unquotedKey` is what follows the dot, up to `tailEnd`. */
  private keyAfterEntity(first: Token, prefix: string, unquotedKey: string, tailEnd: number): KeyRef {
    const written = this.source.slice(first.start, tailEnd);
    const entity = entityFromPrefix(prefix);
    if (!entity || !ENTITIES_BY_TARGET[this.target].includes(entity)) {
      const allowed = this.target === 'runs' ? 'metrics., params., tags., attributes. or datasets.' : 'tags. or attributes.';
      throw this.fail(first, `unknown entity '${prefix}' in '${written}'; keys start with ${allowed}`);
    }
    let key = unquotedKey;
    let end = tailEnd;
    if (key === '') {
      const quoted = this.peek();
      const glued = quoted.start === end && (quoted.type === 'backtick' || quoted.quote === '"');
      if (!glued) {
        throw this.fail(end, `expected a key after '${written}'; quote keys with spaces or symbols in backticks or double quotes`);
      }
      this.next();
      key = quoted.value;
      end = quoted.end;
    }
    return this.resolve(entity, key, first, end);
  }

  private resolve(entity: Entity, key: string, first: Token, end: number): KeyRef {
    if (key === '') throw this.fail(first, 'the key is empty');
    return { entity, key, text: this.source.slice(first.start, end), start: first.start };
  }
}
