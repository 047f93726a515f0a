import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FilterNode } from './ast.js';
import { formatFilter } from './format-filter.js';
import { parseFilter } from './parser.js';
import { experimentFilter, runFilter } from './search-arbitraries.js';

// The parser reads nested ANDs (and ORs) as one flat node, so that is the shape to compare with.
function flatten(node: FilterNode): FilterNode {
  if (node.kind === 'comparison') return node;
  const children = node.children.map(flatten).flatMap((c) => (c.kind === node.kind ? c.children : [c]));
  return { kind: node.kind, children };
}

describe('formatFilter', () => {
  it('writes text the parser reads back to the same tree', () => {
    fc.assert(
      fc.property(runFilter, (node) => {
        expect(parseFilter(formatFilter(node), 'runs')).toEqual(flatten(node));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(experimentFilter, (node) => {
        expect(parseFilter(formatFilter(node), 'experiments')).toEqual(flatten(node));
      }),
      { numRuns: 500 },
    );
  });

  it('quotes what needs quoting', () => {
    const node = parseFilter("metrics.`a b` > 1e999 AND (params.`k``q` = 'it''s' OR tags.mlflow.x IN ('😀', '%_'))", 'runs');
    expect(formatFilter(node as FilterNode)).toBe("metrics.`a b` > 1e999 AND (params.`k``q` = 'it''s' OR tags.mlflow.x IN ('😀', '%_'))");
    expect(formatFilter(parseFilter('metrics.a = -0 and created < -1e999', 'runs') as FilterNode)).toBe('metrics.a = -0 AND attributes.start_time < -1e999');
  });
});
