import { createHash } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';

/**
 * SQL text that starts with this comment is a hot, fixed statement: on PostgreSQL it is prepared
 * once per connection (a named statement), so later executions skip parsing and planning, which
 * cost more than a primary-key lookup itself. SQLite ignores it (every statement is cached there).
 * Use it only for a bounded set of statements whose text never varies, and list the columns
 * (not `*`): each distinct text stays prepared on every pooled connection, and a prepared `*`
 * fails once a migration adds a column.
 */
export const PREPARED_MARKER = '/* cairn:prepared */ ';

const marked = new WeakMap<TemplateStringsArray, string[]>();

/**
 * A `sql` template run as a prepared statement (see {@link PREPARED_MARKER}).
 *
 * @example
 * ```ts
 * const { rows } = await prepared<{ version: number }>`select version from model_aliases where model_id = ${id} and alias = ${alias}`.execute(db);
 * ```
 */
export function prepared<T>(strings: TemplateStringsArray, ...values: unknown[]): RawBuilder<T> {
  let fragments = marked.get(strings);
  if (!fragments) {
    fragments = [PREPARED_MARKER + strings[0], ...strings.slice(1)];
    marked.set(strings, fragments);
  }
  return sql<T>(fragments as unknown as TemplateStringsArray, ...values);
}

const names = new Map<string, string>();

/** The statement name PostgreSQL knows a marked text by (stable across processes and connections). */
export function preparedStatementName(text: string): string | null {
  if (!text.startsWith(PREPARED_MARKER)) return null;
  let name = names.get(text);
  if (!name) {
    name = `cairn_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}
