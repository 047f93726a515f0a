import { describe, expect, it } from 'vitest';
import type { LineageGraph } from '@cairn/core';
import { lineageNodePath, pathToSources } from './lineage-path.js';

const node = (id: string) => ({ id, kind: id.slice(0, id.indexOf(':')) as never, key: id.slice(id.indexOf(':') + 1), label: id, detail: null, status: null, parent: null, depth: 0, more: false });
const graph = (edges: Array<[string, string]>): LineageGraph => {
  const ids = [...new Set(edges.flat())];
  return { focus: ids[0]!, truncated: false, nodes: ids.map(node), edges: edges.map(([from, to]) => ({ from, to, relation: '' })) };
};

describe('pathToSources', () => {
  it('marks every path from the alias up to source data, and nothing beside it', () => {
    const g = graph([
      ['modelVersion:m/1', 'alias:m@champion'], ['run:r', 'modelVersion:m/1'], ['pipelineRun:p', 'run:r'],
      ['trainingSet:t', 'run:r'], ['featureService:s', 'trainingSet:t'], ['featureView:a', 'featureService:s'], ['featureView:b', 'featureService:s'],
      ['source:x', 'featureView:a'], ['source:y', 'featureView:b'], ['data:file:x.parquet', 'source:x'], ['data:file:y.parquet', 'source:y'],
    ]);
    const p = pathToSources(g, 'alias:m@champion');
    expect([...p.nodes].sort()).toEqual(['alias:m@champion', 'data:file:x.parquet', 'data:file:y.parquet', 'featureService:s', 'featureView:a', 'featureView:b', 'modelVersion:m/1', 'run:r', 'source:x', 'source:y', 'trainingSet:t']);
    expect(p.edges.has('pipelineRun:p>run:r')).toBe(false);
    expect(p.edges.has('data:file:x.parquet>source:x')).toBe(true);
    expect(pathToSources(g, 'pipelineRun:p').nodes.size).toBe(0);
  });
});

describe('lineageNodePath', () => {
  it("links each kind to its object's page", () => {
    expect(lineageNodePath({ kind: 'alias', key: 'churn@champion' })).toBe('/models/churn?tab=aliases&alias=champion');
    expect(lineageNodePath({ kind: 'modelVersion', key: 'churn/3' })).toBe('/models/churn/versions/3');
    expect(lineageNodePath({ kind: 'data', key: 'file:data/a b.parquet' })).toBe('/features/data?key=file%3Adata%2Fa%20b.parquet');
    expect(lineageNodePath({ kind: 'step', key: 'sr1', parent: 'pr1' })).toBe('/pipelines/runs/pr1?step=sr1');
    expect(lineageNodePath({ kind: 'dataset', key: 'x@y' })).toBeNull();
  });
});
