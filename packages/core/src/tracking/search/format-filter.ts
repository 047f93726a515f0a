import type { Comparison, Entity, FilterNode } from './ast.js';

// Writes a filter back as text that `parseFilter` reads to the same tree: for logs, error details and
// the property tests, which generate trees and search with their text.

const PREFIX: Record<Entity, string> = {
  metric: 'metrics',
  param: 'params',
  tag: 'tags',
  attribute: 'attributes',
  dataset: 'datasets',
};
const PLAIN_KEY = /^[\p{L}\p{N}\p{M}_.\-/:]+$/u;

/**
 * @example
 * ```ts
 * formatFilter(parseFilter("metrics.acc>0.9 AND tags.`my tag` = 'x'", 'runs')!);
 * // "metrics.acc > 0.9 AND tags.`my tag` = 'x'"
 * ```
 */
export function formatFilter(node: FilterNode): string {
  if (node.kind === 'comparison') return formatComparison(node);
  const parts = node.children.map((c) => (c.kind === 'comparison' ? formatComparison(c) : `(${formatFilter(c)})`));
  return parts.join(node.kind === 'and' ? ' AND ' : ' OR ');
}

function formatComparison(c: Comparison): string {
  return `${formatKey(c.entity, c.key)} ${c.op} ${formatValue(c.value)}`;
}

/** `metrics.acc`, ``metrics.`val loss` ``: a key as a filter or order_by clause spells it. */
export function formatKey(entity: Entity, key: string): string {
  return `${PREFIX[entity]}.${PLAIN_KEY.test(key) ? key : '`' + key.replaceAll('`', '``') + '`'}`;
}

function formatValue(value: number | string | string[]): string {
  if (Array.isArray(value)) return `(${value.map(formatValue).join(', ')})`;
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  // Infinity has no literal; a number too large for a double reads back as one.
  if (value === Infinity) return '1e999';
  if (value === -Infinity) return '-1e999';
  return Object.is(value, -0) ? '-0' : String(value);
}
